"""`/meta connect`, `status`, `refresh`, `disconnect`, `whatsapp`."""

from __future__ import annotations

import bot.modals.business_token
from bot.commands.context import Ctx, Reply, text
from integrations.slack.blocks import actions, button, section
from metaops import messages, permissions
from metaops.assets import connections
from metaops.queue import enqueue
from metaops.surfaces.status import status_text


def connect(ctx: Ctx) -> Reply:
    """The admin's first step in a workspace: also where the Workflow Builder steps become the admins' to add
    (permissions.sync_step_builders), so they are never open to everyone while the app serves the workspace."""
    ctx.require_admin()
    problem = permissions.sync_step_builders(ctx.rt, ctx.client, ctx.team_id, ctx.app_id)
    if not ctx.rt.settings.meta_configured:
        return text(f"{messages.CONNECT_NOT_CONFIGURED}\n{problem}" if problem else messages.CONNECT_NOT_CONFIGURED)
    link = connections.connect_url(ctx.rt, ctx.team_id, ctx.user_id, ctx.channel_id)
    # An ephemeral answer: the one-time code the start page asks for is seen by this member only.
    blocks = [section(messages.CONNECT_PROMPT),
              actions(button(messages.CONNECT_BUTTON, "meta_connect", url=link.url, style="primary")),
              section(messages.CONNECT_CODE.format(code=link.code))]
    if problem:
        blocks.append(section(problem))
    return {"text": messages.CONNECT_PROMPT, "blocks": blocks}


def status(ctx: Ctx) -> Reply:
    return text(status_text(ctx.rt, ctx.team_id))


def refresh(ctx: Ctx) -> Reply:
    ctx.require_admin()
    kind = connections.kind_of(ctx.rt, ctx.team_id)
    if kind not in (None, "user"):
        return text(messages.TOKEN_NEVER_EXPIRES.format(kind=messages.TOKEN_KINDS.get(kind or "", kind)))
    return text(messages.REFRESHED.format(expiry=messages.expiry(connections.refresh(ctx.rt, ctx.team_id))))


def token(ctx: Ctx) -> Reply:
    """`/meta token`: the modal where an admin pastes a system user's token (it does not expire)."""
    ctx.require_admin()
    if not ctx.rt.settings.meta_configured:
        return text(messages.CONNECT_NOT_CONFIGURED)
    ctx.client.views_open(trigger_id=ctx.trigger_id, view=bot.modals.business_token.build(
        {"team_id": ctx.team_id, "channel_id": ctx.channel_id}))
    return {}


def disconnect(ctx: Ctx) -> Reply:
    ctx.require_admin()
    done = connections.disconnect(ctx.rt, ctx.team_id)
    enqueue.refresh_home(ctx.rt.queue, ctx.team_id, ctx.user_id)
    return text(messages.DISCONNECTED if done else messages.NOTHING_TO_DISCONNECT)


def whatsapp(ctx: Ctx) -> Reply:
    accounts = connections.whatsapp_accounts(ctx.rt, ctx.team_id)
    if not accounts:
        return text("No WhatsApp Business Account is connected. Share one with the app, then `/meta connect`.")
    lines = []
    for account in accounts:
        lines.append(f"*{account.name}* — WhatsApp Business Account `{account.id}`")
        for n in account.numbers:
            lines.append(f"• {n.display_number} — {n.verified_name}, quality {n.quality_rating or 'unknown'} "
                         f"(phone number id `{n.id}`)")
            details = [n.profile.get(k) for k in ("about", "description", "address", "email") if n.profile.get(k)]
            details += n.profile.get("websites") or []
            if details:
                lines.append("   " + " · ".join(str(d) for d in details))
    return text("\n".join(lines))
