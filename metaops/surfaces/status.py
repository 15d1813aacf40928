"""`/meta status`: the workspace's Meta connection, its assets, where notifications go and the webhooks' state."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from metaops import messages
from metaops.assets import subscriptions
from metaops.runtime import Runtime
from store import workspaces
from store.models import MetaConnection, NotificationRoute


def status_text(rt: Runtime, team_id: str) -> str:
    """`/meta status`: connected or not, who connected, token expiry, granted permissions, the connected WhatsApp,
    Facebook and Instagram assets, where notifications go, the webhooks' state."""
    with rt.db.session() as s:
        conn = workspaces.connection_of(s, team_id)
        if conn is None:
            return messages.NOT_CONNECTED
        lines = [f"*Meta connection:* {conn.status}" + (f" — {conn.status_reason}" if conn.status_reason else "")]
        if conn.status != "active":
            lines.append(messages.CONNECTION_BROKEN.format(status=conn.status))
        lines.append(f"*Connected by:* <@{conn.connected_by}> as {conn.meta_user_name or conn.meta_user_id}, "
                     f"{conn.created_at:%Y-%m-%d}")
        lines.append("*Token:* " + messages.TOKEN_KINDS.get(conn.token_kind, conn.token_kind))
        lines.append(f"*Token expires:* {messages.expiry(conn.token_expires_at)}" + _days_left(rt, conn))
        lines.append("*Permissions:* " + (", ".join(sorted(conn.permissions)) or "none"))
        for w in conn.whatsapp_accounts:
            numbers = ", ".join(f"{p.display_number} ({p.verified_name}, quality {p.quality_rating or '?'})"
                                for p in w.phone_numbers) or "no numbers"
            lines.append(f"*WhatsApp:* {w.name} (`{w.id}`) — {numbers}")
        for p in conn.pages:
            ig = ", ".join(f"@{a.username}" + (" (connected)" if a.connected else "") for a in p.instagram_accounts)
            lines.append(f"*Page:* {p.name} (`{p.id}`) — {'connected' if p.connected else 'not connected'}"
                         + (f"; Instagram {ig}" if ig else ""))
        if not conn.whatsapp_accounts and not conn.pages:
            lines.append("No WhatsApp Business Account or Page was shared with the app.")
        routes = s.scalars(select(NotificationRoute).where(NotificationRoute.team_id == team_id)).all()
        lines.append("*Notifications:* " + (", ".join(f"{r.kind} → <#{r.channel_id}>" for r in routes) + "; "
                                            if routes else "") + f"everything else → <#{conn.channel_id}>")
        subs = subscriptions.chosen(rt)
        lines.append("*Webhooks:* " + (", ".join(f"{obj} {sub.state}" for obj, sub in subs.items())
                                       if subs else "not configured yet (`/meta webhook configure`)"))
    return "\n".join(lines)


def _days_left(rt: Runtime, conn: MetaConnection) -> str:
    if not conn.token_expires_at:
        return ""
    days = (conn.token_expires_at - rt.now()) / timedelta(days=1)
    return f" ({int(days)} days left)" if days >= 0 else " (expired)"
