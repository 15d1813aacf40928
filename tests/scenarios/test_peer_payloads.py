"""Webhook bodies other projects wrote for their own tests (../shared/peer/, read-only: pywa, restfb, Chatwoot),
sent to the app as written, their ids pointed at this test's connected assets: each is taken with 200, stored,
and processed without a crash (no failed job, the event done), and a post never reads "None". Customer messages
are shown as what they are (never the "unsupported event" note, a bare "Reply" or "Unknown contact"); receipts
post nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from rq.registry import FailedJobRegistry
from sqlalchemy import select

from store.models import WebhookEvent
from tests.constants import PHONE_ID, ROOT, WABA
from tests.helpers import connect_page, connect_whatsapp, post_webhook, until_delivered

# shared/ lies beside the checkout (as for CI); PEER_PAYLOADS points elsewhere
PEER = Path(os.environ.get("PEER_PAYLOADS") or ROOT.parent / "shared" / "peer")
PAYLOADS = sorted(PEER.glob("*.json")) if PEER.is_dir() else []
ASSET = {"whatsapp_business_account": WABA, "page": "PAGE1", "instagram": "IG1"}
pytestmark = pytest.mark.skipif(not PAYLOADS, reason=f"no peer payloads at {PEER} (set PEER_PAYLOADS)")


def _pointed(body: dict[str, Any]) -> dict[str, Any]:
    """The body with its asset ids (entry id, WhatsApp metadata, a messaging recipient that was the entry) ours."""
    ours = ASSET.get(str(body.get("object")), "")
    for entry in body.get("entry") or []:
        if not isinstance(entry, dict):
            continue
        theirs = str(entry.get("id"))
        entry["id"] = ours
        for change in entry.get("changes") or []:
            value = change.get("value") if isinstance(change, dict) else None
            if isinstance(value, dict) and isinstance(value.get("metadata"), dict):
                value["metadata"]["phone_number_id"] = PHONE_ID
        for m in entry.get("messaging") or []:
            for side in ("recipient", "sender"):
                if isinstance(m, dict) and isinstance(m.get(side), dict) and str(m[side].get("id")) == theirs:
                    m[side]["id"] = ours
    return body


# Kinds of Meta's that are no customer message (account, template, Page and Instagram activity, opt-ins, policy):
# the "unsupported event" note is still allowed for these files, and only these.
NOT_MESSAGES = {
    "pywa__template-components-update-all", "restfb__fb-leadgen", "restfb__fb-mention-comment-add",
    "restfb__fb-mention-post-add-real", "restfb__fb-unknown-change-value", "restfb__ig-wh-story-insights",
    "restfb__wa-business-username-update-approved", "restfb__wa-user-id-update", "restfb__fb-messaging-optin-basic",
    "restfb__fb-messaging-policy-callback-block",
}
# Receipts (delivery, read, played, a call ringing): nothing is posted.
RECEIPTS = {
    "pywa__message-status-delivered", "pywa__message-status-group", "pywa__message-status-played",
    "pywa__message-status-read", "pywa__message-status-sent", "pywa__message-status-with-tracker",
    "pywa__call-status", "restfb__wa-status-bsuid", "restfb__wa-status-group-bsuid",
    "restfb__fb-messaging-delivery-basic", "restfb__fb-messaging-read-basic", "restfb__ig-messaging-seen",
}
# What the post of each message kind must show (the answer or the choice itself).
SHOWN = {
    "pywa__call-connect-user-initiated": "Incoming WhatsApp call",
    "pywa__call-permission-update-accept": "Allowed the business to call them until",
    "pywa__flow-completion-completion": "Delivery rating*\\n4",
    "pywa__deleted-message-revoke": "Deleted a message",
    "pywa__edited-message-image": "Updated image caption",
    "pywa__message-order": "total 180 ILS",
    "pywa__message-referral": "Click-to-WhatsApp ad *AD_TITLE*",
    "restfb__wa-ads": "Came from your ad *AD_TITLE*",
    "pywa__message-forwarded": "_Forwarded_ forwarded text",
    "pywa__message-forwarded-many-times": "_Forwarded many times_",
    "pywa__message-interactive-message-with-err": "did not include the answer",
    "pywa__message-unsupported-with-type": "pool",
    "restfb__wa-error": "Message type is not currently supported",
    "restfb__wa-contacts-request-bsuid": "Sheena Nelson @realsheenanelson",
    "restfb__wa-group-participants-update": "@pablomorales +16505551234 left the group",
    "restfb__fb-messaging-message-edits": "Edited a message: hello, world!",
    "restfb__fb-messaging-reaction-1": "Reacted",
    "restfb__fb-messaging-postback-referral": "m.me link",
    "chatwoot__ig-message-unsend": "Deleted a message",
    "pywa__message-voice": "Voice message",
}


def test_the_whole_peer_corpus_is_read():
    assert len(PAYLOADS) >= 140


@pytest.mark.parametrize("path", PAYLOADS, ids=[p.stem for p in PAYLOADS])
def test_a_peer_payload_is_taken_and_shown_without_a_crash(path: Path, client, rt, fake_slack, fake_graph):
    token = fake_graph.issue_token()
    connect_whatsapp(rt, token=token)
    connect_page(rt, token)
    body = _pointed(json.loads(path.read_text()))
    assert post_webhook(client, body).status_code == 200
    until_delivered(rt)  # Slack's pace is on: a payload of many items posts over a few seconds
    with rt.db.session() as s:
        states = list(s.scalars(select(WebhookEvent.state)))
    assert states == ["done"], f"{path.name}: {states}"
    assert FailedJobRegistry(queue=rt.queue).get_job_ids() == []
    posts = [json.dumps([m.get("text"), m.get("blocks")], ensure_ascii=False) for m in fake_slack.messages]
    for shown in posts:
        assert "None" not in shown and "null" not in json.loads(shown)[0], f"{path.name}: {shown[:300]}"
        assert "Unknown contact" not in shown and not _bare_reply(json.loads(shown)[0]), f"{path.name}: {shown[:300]}"
        if path.stem not in NOT_MESSAGES:
            assert "does not show yet" not in shown, f"{path.name}: {shown[:300]}"
    if path.stem in RECEIPTS:
        assert posts == [], f"{path.name}: a receipt was posted"
    if path.stem in SHOWN:
        assert any(SHOWN[path.stem] in shown for shown in posts), f"{path.name}: {posts}"


def _bare_reply(text: str) -> bool:
    """A post whose message part is only the "Reply" label (what a button reply without its title once read)."""
    return any(line.rstrip().endswith(":point_right: Reply") for line in text.splitlines())


def test_the_expectations_name_real_files():
    names = {p.stem for p in PAYLOADS}
    assert NOT_MESSAGES | RECEIPTS | set(SHOWN) <= names
