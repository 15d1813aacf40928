"""Updates with no id of their own (a template paused, a quality change) are told apart by their time: the same
update sent again a month later posts again, a redelivery of the same payload does not. Then retention deletes
the processed events and their dedupe keys once they are old, and a redelivery afterwards is still a new post
only if Meta sends it again (past its 7-day retry window, it does not)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from metaops import jobs
from store.models import DedupeKey, NotificationRoute, WebhookEvent
from tests.helpers import connect_whatsapp, fixture, post_webhook, run_worker

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
