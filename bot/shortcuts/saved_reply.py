"""Using a saved reply in a customer thread: the root's *Saved reply* button or the *Saved reply…* message shortcut
opens a picker of the member's and the workspace's saved replies; choosing one shows it filled in for this customer,
to edit; sending posts it in the thread and sends it through the reply outbox (every reply rule applies)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.runtime import runtime_of
from bot.shortcuts.thread_form import clicked_thread, notice, send_and_ack, team_and_user, value
from integrations.slack.blocks import input_block, modal, option, plain_text_input, static_select
from metaops import messages
from metaops.conversation import saved_replies, thread_forms
from metaops.conversation.buttons import SAVED_REPLY_OPEN
from metaops.surfaces import submissions

SHORTCUT_ID = "saved_reply"  # the message shortcut, as declared in slack/manifest.yml
PICK_ID = "saved_reply_pick"  # step 1: which saved reply
SEND_ID = "saved_reply_send"  # step 2: the text filled in, to edit and send
OPTIONS_MAX = 100  # Slack's options in a static select


def picker(rt: Any, team_id: str, user_id: str, thread: Any) -> dict[str, Any]:
    """Step 1, or a notice when the member has no saved reply to use."""
    found = saved_replies.visible(rt, team_id, user_id)[:OPTIONS_MAX]
    if not found:
        return notice(messages.SAVED_TITLE, PICK_ID, messages.SAVED_NO_REPLIES)
    options = [option(s.name if s.shared else f"{s.name} · {messages.SAVED_SCOPE_MINE.lower()}", str(s.id))
               for s in found]
    return modal(messages.SAVED_TITLE, PICK_ID, [input_block(
        messages.SAVED_PICK_LABEL, "saved", static_select("saved", options), hint=messages.SAVED_PICK_HINT)],
        submit=messages.SAVED_PICK_NEXT, close="Cancel", private_metadata=thread_forms.metadata(team_id, thread))


def composer(team_id: str, thread: Any, saved: Any, filled: str) -> dict[str, Any]:
    """Step 2: the saved reply filled in for this customer, in an input to edit."""
    return modal(messages.SAVED_TITLE, SEND_ID, [input_block(
        messages.SAVED_SEND_LABEL, "text", plain_text_input("text", multiline=True, initial_value=filled),
        hint=messages.SAVED_SEND_HINT)], submit=messages.RICH_SEND, close="Cancel",
        private_metadata=thread_forms.metadata(team_id, thread, saved=saved.id))


def _open(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    team, user = team_and_user(body)
    thread = clicked_thread(body, context)
    view = picker(runtime_of(context), team, user.get("id") or "", thread) if thread is not None else \
        notice(messages.SAVED_TITLE, PICK_ID, messages.RICH_NOT_A_THREAD)
    client.views_open(trigger_id=body.get("trigger_id") or "", view=view)


def saved_reply_shortcut(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """The *Saved reply…* message shortcut, on the root or any message of a customer thread."""
    _open(ack, body, client, context)


def saved_reply_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """The root's *Saved reply* button."""
    _open(ack, body, client, context)


def saved_reply_picked(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """Step 1 sent: the chosen saved reply (one the member may use) filled in from this customer, shown to edit."""
    rt = runtime_of(context)
    team, user = team_and_user(body)
    thread = thread_forms.thread_of_form(rt, team, submissions.metadata(view))
    if thread is None:
        ack(response_action="errors", errors={"saved": messages.SAVED_FORM_GONE})
        return
    saved = saved_replies.usable(rt, team, user.get("id") or "", value(view, "saved"))
    if saved is None:
        ack(response_action="errors", errors={"saved": messages.SAVED_PICK_NONE})
        return
    filled = saved_replies.fill(saved.text, saved_replies.values_for(rt, thread))
    ack(response_action="update", view=composer(team, thread, saved, filled.text))


def saved_reply_sent(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """Step 2 sent: every reply rule checked under the text, then posted in the thread and stored for sending."""
    rt = runtime_of(context)
    team, user = team_and_user(body)
    meta = submissions.metadata(view)
    thread = thread_forms.thread_of_form(rt, team, meta)
    saved = saved_replies.usable(rt, team, user.get("id") or "", meta.get("saved"))
    if thread is None or saved is None:
        ack(response_action="errors", errors={"text": messages.SAVED_FORM_GONE})
        return
    text = value(view, "text")
    left = saved_replies.unfilled(text)
    why = thread_forms.refusal(rt, team, user, thread, text) or (messages.SAVED_UNFILLED.format(
        fields=", ".join(f"{{{f}}}" for f in left)) if left else None) or \
        (messages.SAVED_TEXT_EMPTY if not text.strip() else None)
    if why:
        ack(response_action="errors", errors={"text": why})
        return
    by = messages.SAVED_BY.format(user=user.get("id"), name=saved.name)
    send_and_ack(ack, rt, team, user.get("id") or "", view, thread, text, by, "text")


def register(app: App) -> None:
    app.shortcut(SHORTCUT_ID)(saved_reply_shortcut)
    app.action(SAVED_REPLY_OPEN)(saved_reply_clicked)
    app.view(PICK_ID)(saved_reply_picked)
    app.view(SEND_ID)(saved_reply_sent)
