"""Take over and Give back at a customer thread's root, where Meta's AI agent shares the conversation: anyone who
may reply in the thread may press them (a Slack Connect guest may not, as their replies are not sent); the
conversation moves at Meta (metaops.conversation.takeover), and a refusal is told to the member who pressed."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.runtime import runtime_of
from metaops import messages
from metaops.conversation import holder, replies, takeover


def take_over_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Take over: the team answers the customer from now on."""
    _pressed(ack, body, client, context)


def give_back_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Give back: Meta's AI agent answers the customer's next message."""
    _pressed(ack, body, client, context)


def _pressed(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    team_id = (body.get("team") or {}).get("id") or ""
    user_id = (body.get("user") or {}).get("id") or ""
    action: dict[str, Any] = next(iter(body.get("actions") or []), {})
    if replies.guest_pressed(team_id, body.get("user")):
        refusal: str | None = messages.BUTTON_GUEST
    else:
        refusal = takeover.press(runtime_of(context), team_id, user_id, str(action.get("action_id") or ""),
                                 str(action.get("value") or ""))
    channel = (body.get("channel") or {}).get("id")
    if refusal and channel:
        thread_ts = (body.get("message") or {}).get("thread_ts") or (body.get("message") or {}).get("ts")
        client.chat_postEphemeral(channel=channel, user=user_id, text=refusal, thread_ts=thread_ts)


def register(app: App) -> None:
    app.action(holder.TAKE_OVER)(take_over_clicked)
    app.action(holder.GIVE_BACK)(give_back_clicked)
