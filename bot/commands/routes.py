"""`/meta route KIND CHANNEL`, `/meta routes`, `/meta replies on|off` and `/meta signature on|off`."""

from __future__ import annotations

import re

from slack_sdk.errors import SlackApiError

from bot.commands.context import Ctx, Reply, text
from metaops import messages
from metaops.conversation import preferences, router
from metaops.queue import enqueue

CHANNEL_MENTION = re.compile(r"^<#([CG][A-Z0-9_]+)(?:\|([^>]*))?>$")


def route(ctx: Ctx) -> Reply:
    if len(ctx.args) != 3 or ctx.args[1].lower() not in router.KINDS:
        return text(messages.ROUTE_USAGE.format(kinds=", ".join(router.KINDS)))
    ctx.require_admin()
    kind = ctx.args[1].lower()
    channel_id = _channel_id(ctx, ctx.args[2])
    if channel_id is None:
        return text(messages.ROUTE_NO_CHANNEL.format(channel=ctx.args[2]))
    note = _join(ctx, channel_id)
    router.set_route(ctx.rt, ctx.team_id, kind, channel_id)
    enqueue.refresh_home(ctx.rt.queue, ctx.team_id, ctx.user_id)
    return text(messages.ROUTE_SET.format(kind=kind, channel=channel_id) + (f"\n{note}" if note else ""))


def routes(ctx: Ctx) -> Reply:
    lines = []
    for kind, channel in router.routes(ctx.rt, ctx.team_id):
        lines.append(f"• `{kind}` → " + (f"<#{channel}>" if channel else "nowhere yet (run `/meta connect`)"))
    return text("*Where notifications go*\n" + "\n".join(lines))


def replies_switch(ctx: Ctx) -> Reply:
    if len(ctx.args) != 2 or ctx.args[1].lower() not in ("on", "off"):
        return text(messages.REPLIES_USAGE)
    ctx.require_admin()
    preferences.set_replies(ctx.rt, ctx.team_id, ctx.args[1].lower() == "on")
    return text(messages.REPLIES_ON if ctx.args[1].lower() == "on" else messages.REPLIES_SET_OFF)


def signature_switch(ctx: Ctx) -> Reply:
    """`/meta signature on|off`: whether replies to customers start with the writer's Slack display name."""
    if len(ctx.args) != 2 or ctx.args[1].lower() not in ("on", "off"):
        return text(messages.SIGNATURE_USAGE)
    ctx.require_admin()
    preferences.set_signature(ctx.rt, ctx.team_id, ctx.args[1].lower() == "on")
    return text(messages.SIGNATURE_ON if ctx.args[1].lower() == "on" else messages.SIGNATURE_OFF)


def _channel_id(ctx: Ctx, raw: str) -> str | None:
    m = CHANNEL_MENTION.match(raw)
    if m:
        return m.group(1)
    name = raw.lstrip("#").lower()
    cursor = None
    while True:
        try:
            page = ctx.client.conversations_list(types="public_channel,private_channel", exclude_archived=True,
                                                 limit=200, cursor=cursor)
        except SlackApiError:
            return None
        for c in page.get("channels") or []:
            if c.get("name") == name:
                return c["id"]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None


def _join(ctx: Ctx, channel_id: str) -> str:
    """Join a public channel; a private one needs an invitation, said to the user."""
    try:
        info = ctx.client.conversations_info(channel=channel_id)["channel"]
        if info.get("is_member"):
            return ""
        if info.get("is_private"):
            return messages.ROUTE_INVITE.format(channel=channel_id)
        ctx.client.conversations_join(channel=channel_id)
        return ""
    except SlackApiError as e:
        if e.response.get("error") in ("channel_not_found", "method_not_supported_for_channel_type"):
            return messages.ROUTE_INVITE.format(channel=channel_id)
        return messages.ROUTE_JOIN_FAILED.format(channel=channel_id, error=e.response.get("error"))
