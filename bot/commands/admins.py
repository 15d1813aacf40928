"""`/meta admins`, `admins add @user`, `admins remove @user`."""

from __future__ import annotations

import re

from bot.commands.context import Ctx, Reply, text
from metaops import messages, permissions

MENTION = re.compile(r"^<@([UW][A-Z0-9_]+)(?:\|[^>]*)?>$")


def admins(ctx: Ctx) -> Reply:
    verb = ctx.args[1].lower() if len(ctx.args) > 1 else "list"
    if verb == "list":
        users = permissions.named_admins(ctx.rt, ctx.team_id)
        return text(messages.ADMINS_LIST.format(users=", ".join(f"<@{u}>" for u in users)) if users
                    else messages.ADMINS_NONE)
    match = MENTION.match(ctx.args[2]) if len(ctx.args) > 2 and verb in ("add", "remove") else None
    if not match:
        return text(messages.ADMIN_USAGE)
    ctx.require_admin()
    user = match.group(1)
    permissions.set_admin(ctx.rt, ctx.team_id, user, named=verb == "add", by=ctx.user_id)
    said = (messages.ADMIN_ADDED if verb == "add" else messages.ADMIN_REMOVED).format(user=user)
    problem = permissions.sync_step_builders(ctx.rt, ctx.client, ctx.team_id, ctx.app_id)
    return text(f"{said}\n{problem}" if problem else said)
