"""The "Send to customer…" message shortcut (`send_to_customer`): a modal picking one of the channel's recent
customer threads, and its submission, which posts the message in that thread and sends it as a reply
(`metaops.conversation.send_to_customer`). Any member may use it, as any member may reply in a customer thread.

The submission is checked and carried out before it is acknowledged (a post in Slack and a row in the database,
well within Slack's 3 seconds), so every refusal shows under the field; the send to Meta is the reply outbox's
job, as for a reply written in the thread."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.runtime import runtime_of
from integrations.slack.blocks import context_block, input_block, modal, option, section, static_select
from integrations.slack.errors import SlackRateLimited
from integrations.slack.limits import clip_mrkdwn
from metaops import messages
from metaops.conversation import send_to_customer
from metaops.surfaces import submissions

log = logging.getLogger(__name__)
CALLBACK_ID = "send_to_customer"  # the shortcut, as declared in slack/manifest.yml
VIEW_CALLBACK_ID = "send_to_customer_modal"
CHOOSE_ACTION = "send_to_customer_choose"
PREVIEW_CHARS = 1500  # the message quoted in the modal, characters


def build(meta: dict[str, Any], draft: dict[str, Any], choices: list[send_to_customer.Choice]) -> dict[str, Any]:
    """The modal: the message as it will go, and the customers to choose from."""
    quoted = "\n".join(f">{line}" for line in clip_mrkdwn(draft["text"], PREVIEW_CHARS).splitlines()) \
        if draft["text"].strip() else ""
    parts = [section(messages.FORWARD_PREVIEW + ("\n" + quoted if quoted else ""))]
    if draft["files"]:
        parts.append(context_block(messages.FORWARD_FILES.format(
            names=", ".join(str(f.get("name") or f["id"]) for f in draft["files"]))))
    options = [option(c.label, str(c.thread_id)) for c in choices[:send_to_customer.MAX_OPTIONS]]
    parts.append(input_block(messages.FORWARD_CUSTOMER_LABEL, "customer", static_select(CHOOSE_ACTION, options),
                             hint=messages.FORWARD_CUSTOMER_HINT))
    return modal(messages.FORWARD_TITLE, VIEW_CALLBACK_ID, parts, submit=messages.FORWARD_SUBMIT, close="Cancel",
                 private_metadata=json.dumps(meta))


def notice(text: str) -> dict[str, Any]:
    """A modal that only says why the shortcut cannot be used on this message."""
    return modal(messages.FORWARD_TITLE, VIEW_CALLBACK_ID + "_notice", [section(text)], close="Close")


def send_to_customer_shortcut(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """The message shortcut: the modal choosing the customer thread, or why the message cannot go."""
    ack()
    rt = runtime_of(context)
    team = (body.get("team") or {}).get("id") or ""
    user = body.get("user") or {}
    channel = (body.get("channel") or {}).get("id") or ""
    message = body.get("message") or {}
    trigger = body.get("trigger_id") or ""
    if body.get("type") != "message_action" or not (team and channel and user.get("id")):
        client.views_open(trigger_id=trigger, view=notice(messages.FORWARD_MESSAGES_ONLY))
        return
    reason = send_to_customer.refusal(team, user, message)
    choices = [] if reason else send_to_customer.recent(rt, team, channel)
    if not reason and not choices:
        reason = messages.FORWARD_NONE
    if reason:
        client.views_open(trigger_id=trigger, view=notice(reason))
        return
    token = send_to_customer.save_draft(rt, team, user["id"], channel, message)
    draft = send_to_customer.load_draft(rt, team, token) or {}
    client.views_open(trigger_id=trigger, view=build(
        {"team_id": team, "channel_id": channel, "draft": token}, draft, choices))


def send_to_customer_chosen(ack: Ack) -> None:
    """A customer picked in the modal: read when the form is sent."""
    ack()


def send_to_customer_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """The modal sent: the message posted in the chosen thread and stored as a reply, before the ack."""
    rt = runtime_of(context)
    team = (body.get("team") or {}).get("id") or ""
    user = (body.get("user") or {}).get("id") or ""
    meta = submissions.metadata(view)
    if not team or meta.get("team_id") != team:
        log.warning("send-to-customer view %s submitted by team %s carries team %r", view.get("id"), team,
                    meta.get("team_id"))
        ack(response_action="errors", errors={"customer": messages.MODAL_NOT_THIS_TEAM})
        return
    draft = send_to_customer.load_draft(rt, team, meta.get("draft"))
    if draft is None or draft.get("user") != user or draft.get("channel") != meta.get("channel_id"):
        ack(response_action="errors", errors={"customer": messages.FORWARD_GONE})
        return
    values = (view.get("state") or {}).get("values") or {}
    chosen = (((values.get("customer") or {}).get(CHOOSE_ACTION) or {}).get("selected_option") or {})
    thread = send_to_customer.thread_for(rt, team, draft["channel"], chosen.get("value"))
    if thread is None:
        log.warning("send-to-customer view %s of team %s names thread %r, not one of its own", view.get("id"),
                    team, chosen.get("value"))
        ack(response_action="errors", errors={"customer": messages.FORWARD_NOT_A_THREAD})
        return
    reason = send_to_customer.refusal(team, body.get("user") or {}, draft) or \
        (messages.FORWARD_REPLIES_OFF if send_to_customer.replies_off(rt, team) else None)
    if reason:
        ack(response_action="errors", errors={"customer": reason})
        return
    if not send_to_customer.claim_view(rt, team, view.get("id") or ""):
        ack()  # sent by the first click already
        return
    try:
        send_to_customer.forward(rt, team, user, draft, thread)
    except (SlackApiError, SlackRateLimited) as e:
        send_to_customer.release_view(rt, team, view.get("id") or "")
        why = e.response.get("error") if isinstance(e, SlackApiError) else "rate limited"
        ack(response_action="errors", errors={"customer": messages.FORWARD_POST_FAILED.format(
            reason=why or "no answer")})
        return
    except Exception:  # noqa: BLE001 - said in the modal with a reference; nothing went to the customer
        send_to_customer.release_view(rt, team, view.get("id") or "")
        ref = uuid.uuid4().hex[:8]
        log.exception("send-to-customer view %s failed (ref %s)", view.get("id"), ref)
        ack(response_action="errors", errors={"customer": messages.FAILED.format(ref=ref)})
        return
    ack()


def register(app: App) -> None:
    app.shortcut(CALLBACK_ID)(send_to_customer_shortcut)
    app.action(CHOOSE_ACTION)(send_to_customer_chosen)
    app.view(VIEW_CALLBACK_ID)(send_to_customer_submitted)
