"""`/meta history` and `/meta history import NUMBER`: a number's WhatsApp Business app history (admins only: it
shows customers' past chats, and importing posts them into the channel)."""

from __future__ import annotations

from bot.commands.context import Ctx, Reply, text
from metaops import messages
from metaops.surfaces import history


def history_command(ctx: Ctx) -> Reply:
    ctx.require_admin()
    verb = ctx.args[1].lower() if len(ctx.args) > 1 else ""
    if not verb:
        return text(history.summary(ctx.rt, ctx.team_id))
    if verb == "import" and len(ctx.args) > 2:
        return text(history.start(ctx.rt, ctx.team_id, ctx.user_id, " ".join(ctx.args[2:])))
    return text(messages.HISTORY_USAGE)
