"""`/meta send [+PHONE | BSUID]`: the send-template modal, for a new conversation (admins)."""

from __future__ import annotations

from typing import Any

from bot.commands.context import Ctx, Reply, text
from bot.modals.send_template import open_modal
from metaops.exceptions import Refusal
from metaops.templates import recipients


def send(ctx: Ctx) -> Reply:
    ctx.require_admin()
    typed = " ".join(ctx.args[1:]).strip()
    target = None
    address: dict[str, Any] = {}
    if typed:
        try:
            phone, bsuid = recipients.parse_recipient(typed)
        except Refusal as e:
            return text(e.text)
        target = recipients.target_for_address(ctx.rt, ctx.team_id, phone, bsuid)
        address = {"phone": phone} if phone else {"bsuid": bsuid}
    open_modal(ctx.rt, ctx.client, ctx.trigger_id, ctx.team_id, ctx.channel_id, target, address)
    return {}
