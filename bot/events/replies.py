"""Messages in customer threads: stored in the reply outbox, then queued for the worker to send.

Bolt acks events before their listeners run, so the reply is stored in a middleware instead, while the
request is still open: if it cannot be stored (database down), Slack gets a 503 and delivers the event
again. Once stored, Slack gets its 200 even when the send job cannot be queued (Redis down): the periodic
sweep queues it. A Slack retry finds the same row (one per Slack message), and the dedupe key per Slack
message keeps anything from being sent twice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.runtime import runtime_of
from metaops import messages, permissions
from metaops.conversation import notes, replies

log = logging.getLogger(__name__)


def queue_replies(body: dict[str, Any], context: BoltContext,
                  next: Callable[[], BoltResponse]) -> BoltResponse | None:  # noqa: A002 - Bolt's name
    """A middleware: every message event passes here while Slack's request is still open."""
    event = body.get("event") if body.get("type") == "event_callback" else None
    if isinstance(event, dict) and event.get("type") == "message" and event.get("subtype") == "message_deleted":
        replies.deleted(runtime_of(context), body.get("team_id") or "", event)  # a pending reply: never sent
    elif isinstance(event, dict) and event.get("type") == "message" and notes.is_note(event.get("text")):
        notes.mark_note(runtime_of(context), body.get("team_id") or event.get("team", ""), event)  # stays in Slack
    elif isinstance(event, dict) and event.get("type") == "message" and replies.should_send(event):
        rt = runtime_of(context)
        try:
            stored = replies.store_reply(rt, body.get("team_id") or event.get("team", ""), event)
        except Exception as e:  # noqa: BLE001 - Slack retries a 5xx: nothing is lost
            log.warning("reply could not be stored (%s); asking Slack to retry", type(e).__name__)
            return BoltResponse(status=503, body="")
        if stored is not None and stored[1] == replies.PENDING:
            try:
                replies.queue_send(rt, stored[0])
            except Exception as e:  # noqa: BLE001 - stored: the periodic sweep queues it
                log.warning("stored reply %d could not be queued (%s); the sweep will", stored[0],
                            type(e).__name__)
    return next()


def thread_message() -> None:
    """Message events: handled by queue_replies above; every other message needs nothing."""


def send_again_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """"Send again" under a reply whose outcome was unknown: the author or an admin of the signed request's
    workspace; the row is moved back to pending once, so a double click sends once."""
    ack()
    rt = runtime_of(context)
    team_id = (body.get("team") or {}).get("id") or ""
    user_id = (body.get("user") or {}).get("id") or ""
    action: dict[str, Any] = next(iter(body.get("actions") or []), {})
    if replies.guest_pressed(team_id, body.get("user")):  # a Slack Connect guest sends nothing to a customer
        refusal: str | None = messages.BUTTON_GUEST
    else:
        refusal = replies.send_again(rt, team_id, user_id, str(action.get("value") or ""),
                                     partial(permissions.may_change, rt, client, team_id, user_id))
    channel = (body.get("channel") or {}).get("id")
    if refusal and channel:
        thread_ts = (body.get("message") or {}).get("thread_ts")
        client.chat_postEphemeral(channel=channel, user=user_id, text=refusal, thread_ts=thread_ts)


def register(app: App) -> None:
    app.middleware(queue_replies)
    app.event("message")(thread_message)
    app.action(replies.SEND_AGAIN_ACTION)(send_again_clicked)
