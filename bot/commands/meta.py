"""`/meta`: one entry point; the first word picks the subcommand. Quick ones answer in the ack; slow ones
(they call Meta) ack at once with "working on it" and answer through response_url."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.commands import (
    admins,
    campaign,
    connection,
    cost,
    history,
    hours,
    inbox,
    metrics,
    pages,
    routes,
    saved,
    send,
    templates,
    webhook,
)
from bot.commands.context import Ctx, Handler, run, text
from bot.runtime import runtime_of
from metaops import messages
from metaops.runtime import Runtime

# word -> (handler, slow)
COMMANDS: dict[str, tuple[Handler, bool]] = {
    "connect": (connection.connect, False),
    "status": (connection.status, False),
    "refresh": (connection.refresh, True),
    "token": (connection.token, False),
    "disconnect": (connection.disconnect, False),
    "whatsapp": (connection.whatsapp, True),
    "admins": (admins.admins, False),
    "templates": (templates.list_templates, True),
    "template": (templates.template, False),
    "send": (send.send, False),
    "metrics": (metrics.metrics_command, True),
    "route": (routes.route, False),
    "routes": (routes.routes, False),
    "replies": (routes.replies_switch, False),
    "signature": (routes.signature_switch, False),
    "saved": (saved.saved, False),
    "hours": (hours.hours, False),
    "campaign": (campaign.campaign, False),
    "cost": (cost.cost_command, True),
    "webhook": (webhook.webhook, False),
    "pages": (pages.list_pages, True),
    "page": (pages.page, True),
    "posts": (pages.list_posts, True),
    "post": (pages.post, False),
    "instagram": (pages.instagram, True),
    "media": (pages.list_media, True),
    "history": (history.history_command, False),
    "inbox": (inbox.inbox_command, True),
}


def meta_command(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """`/meta …`: a quick subcommand answers in the ack; a slow one acks with "working on it", and
    meta_command_later answers."""
    ctx = _ctx(runtime_of(context), command, client)
    word = ctx.args[0].lower() if ctx.args else "help"
    if word in COMMANDS:
        handler, slow = COMMANDS[word]
        reply = text(messages.WORKING) if slow else run(handler, ctx)
    elif word == "help":
        reply = text(messages.HELP)
    else:
        reply = text(messages.UNKNOWN.format(word=word.replace("`", "")[:40]))
    if reply:
        ack(response_type="ephemeral", **reply)
    else:
        ack()  # a modal was opened


def meta_command_later(command: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
    """The answer of a slow `/meta` subcommand, through response_url, after the ack (Bolt's lazy listener)."""
    ctx = _ctx(runtime_of(context), command, client)
    word = ctx.args[0].lower() if ctx.args else ""
    if word in COMMANDS and COMMANDS[word][1]:
        respond(response_type="ephemeral", replace_original=True, **run(COMMANDS[word][0], ctx))


def meta_connect_clicked(ack: Ack) -> None:
    """`/meta connect`'s button is a link: Slack still sends the click."""
    ack()


def register(app: App) -> None:
    app.command("/meta")(ack=meta_command, lazy=[meta_command_later])
    app.action("meta_connect")(meta_connect_clicked)


def _ctx(rt: Runtime, command: dict[str, Any], client: WebClient) -> Ctx:
    return Ctx(rt=rt, client=client, team_id=command.get("team_id", ""), user_id=command.get("user_id", ""),
               channel_id=command.get("channel_id", ""), args=(command.get("text") or "").split(),
               trigger_id=command.get("trigger_id", ""), app_id=command.get("api_app_id", ""))
