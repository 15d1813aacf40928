"""Webhook bodies other projects wrote for their own tests (../shared/peer/, read-only: pywa, restfb, Chatwoot),
sent to the app as written, their ids pointed at this test's connected assets: each is taken with 200, stored,
and processed without a crash (no failed job, the event done), and a post never reads "None"."""

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
from tests.helpers import connect_page, connect_whatsapp, post_webhook, run_worker

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


def test_the_whole_peer_corpus_is_read():
    assert len(PAYLOADS) >= 140


@pytest.mark.parametrize("path", PAYLOADS, ids=[p.stem for p in PAYLOADS])
def test_a_peer_payload_is_taken_and_shown_without_a_crash(path: Path, client, rt, fake_slack, fake_graph):
    token = fake_graph.issue_token()
    connect_whatsapp(rt, token=token)
    connect_page(rt, token)
    body = _pointed(json.loads(path.read_text()))
    assert post_webhook(client, body).status_code == 200
    run_worker(rt)
    with rt.db.session() as s:
        states = list(s.scalars(select(WebhookEvent.state)))
    assert states == ["done"], f"{path.name}: {states}"
    assert FailedJobRegistry(queue=rt.queue).get_job_ids() == []
    for m in fake_slack.messages:
        shown = json.dumps([m.get("text"), m.get("blocks")])
        assert "None" not in shown and "null" not in str(m.get("text")), f"{path.name}: {shown[:300]}"
