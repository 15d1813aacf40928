"""`/meta campaign`: the campaign modal (admins)."""

from __future__ import annotations

from bot.commands.context import Ctx, Reply
from metaops.campaigns.choices import choices
from metaops.campaigns.form import form


def campaign(ctx: Ctx) -> Reply:
    ctx.require_admin()
    numbers, templates = choices(ctx.rt, ctx.team_id)
    meta = {"team_id": ctx.team_id, "channel_id": ctx.channel_id}
    ctx.client.views_open(trigger_id=ctx.trigger_id, view=form(meta, numbers, templates))
    return {}
