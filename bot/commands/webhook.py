"""`/meta webhook` (the configuration) and `/meta webhook configure` (the modal that subscribes)."""

from __future__ import annotations

import bot.modals.webhook
from bot.commands.context import Ctx, Reply, text
from metaops import messages
from metaops.assets import subscriptions


def webhook(ctx: Ctx) -> Reply:
    if len(ctx.args) > 1 and ctx.args[1].lower() == "configure":
        return configure(ctx)
    rt = ctx.rt
    token = subscriptions.verify_token(rt)
    if token and subscriptions.may_change_app(rt, ctx.client, ctx.team_id, ctx.user_id):
        shown = f"`{token}`"
    elif token:
        shown = messages.WEBHOOK_TOKEN_MASKED.format(start=token[:4], end=token[-2:]) if len(token) > 8 else "`****`"
    else:
        shown = "not set yet (`/meta webhook configure` makes one)"
    subs = subscriptions.chosen(rt)
    lines = [f"*Callback URL:* `{rt.settings.PUBLIC_URL}/meta/webhook`", f"*Verify token:* {shown}"]
    for obj, (label, _) in subscriptions.OBJECTS.items():
        sub = subs.get(obj)
        if sub is None:
            lines.append(f"*{label}:* not subscribed")
        else:
            lines.append(f"*{label}:* {sub.state} — {', '.join(sub.fields) or 'no fields'}"
                         + (f" ({sub.detail})" if sub.detail else ""))
    for obj, fields in subscriptions.lacking(subs).items():
        lines.append(messages.WEBHOOK_LACKING.format(label=subscriptions.OBJECTS[obj][0],
                                                     fields=subscriptions.described(obj, fields)))
    return text("\n".join(lines))


def configure(ctx: Ctx) -> Reply:
    ctx.require_admin()
    rt = ctx.rt
    ctx.client.views_open(trigger_id=ctx.trigger_id, view=bot.modals.webhook.build(
        subscriptions.chosen(rt), {"team_id": ctx.team_id, "channel_id": ctx.channel_id},
        operator=subscriptions.is_operator(rt, ctx.team_id), operator_named=subscriptions.operator_named(rt),
        app_id=rt.settings.META_APP_ID))
    return {}

