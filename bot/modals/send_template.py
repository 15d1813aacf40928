"""The send-template modal: opened by `/meta send [+PHONE | BSUID]` and by a thread's "Send template" button.

It lists the number's APPROVED templates; choosing one (a block action on the select) updates the view with the
values that template needs (a copy-code button's coupon code among them). The submission is checked at once
(admin, workspace, Meta's rules for the values, marketing opt-out, authentication to a BSUID) and sent by one
submit_view job per view id."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.modals import submission
from bot.runtime import runtime_of
from integrations.meta.template_rules import MAX_COPY_CODE
from integrations.slack.blocks import (
    context_block,
    input_block,
    modal,
    option,
    plain_text_input,
    section,
    static_select,
)
from integrations.slack.mrkdwn import escape
from metaops import messages, permissions
from metaops.conversation import replies
from metaops.conversation.buttons import TEMPLATE_SEND_OPEN, send_template_button, thread_of
from metaops.costs import notice
from metaops.exceptions import NotConnected, Refusal
from metaops.runtime import Runtime
from metaops.surfaces import submissions
from metaops.templates import header_media, recipients, send_template
from metaops.templates.header_media import MEDIA_FORMATS, MEDIA_TYPES
from metaops.templates.recipients import Target
from metaops.templates.values import COUPON, check, needs_of

__all__ = ["CALLBACK_ID", "CHOOSE_ACTION", "TEMPLATE_SEND_OPEN", "build", "open_modal", "register",
           "send_template_button"]
log = logging.getLogger(__name__)
CALLBACK_ID = "send_template_modal"
CHOOSE_ACTION = "template_send_choose"
MAX_OPTIONS = 100  # Slack's most options in a static select


def build(meta: dict[str, Any], choices: list[Any], who: str | None, chosen: Any = None,
          values: dict[str, Any] | None = None, note: str | None = None) -> dict[str, Any]:
    """The modal for `choices` (the number's approved templates, as send_template.approved gives them); with
    `chosen`, the inputs it needs. `who` names
    the recipient when it is known; otherwise the modal asks for one. `values` (a view's state) keeps what was
    typed when the view is rebuilt."""
    values = values or {}
    blocks: list[dict[str, Any]] = []
    if who:
        blocks.append(section(messages.SEND_TO_KNOWN.format(who=who)))
    else:
        blocks.append(input_block(messages.SEND_TO_LABEL, "to", plain_text_input("value", initial_value=_typed(
            values, "to")), hint=messages.SEND_TO_HINT))
    if not choices:
        blocks.append(section(messages.SEND_NO_TEMPLATES))
        return modal(messages.SEND_MODAL_TITLE, CALLBACK_ID, blocks, close="Close",
                     private_metadata=json.dumps(meta))
    options = [option(f"{t.name} · {t.language} · {t.category}", t.id) for t in choices[:MAX_OPTIONS]]
    initial = next((o for o in options if chosen is not None and o["value"] == chosen.id), None)
    picker = input_block(messages.SEND_TEMPLATE_LABEL, "template", static_select(CHOOSE_ACTION, options, initial),
                         hint=messages.SEND_TEMPLATE_HINT)
    picker["dispatch_action"] = True  # choosing one updates the view with its fields
    blocks.append(picker)
    if chosen is None:
        blocks.append(context_block(messages.SEND_CHOOSE))
    else:
        blocks.extend(_fields(chosen, values))
        if note:  # whether Meta bills it, before it goes (metaops.costs.notice)
            blocks.append(context_block(note))
    return modal(messages.SEND_MODAL_TITLE, CALLBACK_ID, blocks, submit=messages.SEND_MODAL_SUBMIT, close="Cancel",
                 private_metadata=json.dumps(meta))


def _fields(t: Any, values: dict[str, Any]) -> list[dict[str, Any]]:
    n = needs_of(t.components)
    out = [context_block(messages.SEND_CATEGORY_NOTE.format(category=t.category, language=t.language,
                                                      body=escape(n.body)[:2900]))]
    if n.header_variable:
        out.append(_text_input(messages.SEND_HEADER_LABEL.format(var=n.header_variable), "header_text", values,
                               messages.SEND_EXAMPLE_HINT.format(example=n.header_example) if n.header_example
                               else None))
    elif n.header_format in MEDIA_FORMATS:
        types, limit = MEDIA_TYPES[n.header_format]
        out.append(_text_input(messages.SEND_MEDIA_LABEL.format(kind=n.header_format.lower()), "header_media", values,
                               messages.SEND_MEDIA_HINT.format(types=", ".join(types), limit=limit // 2**20)))
    for var in n.body_variables[:40]:
        example = n.body_examples[n.body_variables.index(var)]
        out.append(_text_input(messages.SEND_BODY_LABEL.format(var=var), f"body_{var}", values,
                               messages.SEND_EXAMPLE_HINT.format(example=example) if example else None))
    for b in n.url_buttons:
        hint = messages.SEND_BUTTON_HINT.format(url=b.url) + (
            " · " + messages.SEND_EXAMPLE_HINT.format(example=b.example) if b.example else "")
        out.append(_text_input(messages.SEND_BUTTON_LABEL.format(text=b.text), f"button_{b.index}", values, hint))
    if n.copy_code is not None:
        c = n.copy_code
        hint = messages.SEND_COUPON_HINT.format(limit=MAX_COPY_CODE) + (
            " · " + messages.SEND_EXAMPLE_HINT.format(example=c.example) if c.example else "")
        out.append(_text_input(messages.SEND_COUPON_LABEL.format(text=c.text or messages.SEND_COUPON_BUTTON),
                               COUPON, values, hint))
    return out


def _text_input(label: str, block_id: str, values: dict[str, Any], hint: str | None) -> dict[str, Any]:
    return input_block(label[:2000], block_id, plain_text_input("value", initial_value=_typed(values, block_id)),
                       hint=hint[:2000] if hint else None)


def _typed(values: dict[str, Any], block_id: str) -> str | None:
    return ((values.get(block_id) or {}).get("value") or {}).get("value") or None


def _chosen_id(values: dict[str, Any]) -> str:
    return str((((values.get("template") or {}).get(CHOOSE_ACTION) or {}).get("selected_option") or {})
               .get("value") or "")


def open_modal(rt: Runtime, client: WebClient, trigger_id: str, team_id: str, channel_id: str,
               target: Target | None, address: dict[str, Any]) -> None:
    """views.open for `target` (None: the modal asks whom to send to). `address` goes in the metadata: the
    thread ({"thread": {...}}) or the phone or BSUID typed after `/meta send`."""
    number = target.phone_number_id if target else recipients.number_of(rt, team_id)
    choices = send_template.approved(rt, team_id, number)
    meta = {"team_id": team_id, "channel_id": channel_id, **address}
    client.views_open(trigger_id=trigger_id, view=build(meta, choices, target.label() if target else None))


def send_template_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                          respond: Respond, context: BoltContext) -> None:
    """A customer thread's "Send template" button (admins): the modal for that thread's customer."""
    ack()
    rt = runtime_of(context)
    team, user = body["team"]["id"], body["user"]["id"]
    where = thread_of(action.get("value"))
    if where is None:  # not a value we made
        respond(replace_original=False, response_type="ephemeral", text=messages.ACTION_NOT_VALID)
        return
    if replies.guest_pressed(team, body.get("user")):  # a Slack Connect guest sends nothing to a customer
        respond(replace_original=False, response_type="ephemeral", text=messages.BUTTON_GUEST)
        return
    if not permissions.may_change(rt, client, team, user):
        respond(replace_original=False, response_type="ephemeral", text=messages.NOT_ALLOWED)
        return
    try:  # only a thread of the signed team's own, whatever the button says
        target = recipients.target_for_thread(rt, team, *where)
        open_modal(rt, client, body.get("trigger_id", ""), team, where[0], target,
                   {"thread": {"channel": where[0], "thread_ts": where[1]}})
    except (Refusal, NotConnected) as e:
        respond(replace_original=False, response_type="ephemeral", text=str(e))


def send_template_chosen(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                         context: BoltContext) -> None:
    """A template chosen in the modal: the view updated with the values that template needs."""
    ack()
    rt = runtime_of(context)
    view = body.get("view") or {}
    team = (body.get("team") or {}).get("id") or ""
    meta = submissions.metadata(view)
    if not team or meta.get("team_id") != team:
        return  # a view of another workspace: nothing is read for it
    values = (view.get("state") or {}).get("values") or {}
    template_id = str((action.get("selected_option") or {}).get("value") or "")
    try:
        try:
            target = _target(rt, team, meta, values, strict=False)
        except Refusal as e:
            if e.field != "to":
                raise
            target = None  # a recipient not typed right yet: said when the form is submitted
        number = target.phone_number_id if target else recipients.number_of(rt, team)
        choices = send_template.approved(rt, team, number)
        chosen = send_template.template_of(rt, team, number, template_id)
    except (Refusal, NotConnected) as e:
        log.info("send-template view %s: %s", view.get("id"), e)
        return
    note = notice.before_send(rt, chosen.category, target) if target else None
    updated = build(meta, choices, target.label() if target and _known(meta) else None, chosen, values, note)
    try:
        client.views_update(view_id=view.get("id"), hash=view.get("hash"), view=updated)
    except SlackApiError as e:  # the view changed meanwhile (hash) or was closed
        log.info("views.update of %s: %s", view.get("id"), e.response.get("error"))


def send_template_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                            context: BoltContext) -> None:
    """The modal sent: checked at once, then sent by one job per view id."""
    rt = runtime_of(context)
    if submission.refused(rt, ack, body, view, client, "template"):
        return
    team = body["team"]["id"]
    meta = submissions.metadata(view)
    values = view["state"]["values"]
    try:
        target = _target(rt, team, meta, values, strict=True)
        assert target is not None
        t = send_template.template_of(rt, team, target.phone_number_id, _chosen_id(values))
    except Refusal as e:
        ack(response_action="errors", errors={e.field: e.text})
        return
    except NotConnected as e:
        ack(response_action="errors", errors={"template": str(e)})
        return
    reason = send_template.refusal_for(t, target)
    if reason:
        ack(response_action="errors", errors={"template": reason})
        return
    n = needs_of(t.components)
    typed = {k: str(_typed(values, k) or "") for k in values if k not in ("to", "template")}
    present = {b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"}
    errors = {k if k in present else "template": v for k, v in check(n, typed).items()}
    if not errors and n.header_format in MEDIA_FORMATS:
        problem = header_media.check_media(client, n.header_format, typed.get("header_media", ""),
                                           body["user"]["id"], str(meta.get("channel_id") or ""))
        if problem:
            errors["header_media"] = problem
    if errors:
        ack(response_action="errors", errors=errors)
        return
    fields: dict[str, Any] = {"template_id": t.id, "values": typed}
    if meta.get("thread"):
        fields["thread"] = {"channel": target.channel_id, "thread_ts": target.thread_ts}
    else:
        fields.update(phone=target.phone, bsuid=target.bsuid)
    submission.queue(rt, ack, submissions.SEND, body, view, fields, error_field="template")


def register(app: App) -> None:
    app.action(TEMPLATE_SEND_OPEN)(send_template_clicked)
    app.action(CHOOSE_ACTION)(send_template_chosen)
    app.view(CALLBACK_ID)(send_template_submitted)


def _known(meta: dict[str, Any]) -> bool:
    return bool(meta.get("thread") or meta.get("phone") or meta.get("bsuid"))


def _target(rt: Runtime, team: str, meta: dict[str, Any], values: dict[str, Any], strict: bool) -> Target | None:
    """Whom the view sends to: its thread (looked up among the signed team's threads), the recipient given to
    `/meta send`, or what was typed in the modal (None while nothing is typed, unless `strict`)."""
    thread = meta.get("thread")
    if isinstance(thread, dict):
        return recipients.target_for_thread(rt, team, str(thread.get("channel", "")),
                                               str(thread.get("thread_ts", "")))
    if meta.get("phone") or meta.get("bsuid"):
        return recipients.target_for_address(rt, team, meta.get("phone"), meta.get("bsuid"))
    typed = _typed(values, "to")
    if not typed and not strict:
        return None
    phone, bsuid = recipients.parse_recipient(typed or "")
    return recipients.target_for_address(rt, team, phone, bsuid)
