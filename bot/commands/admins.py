"""`/meta admins`, `admins add @user`, `admins remove @user`."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.commands.context import Ctx, Reply, text
from metaops import messages
from store import workspaces
from store.models import WorkspaceAdmin

MENTION = re.compile(r"^<@([UW][A-Z0-9_]+)(?:\|[^>]*)?>$")


def admins(ctx: Ctx) -> Reply:
    verb = ctx.args[1].lower() if len(ctx.args) > 1 else "list"
    if verb == "list":
        with ctx.rt.db.session() as s:
            users = s.scalars(select(WorkspaceAdmin.user_id).where(WorkspaceAdmin.team_id == ctx.team_id)).all()
        return text(messages.ADMINS_LIST.format(users=", ".join(f"<@{u}>" for u in users)) if users
                    else messages.ADMINS_NONE)
    match = MENTION.match(ctx.args[2]) if len(ctx.args) > 2 and verb in ("add", "remove") else None
    if not match:
        return text(messages.ADMIN_USAGE)
    ctx.require_admin()
    user = match.group(1)
    with ctx.rt.db.session() as s:
        workspaces.ensure_workspace(s, ctx.team_id)
        existing = s.get(WorkspaceAdmin, (ctx.team_id, user))
        if verb == "add" and existing is None:
            s.add(WorkspaceAdmin(team_id=ctx.team_id, user_id=user, added_by=ctx.user_id))
        elif verb == "remove" and existing is not None:
            s.delete(existing)
    return text((messages.ADMIN_ADDED if verb == "add" else messages.ADMIN_REMOVED).format(user=user))
