"""`/meta`: one entry point; the first word picks the subcommand. Quick ones answer in the ack; slow ones
(they call Meta) ack at once with "working on it" and answer through response_url."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.commands import admins, connection, metrics, pages, routes, send, templates, webhook
from bot.commands.context import Ctx, Handler, run, text
from bot.modals import send_template
from metaops import messages
from metaops.runtime import Runtime

# word -> (handler, slow)
COMMANDS: dict[str, tuple[Handler, bool]] = {
    "connect": (connection.connect, False),
    "status": (connection.status, False),
    "refresh": (connection.refresh, True),
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
    "webhook": (webhook.webhook, False),
    "pages": (pages.list_pages, True),
    "page": (pages.page, True),
    "posts": (pages.list_posts, True),
    "post": (pages.post, False),
    "instagram": (pages.instagram, True),
    "media": (pages.list_media, True),
}


def register(app: App, rt: Runtime) -> None:
    def ack_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        ctx = _ctx(rt, command, client)
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

    def answer_later(command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ctx = _ctx(rt, command, client)
        word = ctx.args[0].lower() if ctx.args else ""
        if word in COMMANDS and COMMANDS[word][1]:
            respond(response_type="ephemeral", replace_original=True, **run(COMMANDS[word][0], ctx))

    app.command("/meta")(ack=ack_command, lazy=[answer_later])
    app.action("meta_connect")(lambda ack: ack())  # a link button: Slack still sends the click
    templates.register(app, rt)
    webhook.register(app, rt)
    pages.register(app, rt)
    send_template.register(app, rt)


def _ctx(rt: Runtime, command: dict[str, Any], client: WebClient) -> Ctx:
    return Ctx(rt=rt, client=client, team_id=command.get("team_id", ""), user_id=command.get("user_id", ""),
               channel_id=command.get("channel_id", ""), args=(command.get("text") or "").split(),
               trigger_id=command.get("trigger_id", ""))
