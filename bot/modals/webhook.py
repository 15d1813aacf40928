"""The webhook modal of `/meta webhook configure`: which fields of each object to subscribe, and its submission.

The app's own subscriptions at Meta serve every workspace, so only the operator's admins change them
(metaops.assets.subscriptions.is_operator); any other workspace's submission subscribes only its own WhatsApp Business
Accounts and Pages, and the modal says so."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.modals import submission
from bot.runtime import runtime_of
from integrations.slack.blocks import checkboxes, context_block, input_block, modal, option
from metaops import messages
from metaops.assets import subscriptions
from metaops.surfaces import submissions

CALLBACK_ID = "webhook_modal"


def build(subs: dict[str, Any], meta: dict[str, Any], operator: bool = True, operator_named: bool = True,
          app_id: str = "") -> dict[str, Any]:
    """One group of checkboxes per object, each field with what it brings; ticked: the fields subscribed now and the
    new ones that subscription lacks (all of them when none is). A note
    on top says what saving changes: the app's subscriptions too (`operator`), or the workspace's assets only."""
    if operator:
        note = messages.WEBHOOK_MODAL_OPERATOR.format(app_id=app_id or "app-id")
    else:
        note = messages.WEBHOOK_MODAL_ASSETS.format(
            operator=messages.WEBHOOK_OPERATOR_IS if operator_named else messages.WEBHOOK_OPERATOR_NONE)
    blocks: list[dict[str, Any]] = [context_block(note)]
    lacking = subscriptions.lacking(subs)
    for obj, (label, fields) in subscriptions.OBJECTS.items():
        current = set(subs[obj].fields) | set(lacking.get(obj, ())) if obj in subs else set(fields)
        options = [option(f, f, subscriptions.DESCRIPTIONS[obj][f]) for f in fields]
        element = checkboxes("value", options, [o for o in options if o["value"] in current])
        blocks.append(input_block(label, obj, element, optional=True))
    return modal("Webhooks", CALLBACK_ID, blocks, submit="Subscribe", close="Cancel",
                 private_metadata=json.dumps(meta))


def webhook_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                      context: BoltContext) -> None:
    """The webhook modal: the fields chosen per object, subscribed by a job."""
    rt = runtime_of(context)
    first = next(iter(subscriptions.OBJECTS))
    if submission.refused(rt, ack, body, view, client, first):
        return
    values = view["state"]["values"]
    chosen = {obj: [o["value"] for o in (values.get(obj, {}).get("value", {}).get("selected_options") or [])
                    if o.get("value") in fields]
              for obj, (_, fields) in subscriptions.OBJECTS.items()}
    # subscribing calls Meta several times: the modal closes, the outcome is posted step by step
    submission.queue(rt, ack, submissions.WEBHOOK, body, view, {"chosen": chosen}, error_field=first,
                     keep_open=False)


def register(app: App) -> None:
    app.view(CALLBACK_ID)(webhook_submitted)
