"""The webhook modal of `/meta webhook configure`: which fields of each object to subscribe, and its submission."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.commands.context import Ctx, Reply, run, text
from integrations.slack.blocks import checkboxes, input_block, modal, option
from metaops import messages, subscriptions
from metaops.runtime import Runtime

CALLBACK_ID = "webhook_modal"
log = logging.getLogger(__name__)


def build(subs: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    """One group of checkboxes per object; ticked: the fields subscribed now (all of them when none is)."""
    blocks: list[dict[str, Any]] = []
    for obj, (label, fields) in subscriptions.OBJECTS.items():
        current = set(subs[obj].fields) if obj in subs else set(fields)
        options = [option(f, f) for f in fields]
        element = checkboxes("value", options, [o for o in options if o["value"] in current])
        blocks.append(input_block(label, obj, element, optional=True))
    return modal("Webhooks", CALLBACK_ID, blocks, submit="Subscribe", close="Cancel",
                 private_metadata=json.dumps(meta))


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
