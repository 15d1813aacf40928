"""The Home tab: published when a user opens it (`app_home_opened`), and its admin buttons, which open what
`/meta connect`, `/meta webhook configure` and `/meta template new` open."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.commands import templates, webhook
from bot.commands.context import Ctx, Handler, Reply, run
from bot.modals import submission
from integrations.slack.blocks import actions, button, conversations_select, input_block, modal, section
from metaops import connections, home, messages
from metaops.runtime import Runtime

log = logging.getLogger(__name__)
CONNECT_MODAL = "home_connect_modal"
NOTICE = "home_notice"


def register(app: App, rt: Runtime) -> None:
    @app.event("app_home_opened")
    def opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return  # the Messages tab
        try:
            home.publish(rt, body.get("team_id") or "", event["user"], client)
        except Exception:  # noqa: BLE001 - the tab keeps what it showed; the next opening tries again
            log.exception("Home tab not published for %s", event["user"])

    def button_ctx(body: dict[str, Any], client: WebClient, args: list[str]) -> Ctx:
        team = (body.get("team") or {}).get("id") or ""
        # outcomes posted later go where /meta connect was run (Home has no channel)
        channel = connections.connect_channel(rt, team) or ""
        return Ctx(rt=rt, client=client, team_id=team, user_id=(body.get("user") or {}).get("id") or "",
                   channel_id=channel, args=args, trigger_id=body.get("trigger_id") or "")

    def pressed(handler: Handler, args: list[str]) -> Any:
        def listener(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            ctx = button_ctx(body, client, args)
            reply = run(handler, ctx)
            if reply.get("text"):  # refused or failed: said in a small modal (the Home tab has no thread)
                client.views_open(trigger_id=ctx.trigger_id, view=modal(
                    messages.HOME_NOTICE_TITLE, NOTICE, [section(reply["text"])], close="Close"))
        return listener

    app.action(home.CONNECT_ACTION)(pressed(connect_picker, ["connect"]))
    app.action(home.WEBHOOK_ACTION)(pressed(webhook.configure, ["webhook", "configure"]))
    app.action(home.TEMPLATE_ACTION)(pressed(templates.template, ["template", "new"]))

    @app.view(CONNECT_MODAL)
    def connect_chosen(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        """The channel is chosen: the modal becomes `/meta connect`'s button, with a state for that channel."""
        refused = submission.refusal(rt, body, view, client)
        if refused:
            ack(response_action="errors", errors={"channel": refused})
            return
        state = ((view.get("state") or {}).get("values") or {}).get("channel", {}).get("value") or {}
        channel = state.get("selected_conversation")
        if not isinstance(channel, str) or not channel:
            ack(response_action="errors", errors={"channel": messages.HOME_CONNECT_CHANNEL})
            return
        url = connections.connect_url(rt, body["team"]["id"], body["user"]["id"], channel)
        ack(response_action="update", view=modal(messages.HOME_CONNECT_TITLE, NOTICE, [
            section(messages.CONNECT_PROMPT),
            actions(button(messages.CONNECT_BUTTON, "meta_connect", url=url, style="primary"))], close="Close"))


def connect_picker(ctx: Ctx) -> Reply:
    """The Home tab's Connect: admins pick the channel for notifications (what `/meta connect` takes from the
    channel it runs in), then get the same button."""
    ctx.require_admin()
    if not ctx.rt.settings.meta_configured:
        return {"text": messages.CONNECT_NOT_CONFIGURED}
    ctx.client.views_open(trigger_id=ctx.trigger_id, view=modal(
        messages.HOME_CONNECT_TITLE, CONNECT_MODAL,
        [input_block(messages.HOME_CONNECT_CHANNEL, "channel", conversations_select("value", ctx.channel_id or None),
                     hint=messages.HOME_CONNECT_CHANNEL_HINT)],
        submit=messages.HOME_CONNECT_CONTINUE, close="Cancel",
        private_metadata=json.dumps({"team_id": ctx.team_id})))
    return {}
