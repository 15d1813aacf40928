"""A number's history kept once per message id, counted, batched in order and deleted by retention."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store import history, retention
from store.history import Incoming
from store.timestamps import utcnow

# Both databases: inserts that skip known ids under a unique constraint, counts with FILTER and DISTINCT, batched
# deletes.
pytestmark = pytest.mark.both_databases

PN, WABA = "106540352242922", "102290129340398"
DAY = 86400


def msg(mid, thread="16505551234", at=1738454400, outgoing=False):
    return Incoming(mid, thread, outgoing, at, {"id": mid, "type": "text", "text": {"body": mid}})


def test_a_chunk_delivered_twice_keeps_each_message_once(engine):
    assert history.record_chunk(engine, PN, "T1", WABA, "15550783881", 0, 40, [msg("a"), msg("b"), msg("a")]) == 2
    assert history.record_chunk(engine, PN, "T1", WABA, "15550783881", 1, 100, [msg("b"), msg("c")]) == 1
    [s] = history.of_team(engine, "T1")
    assert (s.total, s.imported, s.threads, s.phase, s.progress, s.chunks) == (3, 0, 1, 1, 100, 2)


def test_batches_follow_each_customer_day_by_day_and_are_named_before_posting(engine):
    history.record_chunk(engine, PN, "T1", WABA, None, 0, 100, [
        msg("b2", "2", 1738454400 + 60), msg("a2", "1", 1738454400 + DAY), msg("a1", "1", 1738454400),
        msg("b1", "2", 1738454400)])
    first = history.next_candidates(engine, PN, 40)
    assert [r.message_id for r in first] == ["a1"]  # customer "1", its first day
    key = history.choose_batch(engine, first)
    assert [r.message_id for r in history.waiting_batch(engine, PN)] == ["a1"]  # resumed as named
    assert history.next_candidates(engine, PN, 40)[0].message_id == "a2"
    history.mark_imported(engine, key, utcnow())
    assert history.waiting_batch(engine, PN) == []
    history.choose_batch(engine, history.next_candidates(engine, PN, 40))
    history.mark_imported(engine, history.waiting_batch(engine, PN)[0].batch, utcnow())
    assert [r.message_id for r in history.next_candidates(engine, PN, 40)] == ["b1", "b2"]
    assert history.counts(engine, PN) == (4, 2, 1)


def test_retention_deletes_imported_history_then_history_nobody_imported(engine):
    history.record_chunk(engine, PN, "T1", WABA, None, 0, 100, [msg("x"), msg("y", at=1738454400 + DAY)])
    history.mark_imported(engine, history.choose_batch(engine, history.next_candidates(engine, PN, 40)), utcnow())
    later = utcnow() + timedelta(days=1)
    assert retention.delete_imported_history(engine, later, 1) == 1
    assert retention.delete_waiting_history(engine, utcnow() - timedelta(days=1), 10) == 0
    assert retention.delete_waiting_history(engine, later, 10) == 1
