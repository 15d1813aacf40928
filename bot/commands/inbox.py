"""`/meta inbox`: the conversations the member holds and the unclaimed ones waiting longest (ephemeral, any
channel; the same as the Home tab's Inbox)."""

from __future__ import annotations

from bot.commands.context import Ctx, Reply
from integrations.slack.blocks import section
from metaops import inbox_messages as texts
from metaops.surfaces import inbox


def inbox_command(ctx: Ctx) -> Reply:
    q = inbox.gather(ctx.rt, ctx.team_id, ctx.user_id, ctx.client)
    return {"text": inbox.text(q), "blocks": [section(texts.INBOX_TITLE), *inbox.blocks(q)]}
