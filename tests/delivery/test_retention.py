"""Retention: processed events and per-message records past RETENTION_DAYS are deleted, in batches; failed
events are kept twice as long; recent rows, events still to process and claims in flight are kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from metaops import defaults, jobs, settings
from metaops.delivery import retention
from metaops.exceptions import ConfigError
from store.models import DedupeKey, MessagePost, OutboundMessage, ReplyOutbox, WebhookEvent

# Both databases: retention's batched DELETEs by state and age.
pytestmark = pytest.mark.both_databases


def _seed(rt) -> None:
    now = rt.now()
    old, recent, ancient = now - timedelta(days=31), now - timedelta(days=29), now - timedelta(days=61)
    with rt.db.session() as s:
        for i, (state, at) in enumerate([("done", old), ("done", recent), ("failed", old), ("failed", ancient),
                                         ("received", ancient)], 1):
            s.add(WebhookEvent(id=i, body=b"{}", state=state, received_at=at))
        for key, state, at in [("old-done", "done", old), ("recent-done", "done", recent),
                               ("old-claimed", "claimed", old)]:
            s.add(DedupeKey(key=key, state=state, claimed_at=at))
        for mid, at in [("wamid.old", old), ("wamid.recent", recent)]:
            s.add(OutboundMessage(id=mid, team_id="T1", platform="whatsapp", channel_id="C1", thread_ts="1.1",
                                  slack_ts="1.2", created_at=at))
            s.add(MessagePost(business_id="PN1", message_id=mid, team_id="T1", channel_id="C1", slack_ts="1.3",
                              block_id="msg.x", created_at=at))
        for n, (state, at) in enumerate([("sent", old), ("sent", recent), ("pending", old), ("unknown", old)]):
            s.add(ReplyOutbox(team_id="T1", channel_id="C1", thread_ts="1.1", slack_ts=f"2.{n}", user_id="U1",
                              text="hi", state=state, attempts=0, created_at=at))


def _outbox_left(rt) -> list[str]:
    with rt.db.session() as s:
        return sorted(s.scalars(select(ReplyOutbox.state)))


def _left(rt) -> tuple[list, list, list]:
    with rt.db.session() as s:
        return (list(s.scalars(select(WebhookEvent.id).order_by(WebhookEvent.id))),
                sorted(s.scalars(select(DedupeKey.key))), sorted(s.scalars(select(OutboundMessage.id))))


def test_deletes_only_what_is_old_and_processed(rt):
    _seed(rt)
    assert retention.purge(rt) == {"webhook_events": 1, "failed_webhook_events": 1, "dedupe_keys": 1,
                                   "outbound_messages": 1, "reply_outbox": 1, "message_posts": 1,
                                   "contact_threads": 0, "wa_customers": 0, "unanswered": 0, "parked_ids": 0}
    assert _outbox_left(rt) == ["pending", "sent", "unknown"]  # the old sent one went; unsettled ones stay
    events, keys, outbound = _left(rt)
    assert events == [2, 3, 5]  # recent done, failed within 2x retention, still to process
    assert keys == ["old-claimed", "recent-done"]
    assert outbound == ["wamid.recent"]
    assert set(retention.purge(rt).values()) == {0}


def test_zero_keeps_everything(rt):
    _seed(rt)
    rt.settings = rt.settings.with_overrides(RETENTION_DAYS=0)
    assert retention.purge(rt) == {}
    assert tuple(map(len, _left(rt))) == (5, 3, 2)


def test_deletes_in_batches_through_the_job(rt, monkeypatch):
    monkeypatch.setattr(defaults, "RETENTION_BATCH", 2)
    old = rt.now() - timedelta(days=40)
    with rt.db.session() as s:
        s.add_all(WebhookEvent(body=b"{}", state="done", received_at=old) for _ in range(5))
    assert jobs.retention()["webhook_events"] == 5
    assert _left(rt)[0] == []


@pytest.mark.parametrize("value", ["thirty", "-1", "1.5"])
def test_a_malformed_retention_stops_with_one_clear_line(value):
    with pytest.raises(ConfigError, match="RETENTION_DAYS must be a whole number"):
        settings.load({"ENCRYPTION_KEYS": Fernet.generate_key().decode(), "RETENTION_DAYS": value}, env_file=None)


def test_retention_default_and_setting():
    key = Fernet.generate_key().decode()
    assert settings.load({"ENCRYPTION_KEYS": key}, env_file=None).RETENTION_DAYS == 30
    assert settings.load({"ENCRYPTION_KEYS": key, "RETENTION_DAYS": " 7 "}, env_file=None).RETENTION_DAYS == 7
