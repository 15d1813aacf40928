"""`/meta connect`, `status`, `refresh`, `disconnect`, `whatsapp`."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.commands.context import Ctx, Reply, text
from integrations.meta import whatsapp as meta_whatsapp
from integrations.slack.blocks import actions, button, section
from metaops import messages
from metaops.assets import connections, subscriptions
from metaops.queue import enqueue
from store import workspaces
from store.models import MetaConnection, NotificationRoute, WhatsAppAccount


def connect(ctx: Ctx) -> Reply:
    ctx.require_admin()
    if not ctx.rt.settings.meta_configured:
        return text(messages.CONNECT_NOT_CONFIGURED)
    url = connections.connect_url(ctx.rt, ctx.team_id, ctx.user_id, ctx.channel_id)
    return {"text": messages.CONNECT_PROMPT, "blocks": [
        section(messages.CONNECT_PROMPT),
        actions(button(messages.CONNECT_BUTTON, "meta_connect", url=url, style="primary")),
    ]}


def status(ctx: Ctx) -> Reply:
    with ctx.rt.db.session() as s:
        conn = workspaces.connection_of(s, ctx.team_id)
        if conn is None:
            return text(messages.NOT_CONNECTED)
        lines = [f"*Meta connection:* {conn.status}" + (f" — {conn.status_reason}" if conn.status_reason else "")]
        if conn.status != "active":
            lines.append(messages.CONNECTION_BROKEN.format(status=conn.status))
        lines.append(f"*Connected by:* <@{conn.connected_by}> as {conn.meta_user_name or conn.meta_user_id}, "
                     f"{conn.created_at:%Y-%m-%d}")
        lines.append(f"*Token expires:* {messages.expiry(conn.token_expires_at)}" + _days_left(ctx, conn))
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
        routes = s.scalars(select(NotificationRoute).where(NotificationRoute.team_id == ctx.team_id)).all()
        lines.append("*Notifications:* " + (", ".join(f"{r.kind} → <#{r.channel_id}>" for r in routes) + "; "
                                            if routes else "") + f"everything else → <#{conn.channel_id}>")
        subs = subscriptions.chosen(ctx.rt)
        lines.append("*Webhooks:* " + (", ".join(f"{obj} {sub.state}" for obj, sub in subs.items())
                                       if subs else "not configured yet (`/meta webhook configure`)"))
    return text("\n".join(lines))


def _days_left(ctx: Ctx, conn: MetaConnection) -> str:
    if not conn.token_expires_at:
        return ""
    days = (conn.token_expires_at - ctx.rt.now()) / timedelta(days=1)
    return f" ({int(days)} days left)" if days >= 0 else " (expired)"


def refresh(ctx: Ctx) -> Reply:
    ctx.require_admin()
    return text(messages.REFRESHED.format(expiry=messages.expiry(connections.refresh(ctx.rt, ctx.team_id))))


def disconnect(ctx: Ctx) -> Reply:
    ctx.require_admin()
    done = connections.disconnect(ctx.rt, ctx.team_id)
    enqueue.refresh_home(ctx.rt.queue, ctx.team_id, ctx.user_id)
    return text(messages.DISCONNECTED if done else messages.NOTHING_TO_DISCONNECT)


def whatsapp(ctx: Ctx) -> Reply:
    token = connections.token_of(ctx.rt, ctx.team_id)
    with ctx.rt.db.session() as s:
        accounts = s.scalars(select(WhatsAppAccount).where(WhatsAppAccount.team_id == ctx.team_id)).all()
        rows = [(a.id, a.name, [(p.id, p.display_number, p.verified_name, p.quality_rating)
                                for p in a.phone_numbers]) for a in accounts]
    if not rows:
        return text("No WhatsApp Business Account is connected. Share one with the app, then `/meta connect`.")
    lines = []
    for waba_id, name, phones in rows:
        lines.append(f"*{name}* — WhatsApp Business Account `{waba_id}`")
        for phone_id, number, verified, quality in phones:
            lines.append(f"• {number} — {verified}, quality {quality or 'unknown'} (phone number id `{phone_id}`)")
            profile = meta_whatsapp.business_profile(ctx.rt.graph, token, phone_id)
            details = [profile.get(k) for k in ("about", "description", "address", "email") if profile.get(k)]
            details += profile.get("websites") or []
            if details:
                lines.append("   " + " · ".join(str(d) for d in details))
    return text("\n".join(lines))
