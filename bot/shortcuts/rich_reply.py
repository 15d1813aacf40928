"""Rich replies from a customer thread: the root's *More…* button or the *Rich reply…* message shortcut. WhatsApp:
choose reply buttons, a list, a link button or a location request, then fill in the form; Messenger and Instagram:
quick replies. Meta's limits are checked under each field; the reply is shown in the thread as sent and goes through
the reply outbox (every reply rule applies to its text)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.runtime import runtime_of
from bot.shortcuts.thread_form import clicked_thread, notice, send_and_ack, team_and_user, value
from integrations.slack.blocks import Block, input_block, modal, option, plain_text_input, static_select
from metaops import messages
from metaops.conversation import rich_replies, thread_forms
from metaops.conversation.buttons import RICH_REPLY_OPEN
from metaops.surfaces import submissions

SHORTCUT_ID = "rich_reply"  # the message shortcut, as declared in slack/manifest.yml
KIND_ID = "rich_reply_kind"  # step 1 (WhatsApp): what to send
COMPOSE_ID = "rich_reply_compose"  # step 2: the form of that kind
MULTILINE = ("body", "options")


def kind_picker(team_id: str, thread: Any) -> dict[str, Any]:
    kinds = rich_replies.kinds_for(thread.platform)
    return modal(messages.RICH_TITLE, KIND_ID, [input_block(messages.RICH_KIND_LABEL, "kind", static_select(
        "kind", [option(messages.RICH_KIND_LABELS[k], k) for k in kinds]))],
        submit=messages.RICH_NEXT, close="Cancel", private_metadata=thread_forms.metadata(team_id, thread))


def composer(team_id: str, thread: Any, kind: str) -> dict[str, Any]:
    """The form of one kind: only the inputs Meta has for it, each with its limits in the hint."""
    parts: list[Block] = []
    for f in rich_replies.fields_of(kind):
        hint = messages.RICH_HINTS.get(kind) if f == "options" else \
            messages.RICH_BUTTON_HINTS.get(kind) if f == "button" else None
        parts.append(input_block(messages.RICH_LABELS[f], f, plain_text_input(f, multiline=f in MULTILINE),
                                 optional=f in ("header", "footer") or None, hint=hint))
    title = messages.RICH_KIND_LABELS[kind]
    return modal(title, COMPOSE_ID, parts, submit=messages.RICH_SEND, close="Cancel",
                 private_metadata=thread_forms.metadata(team_id, thread, kind=kind))


def first_view(team_id: str, thread: Any) -> dict[str, Any]:
    """The kind picker, or straight the form when the platform has one kind (quick replies)."""
    kinds = rich_replies.kinds_for(thread.platform)
    if not kinds:
        return notice(messages.RICH_TITLE, KIND_ID, messages.RICH_NO_KINDS)
    return composer(team_id, thread, kinds[0]) if len(kinds) == 1 else kind_picker(team_id, thread)


def _open(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    team, _ = team_and_user(body)
    thread = clicked_thread(body, context)
    view = first_view(team, thread) if thread is not None else \
        notice(messages.RICH_TITLE, KIND_ID, messages.RICH_NOT_A_THREAD)
    client.views_open(trigger_id=body.get("trigger_id") or "", view=view)


def rich_reply_shortcut(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """The *Rich reply…* message shortcut, on the root or any message of a customer thread."""
    _open(ack, body, client, context)


def rich_reply_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """The root's *More…* button."""
    _open(ack, body, client, context)


def rich_reply_kind_chosen(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """Step 1 sent: the form of the chosen kind (one this thread's platform has)."""
    team, _ = team_and_user(body)
    thread = thread_forms.thread_of_form(runtime_of(context), team, submissions.metadata(view))
    if thread is None:
        ack(response_action="errors", errors={"kind": messages.SAVED_FORM_GONE})
        return
    kind = value(view, "kind")
    if kind not in rich_replies.kinds_for(thread.platform):
        ack(response_action="errors", errors={"kind": messages.RICH_KIND_NONE})
        return
    ack(response_action="update", view=composer(team, thread, kind))


def rich_reply_sent(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """Step 2 sent: Meta's limits and every reply rule checked under the fields, then posted in the thread as it will
    look and stored for sending."""
    rt = runtime_of(context)
    team, user = team_and_user(body)
    meta = submissions.metadata(view)
    thread = thread_forms.thread_of_form(rt, team, meta)
    kind = meta.get("kind")
    if thread is None or kind not in rich_replies.kinds_for(thread.platform):
        ack(response_action="errors", errors={"body": messages.SAVED_FORM_GONE})
        return
    draft = rich_replies.draft(kind, {f: value(view, f) for f in rich_replies.FIELDS})
    why = thread_forms.refusal(rt, team, user, thread, draft.body)
    errors = {"body": why} if why else rich_replies.problems(draft)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    by = messages.RICH_BY.format(user=user.get("id"), kind=messages.RICH_KIND_LABELS[kind])
    send_and_ack(ack, rt, team, user.get("id") or "", view, thread, draft.body, by, "body",
                 shown=rich_replies.shown(draft), interactive=rich_replies.stored(draft))


def register(app: App) -> None:
    app.shortcut(SHORTCUT_ID)(rich_reply_shortcut)
    app.action(RICH_REPLY_OPEN)(rich_reply_clicked)
    app.view(KIND_ID)(rich_reply_kind_chosen)
    app.view(COMPOSE_ID)(rich_reply_sent)
