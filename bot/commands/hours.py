"""`/meta hours`: each number, Page and Instagram account with its away settings and an Edit button that opens
its modal (bot.modals.hours). Admins only: the list, the button and the modal's submission each check."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

import bot.modals.hours
from bot.commands.context import Ctx, Reply, text
from bot.runtime import runtime_of
from integrations.slack.blocks import button, section
from integrations.slack.mrkdwn import escape
from metaops import defaults, messages, permissions
from metaops.away import config, fallback, schedule

EDIT_ACTION = "hours_edit"  # the button's value is the asset's id


def hours(ctx: Ctx) -> Reply:
    ctx.require_admin()
    found = config.assets(ctx.rt, ctx.team_id)
    if not found:
        return text(messages.HOURS_NONE)
    stored = config.settings_of(ctx.rt, ctx.team_id)
    lines = [_row(a, stored.get(a.id)) for a in found]
    blocks = [section(messages.HOURS_TITLE)] + [
        section(line, accessory=button(messages.HOURS_EDIT, EDIT_ACTION, value=a.id)) for a, line in
        zip(found, lines, strict=True)][:defaults.HOURS_ROWS_SHOWN]
    return {"text": "\n".join([messages.HOURS_TITLE, *lines]), "blocks": blocks}


def _row(a: config.Asset, s: config.Setting | None) -> str:
    platform = config.PLATFORM_NAMES[a.platform]
    if s is None or not s.enabled:
        return messages.HOURS_ROW_OFF.format(name=escape(a.name), platform=platform)
    holidays = messages.HOURS_ROW_HOLIDAYS.format(count=len(s.hours.holidays)) if s.hours.holidays else ""
    return messages.HOURS_ROW_ON.format(name=escape(a.name), platform=platform, tz=s.hours.tz,
                                        week=schedule.describe(s.hours), holidays=holidays)


def hours_edit_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Edit on a row of `/meta hours`: the modal of that number or Page, for an admin of the signed request's
    workspace and one of its own assets."""
    ack()
    rt = runtime_of(context)
    team_id = (body.get("team") or {}).get("id") or ""
    user_id = (body.get("user") or {}).get("id") or ""
    action: dict[str, Any] = next(iter(body.get("actions") or []), {})
    channel = (body.get("channel") or {}).get("id") or ""
    refusal = None if permissions.may_change(rt, client, team_id, user_id) else messages.NOT_ALLOWED
    found = config.asset(rt, team_id, str(action.get("value") or "")) if refusal is None else None
    if refusal is None and found is None:
        refusal = messages.HOURS_GONE
    if refusal or found is None:
        if channel:
            client.chat_postEphemeral(channel=channel, user=user_id, text=refusal or messages.HOURS_GONE)
        return
    templates = [(t.id, f"{t.name} ({t.language})") for t in fallback.choices(rt, team_id, found.id)] \
        if found.platform == "whatsapp" else []
    client.views_open(trigger_id=body.get("trigger_id", ""), view=bot.modals.hours.build(
        found, config.setting(rt.db.engine, team_id, found.id), _zone_of(client, user_id), templates,
        {"team_id": team_id, "channel_id": channel, "business_id": found.id}))


def _zone_of(client: WebClient, user_id: str) -> str:
    """The time zone a new setting starts in: the admin's own in Slack (users.info `tz`: Slack's team.info has
    none), else UTC."""
    try:
        return str(client.users_info(user=user_id)["user"].get("tz") or "UTC")
    except Exception:  # noqa: BLE001 - a default the admin sees and may change
        return "UTC"


def register(app: App) -> None:
    app.action(EDIT_ACTION)(hours_edit_clicked)
