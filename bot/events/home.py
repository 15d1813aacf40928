"""The Home tab: published when a user opens it (`app_home_opened`), and its admin buttons, which open what
`/meta connect`, `/meta webhook configure` and `/meta template new` open."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.commands import templates, webhook
from bot.commands.context import Ctx, Handler, Reply, run
from bot.modals import submission
from bot.runtime import runtime_of
from integrations.slack.blocks import actions, button, conversations_select, input_block, modal, section
from metaops import messages
from metaops.assets import connections
from metaops.runtime import Runtime
from metaops.surfaces import home

log = logging.getLogger(__name__)
CONNECT_MODAL = "home_connect_modal"
NOTICE = "home_notice"


def home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """`app_home_opened`: the Home tab, published afresh."""
    if event.get("tab", "home") != "home" or not event.get("user"):
        return  # the Messages tab
    try:
        home.publish(runtime_of(context), body.get("team_id") or "", event["user"], client)
    except Exception:  # noqa: BLE001 - the tab keeps what it showed; the next opening tries again
        log.exception("Home tab not published for %s", event["user"])


def home_connect_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Connect on the Home tab: what `/meta connect` does, with a channel picked first (connect_picker)."""
    _pressed(connect_picker, ["connect"], ack, body, client, context)


def home_webhook_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Webhooks on the Home tab: `/meta webhook configure`."""
    _pressed(webhook.configure, ["webhook", "configure"], ack, body, client, context)


def home_template_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """New template on the Home tab: `/meta template new`."""
    _pressed(templates.template, ["template", "new"], ack, body, client, context)


def _pressed(handler: Handler, args: list[str], ack: Ack, body: dict[str, Any], client: WebClient,
             context: BoltContext) -> None:
    ack()
    ctx = _button_ctx(runtime_of(context), body, client, args)
    reply = run(handler, ctx)
    if reply.get("text"):  # refused or failed: said in a small modal (the Home tab has no thread)
        client.views_open(trigger_id=ctx.trigger_id, view=modal(
            messages.HOME_NOTICE_TITLE, NOTICE, [section(reply["text"])], close="Close"))


def _button_ctx(rt: Runtime, body: dict[str, Any], client: WebClient, args: list[str]) -> Ctx:
    team = (body.get("team") or {}).get("id") or ""
    # outcomes posted later go where /meta connect was run (Home has no channel)
    channel = connections.connect_channel(rt, team) or ""
    return Ctx(rt=rt, client=client, team_id=team, user_id=(body.get("user") or {}).get("id") or "",
               channel_id=channel, args=args, trigger_id=body.get("trigger_id") or "")


def home_connect_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                           context: BoltContext) -> None:
    """The channel is chosen: the modal becomes `/meta connect`'s button, with a state for that channel."""
    rt = runtime_of(context)
    if submission.refused(rt, ack, body, view, client, "channel"):
        return
    state = ((view.get("state") or {}).get("values") or {}).get("channel", {}).get("value") or {}
    channel = state.get("selected_conversation")
    if not isinstance(channel, str) or not channel:
        ack(response_action="errors", errors={"channel": messages.HOME_CONNECT_CHANNEL})
        return
    link = connections.connect_url(rt, body["team"]["id"], body["user"]["id"], channel)
    ack(response_action="update", view=modal(messages.HOME_CONNECT_TITLE, NOTICE, [  # this member's modal only
        section(messages.CONNECT_PROMPT),
        actions(button(messages.CONNECT_BUTTON, "meta_connect", url=link.url, style="primary")),
        section(messages.CONNECT_CODE.format(code=link.code))], close="Close"))


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


def register(app: App) -> None:
    app.event("app_home_opened")(home_opened)
    app.action(home.CONNECT_ACTION)(home_connect_clicked)
    app.action(home.WEBHOOK_ACTION)(home_webhook_clicked)
    app.action(home.TEMPLATE_ACTION)(home_template_clicked)
    app.view(CONNECT_MODAL)(home_connect_submitted)
