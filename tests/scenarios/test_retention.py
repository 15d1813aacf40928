"""Updates with no id of their own (a template paused, a quality change) are told apart by their time: the same
update sent again a month later posts again, a redelivery of the same payload does not. Then retention deletes
the processed events and their dedupe keys once they are old, and a redelivery afterwards is still a new post
only if Meta sends it again (past its 7-day retry window, it does not)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from metaops import counters, jobs
from store.models import DedupeKey, NotificationRoute, WebhookEvent
from tests.helpers import connect_whatsapp, fixture, post_webhook, run_worker, wa_message, wa_payload, worker_env

# Both databases: updates with no id told apart by their time in dedupe keys, then retention's DELETEs of events and
# keys.
pytestmark = pytest.mark.both_databases

MARCH, APRIL = 1709280000, 1711958400  # 2024-03-01 and 2024-04-01, Unix seconds


def paused(entry_time: int) -> dict:
    payload = fixture("whatsapp/template_status_approved.json", event="PAUSED", reason="FLAGGED_AS_LOW_QUALITY")
    payload["entry"][0]["time"] = entry_time
    return payload


@pytest.fixture
def routed(rt):
    connect_whatsapp(rt, channel="C_CONNECT")
    with rt.db.session() as s:
        s.add(NotificationRoute(team_id="T1", kind="templates", channel_id="C_TPL"))
    return rt


def deliver(client, rt, payload):
    assert post_webhook(client, payload).status_code == 200
    run_worker(rt)


def test_the_same_template_paused_a_month_apart_posts_twice(client, routed, fake_slack):
    deliver(client, routed, paused(MARCH))
    deliver(client, routed, paused(APRIL))
    assert len(fake_slack.messages) == 2
    assert all(m["channel"] == "C_TPL" and "welcome" in m["text"] for m in fake_slack.messages)


def test_a_redelivered_pause_posts_once(client, routed, fake_slack):
    deliver(client, routed, paused(MARCH))
    deliver(client, routed, paused(MARCH))
    assert len(fake_slack.messages) == 1


def test_retention_deletes_old_processed_events_and_their_keys(client, routed, fake_slack):
    deliver(client, routed, paused(MARCH))
    deliver(client, routed, paused(APRIL))
    old = routed.now() - timedelta(days=31)
    with routed.db.engine.begin() as conn:  # the March one was processed over a month ago
        first = conn.execute(select(func.min(WebhookEvent.id))).scalar_one()
        conn.execute(update(WebhookEvent).where(WebhookEvent.id == first).values(received_at=old))
        conn.execute(update(DedupeKey).where(DedupeKey.event_id == first).values(claimed_at=old))
    deleted = jobs.retention()
    assert deleted["webhook_events"] == 1 and deleted["dedupe_keys"] == 1
    with routed.db.session() as s:
        assert s.scalar(select(func.count()).select_from(WebhookEvent)) == 1
        assert s.scalar(select(func.count()).select_from(DedupeKey)) == 1
    deliver(client, routed, paused(APRIL))  # a redelivery of the recent one: its key is kept, no second post
    assert len(fake_slack.messages) == 2


def _stale_count(rt, kind: str) -> int:
    return int(rt.redis.hget(counters.KEY, f"items_stale|kind={kind}") or 0)


def _forget_delivered(rt, days: int) -> None:
    """What a month of retention does: every delivered key was claimed `days` ago, then the daily purge runs."""
    with rt.db.engine.begin() as conn:
        conn.execute(update(DedupeKey).values(claimed_at=rt.now() - timedelta(days=days)))
    assert jobs.retention()["dedupe_keys"] >= 1


def test_a_replayed_webhook_older_than_what_retention_forgot_is_refused_as_stale(client, routed, fake_slack):
    sent = int((routed.now() - timedelta(days=40)).timestamp())
    body = json.dumps(wa_payload([wa_message("wamid.OLD", "15550001111", "my order?", ts=sent)])).encode()
    deliver(client, routed, body)  # a fresh install never forgot anything: an old item still posts
    assert [m["text"] for m in fake_slack.messages if "my order?" in m["text"]]
    posts = len(fake_slack.messages)
    _forget_delivered(routed, 40)
    deliver(client, routed, body)  # the captured, signed body replayed once its key is gone
    assert len(fake_slack.messages) == posts
    assert _stale_count(routed, "message") == 1
    with routed.db.session() as s:
        assert list(s.scalars(select(WebhookEvent.state).order_by(WebhookEvent.id.desc()).limit(1))) == ["done"]
    deliver(client, routed, wa_payload([wa_message("wamid.NEW", "15550001111", "still there?",
                                                   ts=int(routed.now().timestamp()))]))
    assert "still there?" in fake_slack.messages[-1]["text"]  # today's items are not stale


def test_requeue_failed_never_reposts_an_item_of_an_event_older_than_retention(client, routed, fake_slack, config,
                                                                               tmp_path):
    import subprocess
    import sys

    deliver(client, routed, paused(MARCH))
    _forget_delivered(routed, 40)
    undated = wa_payload([wa_message("wamid.U1", "15550002222", "undated")])  # no timestamp, no entry time
    del undated["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"]
    with routed.db.session() as s:  # failed 45 days ago, and again yesterday, each after its retries ran out
        s.add(WebhookEvent(body=json.dumps(undated).encode(), state="failed",
                           received_at=routed.now() - timedelta(days=45)))
        s.add(WebhookEvent(body=json.dumps(paused(MARCH)).encode(), state="failed",
                           received_at=routed.now() - timedelta(days=1)))
    posts = len(fake_slack.messages)
    r = subprocess.run([sys.executable, "-m", "flask", "--app", "metaops.wsgi", "requeue-failed"],
                       env=worker_env(config), cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert "re-queued 2 failed event(s)" in r.stdout and "refused as stale" in r.stdout, r.stderr
    run_worker(routed)
    assert len(fake_slack.messages) == posts  # neither the undated message nor March's pause again
    assert _stale_count(routed, "message") == 1 and _stale_count(routed, "message_template_status_update") == 1
    with routed.db.session() as s:
        assert set(s.scalars(select(WebhookEvent.state))) == {"done"}
