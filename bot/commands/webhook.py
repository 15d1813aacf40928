"""`/meta webhook` (the configuration) and `/meta webhook configure` (the modal that subscribes)."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import permissions
from bot.commands.context import Ctx, Reply, run, text
from metaops import messages, subscriptions
from metaops.runtime import Runtime

CALLBACK_ID = "webhook_modal"
log = logging.getLogger(__name__)


def webhook(ctx: Ctx) -> Reply:
    if len(ctx.args) > 1 and ctx.args[1].lower() == "configure":
        return configure(ctx)
    rt = ctx.rt
    token = subscriptions.verify_token(rt)
    if token and len(token) > 8:
        admin = permissions.may_change(rt, ctx.client, ctx.team_id, ctx.user_id)
        shown = f"`{token}`" if admin else f"`{token[:4]}…{token[-2:]}` (admins see it whole)"
    else:
        shown = "not set yet (`/meta webhook configure` makes one)" if not token else "`****`"
    subs = subscriptions.chosen(rt)
    lines = [f"*Callback URL:* `{rt.settings.PUBLIC_URL}/meta/webhook`", f"*Verify token:* {shown}"]
    for obj, (label, _) in subscriptions.OBJECTS.items():
        sub = subs.get(obj)
        if sub is None:
            lines.append(f"*{label}:* not subscribed")
        else:
            lines.append(f"*{label}:* {sub.state} — {', '.join(sub.fields) or 'no fields'}"
                         + (f" ({sub.detail})" if sub.detail else ""))
    return text("\n".join(lines))


def configure(ctx: Ctx) -> Reply:
    ctx.require_admin()
    subs = subscriptions.chosen(ctx.rt)
    blocks = []
    for obj, (label, fields) in subscriptions.OBJECTS.items():
        current = set(subs[obj].fields) if obj in subs else set(fields)
        options = [{"text": {"type": "plain_text", "text": f}, "value": f} for f in fields]
        element: dict[str, Any] = {"type": "checkboxes", "action_id": "value", "options": options}
        initial = [o for o in options if o["value"] in current]
        if initial:
            element["initial_options"] = initial
        blocks.append({"type": "input", "block_id": obj, "optional": True, "element": element,
                       "label": {"type": "plain_text", "text": label}})
    ctx.client.views_open(trigger_id=ctx.trigger_id, view={
        "type": "modal", "callback_id": CALLBACK_ID, "title": {"type": "plain_text", "text": "Webhooks"},
        "submit": {"type": "plain_text", "text": "Subscribe"}, "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"team_id": ctx.team_id, "channel_id": ctx.channel_id}), "blocks": blocks})
    return {}


def register(app: App, rt: Runtime) -> None:
    @app.view(CALLBACK_ID)
    def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        ack()  # subscribing calls Meta several times: the outcome is posted, step by step
        meta = json.loads(view.get("private_metadata") or "{}")
        values = view["state"]["values"]
        chosen = {obj: [o["value"] for o in (values.get(obj, {}).get("value", {}).get("selected_options") or [])]
                  for obj in subscriptions.OBJECTS}
        ctx = Ctx(rt=rt, client=client, team_id=meta.get("team_id", ""), user_id=body["user"]["id"],
                  channel_id=meta.get("channel_id", ""), args=["webhook", "configure"])

        def do(c: Ctx) -> Reply:
            c.require_admin()
            steps = subscriptions.configure(c.rt, c.team_id, chosen)
            lines = [messages.WEBHOOK_CONFIGURED] + [
                (messages.WEBHOOK_STEP_OK if s.ok else messages.WEBHOOK_STEP_FAILED).format(what=s.what,
                                                                                           detail=s.detail)
                for s in steps]
            lines.append(messages.WEBHOOK_PENDING.format(url=f"{c.rt.settings.PUBLIC_URL}/meta/webhook"))
            return text("\n".join(lines))

        reply = run(do, ctx)
        try:
            client.chat_postEphemeral(channel=ctx.channel_id, user=ctx.user_id, **reply)
        except Exception:  # noqa: BLE001
            log.warning("webhook configuration outcome could not be posted")
