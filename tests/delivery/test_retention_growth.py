"""Retention covers everything that grows with traffic (issue 20, point 5): threads idle past the window and the
customers left without one go (a customer who opted out of marketing never does), waiting threads leave the
unanswered list, parked ids of settled events leave the parked set, and a purge that deleted dedupe keys records
how far it went."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from metaops.conversation import unanswered
from metaops.delivery import holds, retention, stale
from store import conversations, customer_posts, events, threads
from store import retention as store_retention
from store.models import (
    ContactThread,
    ConversationState,
    ConversationTiming,
    Customer,
    CustomerPost,
    DedupeKey,
    WebhookEvent,
)

# Both databases: the NOT EXISTS on a built thread key, COALESCE of ages, and the mark's upsert.
pytestmark = pytest.mark.both_databases


def _thread(s, contact: str, root: str, active) -> None:
    s.add(ContactThread(team_id="T1", business_id="PN1", contact=contact, channel_id="C1", root_ts=root,
                        created_at=active, last_active_at=active))


def _customer(s, cid: int, phone: str, at, opted_out: bool = False) -> None:
    s.add(Customer(id=cid, business_id="PN1", phone=phone, marketing_opt_out=opted_out, last_inbound_at=at,
                   created_at=at, updated_at=at))


def test_idle_threads_go_and_customers_without_a_thread_follow(rt):
    now = rt.now()
    old, recent = now - timedelta(days=31), now - timedelta(days=2)
    with rt.db.session() as s:
        _customer(s, 1, "111", old)  # idle, thread idle: both go
        _customer(s, 2, "222", old)  # idle, but their thread saw a post two days ago: kept
        _customer(s, 3, "333", old, opted_out=True)  # opted out: kept forever, thread or not
        _customer(s, 4, "444", recent)  # wrote two days ago
        _thread(s, "customer:1", "1.1", old)
        _thread(s, "customer:2", "2.1", recent)
        _thread(s, "customer:3", "3.1", old)
        _thread(s, "comment:9.1:c1:c1", "9.2", old)  # a comment row of a post thread
        _thread(s, "post:P1", "9.1", recent)
    deleted = retention.purge(rt)
    assert deleted["contact_threads"] == 3 and deleted["wa_customers"] == 1
    with rt.db.session() as s:
        assert sorted(s.scalars(select(ContactThread.contact))) == ["customer:2", "post:P1"]
        assert sorted(s.scalars(select(Customer.id))) == [2, 3, 4]


def test_a_thread_in_use_is_kept_active_without_a_write_per_post(rt):
    old = rt.now() - timedelta(days=40)
    with rt.db.session() as s:
        _thread(s, "customer:1", "1.1", old)
    assert threads.root_ts(rt.db.engine, "PN1", "customer:1", "C1") == "1.1"  # a post reads the thread map
    with rt.db.session() as s:
        first = s.scalar(select(ContactThread.last_active_at))
    assert first is not None and first > old + timedelta(days=39)
    assert threads.find_by_root(rt.db.engine, "C1", "1.1") is not None  # a reply soon after: no second write
    with rt.db.session() as s:
        assert s.scalar(select(ContactThread.last_active_at)) == first
    assert retention.purge(rt)["contact_threads"] == 0


def test_waiting_threads_older_than_the_window_leave_the_unanswered_list(rt):
    now = rt.now()
    rt.redis.zadd(unanswered.key("T1"), {"C1:1.1": (now - timedelta(days=31)).timestamp(),
                                         "C1:2.1": (now - timedelta(days=1)).timestamp()})
    rt.redis.zadd(unanswered.key("T2"), {"C9:1.1": (now - timedelta(days=45)).timestamp()})
    assert retention.purge(rt)["unanswered"] == 2
    assert [w.thread_ts for w in unanswered.oldest(rt, "T1", 10)] == ["2.1"]
    assert unanswered.count(rt, "T2") == 0


def test_parked_ids_of_settled_events_leave_the_parked_set(rt):
    with rt.db.session() as s:
        s.add_all([WebhookEvent(id=1, body=b"{}", state="received"), WebhookEvent(id=2, body=b"{}", state="done"),
                   WebhookEvent(id=3, body=b"{}", state="failed")])
    rt.redis.sadd(holds.PARKED, 1, 2, 3, 4)  # 4: deleted already
    assert retention.purge(rt)["parked_ids"] == 3
    assert holds.parked_among(rt.redis, [1, 2, 3, 4]) == {1}
    assert events.unsettled(rt.db.engine, [1, 2, 3, 4]) == {1}


def test_the_mark_moves_only_when_keys_were_deleted_and_only_forward(rt):
    assert retention.purge(rt)["dedupe_keys"] == 0
    assert stale.horizon(rt) is None  # nothing was ever forgotten: nothing is stale
    old = rt.now() - timedelta(days=31)
    with rt.db.session() as s:
        s.add(DedupeKey(key="wa:msg:old", state="done", claimed_at=old))
    retention.purge(rt)
    mark = stale.horizon(rt)
    assert mark is not None and abs(mark - (rt.now() - timedelta(days=30))) < timedelta(minutes=1)
    store_retention.mark(rt.db.engine, stale.MARK, mark - timedelta(days=5))  # an older mark never moves it back
    assert stale.horizon(rt) == mark


def test_conversation_records_go_with_their_age_and_their_thread(rt):
    now = rt.now()
    old, recent = now - timedelta(days=40), now - timedelta(days=1)
    with rt.db.session() as s:
        _thread(s, "customer:1", "1.1", recent)
    conversations.ensure(rt.db.engine, "T1", "C1", "1.1", old)  # its thread is kept: so is it
    conversations.ensure(rt.db.engine, "T1", "C1", "9.9", old)  # its thread is gone
    with rt.db.engine.begin() as conn:
        customer_posts.remember(conn, "T1", "C1", "1.2", "1.1", "wamid.OLD", old)
        customer_posts.remember(conn, "T1", "C1", "1.3", "1.1", "wamid.NEW", recent)
    state = conversations.get(rt.db.engine, "C1", "1.1")
    conversations.resolve(rt.db.engine, state, "U1", old)
    retention.purge(rt)
    with rt.db.session() as s:
        assert [r.root_ts for r in s.scalars(select(ConversationState))] == ["1.1"]
        assert [p.message_id for p in s.scalars(select(CustomerPost))] == ["wamid.NEW"]
        assert s.scalars(select(ConversationTiming)).all() == []
