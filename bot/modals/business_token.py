"""`/meta token`'s modal: an admin pastes a system user's token, which does not expire. Acked at once with a
"checking" view; the check with Meta (metaops.assets.pasted_token) runs in Bolt's lazy listener, in this process, so
the token never goes through the job queue; the modal then shows the outcome."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.modals import submission
from bot.runtime import runtime_of
from integrations.slack.blocks import context_block, input_block, modal, plain_text_input, section
from metaops import messages
from metaops.assets import pasted_token
from metaops.surfaces import submissions

CALLBACK_ID = "business_token_modal"
BLOCK = "token"


def build(meta: dict[str, Any]) -> dict[str, Any]:
    return modal(messages.TOKEN_MODAL_TITLE, CALLBACK_ID,
                 [context_block(messages.TOKEN_MODAL_INTRO),
                  input_block(messages.TOKEN_MODAL_LABEL, BLOCK, plain_text_input("value"))],
                 submit="Check and store", close="Cancel", private_metadata=json.dumps(meta))


def _token(view: dict[str, Any]) -> str:
    return str(((view.get("state") or {}).get("values", {}).get(BLOCK, {}).get("value") or {}).get("value") or "")


def token_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                    context: BoltContext) -> None:
    refused = submission.refusal(runtime_of(context), body, view, client)
    token = _token(view).strip()
    if refused or not token or any(c.isspace() for c in token):
        ack(response_action="errors", errors={BLOCK: refused or messages.TOKEN_EMPTY})
        return
    ack(response_action="update", view=submissions.working_view(view))


def token_checked(body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """After the ack: Meta's check, then the outcome in the modal."""
    rt = runtime_of(context)
    if submission.refusal(rt, body, view, client) or not _token(view).strip():
        return
    meta = submissions.metadata(view)
    done = pasted_token.paste(rt, body["team"]["id"], body["user"]["id"], meta.get("channel_id", ""), _token(view))
    client.views_update(view_id=view["id"], view=modal(messages.TOKEN_MODAL_TITLE, CALLBACK_ID,
                                                       [section(done.text)], close="Close"))


def register(app: App) -> None:
    app.view(CALLBACK_ID)(ack=token_submitted, lazy=[token_checked])
