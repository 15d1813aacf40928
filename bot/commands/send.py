"""`/meta send [+PHONE | BSUID]`: the send-template modal, for a new conversation (admins)."""

from __future__ import annotations

from typing import Any

from bot.commands.context import Ctx, Reply, text
from bot.modals.send_template import open_modal
from metaops.templates import send_template
from metaops.templates.send_template import Refusal


def send(ctx: Ctx) -> Reply:
    ctx.require_admin()
    typed = " ".join(ctx.args[1:]).strip()
    target = None
    address: dict[str, Any] = {}
    if typed:
        try:
            phone, bsuid = send_template.parse_recipient(typed)
        except Refusal as e:
            return text(e.text)
        target = send_template.target_for_address(ctx.rt, ctx.team_id, phone, bsuid)
        address = {"phone": phone} if phone else {"bsuid": bsuid}
    open_modal(ctx.rt, ctx.client, ctx.trigger_id, ctx.team_id, ctx.channel_id, target, address)
    return {}
