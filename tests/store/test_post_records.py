"""What a customer's message stores around its post, each in one statement: where it is shown (an upsert), the post a
reaction reaches (an insert that skips a repeat), the conversation it reopens (conditional UPDATEs), the customer's
last message (an UPDATE that never moves back), the customer found again (one SELECT, no transaction)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from store import conversations, customer_posts, customers, message_posts
from store.conversations import OPEN, RESOLVED, WAITING
from store.customers import Seen
from store.message_posts import Posted
from store.models import CustomerPost, MessagePost
from store.timestamps import utcnow

# Both databases: ON CONFLICT in each dialect's own form, UPDATE ... RETURNING, rowcounts of conditional UPDATEs.
pytestmark = pytest.mark.both_databases

PN = "106540352242922"


def test_a_message_posted_again_is_found_where_it_is_now(engine):
    first, again = Posted("T1", "C1", "1.2", "1.1", "msg.a"), Posted("T1", "C2", "2.2", None, "msg.a")
    with engine.begin() as conn:
        message_posts.remember(conn, PN, {"wamid.1": first, "wamid.2": Posted("T1", "C1", "1.3", "1.1", "msg.b")})
    with engine.begin() as conn:
        message_posts.remember(conn, PN, {"wamid.1": again})  # a retry after a lost answer posted it again
    assert message_posts.find(engine, PN, "wamid.1") == again
    assert message_posts.find(engine, PN, "wamid.2").slack_ts == "1.3"
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(MessagePost)).scalar() == 2


def test_a_customer_post_remembered_twice_is_one_row(engine):
    now = utcnow()
    for _ in range(2):
        with engine.begin() as conn:
            customer_posts.remember(conn, "T1", "C1", "1.2", "1.1", "wamid.1", now)
    assert customer_posts.find(engine, "T1", "C1", "1.2").message_id == "wamid.1"
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(CustomerPost)).scalar() == 1


def test_a_conversation_is_made_once(engine):
    now = utcnow()
    made, created = conversations.ensure(engine, "T1", "C1", "1.1", now)
    again, created_again = conversations.ensure(engine, "T1", "C1", "1.1", now + timedelta(minutes=1))
    assert (created, created_again) == (True, False)
    assert again == made and made.status == OPEN and made.opened_at == now


def test_a_customers_message_changes_an_open_conversation_or_one_waiting_when_asked(engine):
    t0 = utcnow()
    state, _ = conversations.ensure(engine, "T1", "C1", "1.1", t0)

    def wrote(at, **how):
        with engine.begin() as conn:
            return conversations.customer_wrote(conn, "T1", "C1", "1.1", at, **how)

    assert wrote(t0 + timedelta(minutes=1), waiting=False)
    assert wrote(t0 + timedelta(minutes=2), waiting=False)
    found = conversations.get(engine, "C1", "1.1")  # they wait since their first message not answered
    assert (found.status, found.waiting_since, found.last_customer_at) == (
        OPEN, t0 + timedelta(minutes=1), t0 + timedelta(minutes=2))
    conversations.member_replied(engine, found, "U1", t0 + timedelta(minutes=3))
    assert not wrote(t0 + timedelta(minutes=4), waiting=False)  # waiting on the customer: not the open one
    assert conversations.get(engine, "C1", "1.1").status == WAITING
    assert wrote(t0 + timedelta(minutes=4))
    found = conversations.get(engine, "C1", "1.1")
    assert (found.status, found.waiting_since) == (OPEN, t0 + timedelta(minutes=4))
    with engine.begin() as conn:  # another workspace's thread at the same place changes nothing
        assert not conversations.customer_wrote(conn, "T2", "C1", "1.1", t0, waiting=False)
    conversations.resolve(engine, found, "U1", t0 + timedelta(minutes=5))
    assert not wrote(t0 + timedelta(minutes=6)) and conversations.get(engine, "C1", "1.1").status == RESOLVED


def test_the_last_message_of_a_customer_never_moves_back(engine):
    c = customers.resolve(engine, PN, Seen(phone="16505551234"))
    t0 = utcnow()
    stored = customers.note_inbound(engine, c.id, t0, "wamid.1")
    assert stored is not None and (stored.id, stored.last_inbound_at, stored.last_inbound_id) == (c.id, t0, "wamid.1")
    assert customers.note_inbound(engine, c.id, t0 - timedelta(seconds=1), "wamid.0") is None  # a late redelivery
    later = customers.note_inbound(engine, c.id, t0 + timedelta(seconds=1), None)  # an id Meta did not give
    assert later is not None and (later.last_inbound_at, later.last_inbound_id) == (t0 + timedelta(seconds=1),
                                                                                    "wamid.1")
    assert customers.get(engine, c.id) == later
    assert customers.note_inbound(engine, c.id + 1, t0, "wamid.2") is None  # no such customer


def test_a_known_customer_is_found_in_one_select_without_a_transaction(engine):
    seen = Seen(bsuid="US.1", phone="16505551234", profile_name="Sheena")
    made = customers.resolve(engine, PN, seen)
    statements, commits = [], []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    event.listen(engine, "commit", lambda conn: commits.append(1))
    assert customers.resolve(engine, PN, seen) == made
    assert customers.resolve(engine, PN, Seen(phone="+16505551234")) == made  # what it says nothing of is kept
    assert len(statements) == 2 and all(s.lstrip().upper().startswith("SELECT") for s in statements)
    assert commits == []
    renamed = customers.resolve(engine, PN, Seen(bsuid="US.1", profile_name="Sheena B"))  # something new: stored
    assert renamed.id == made.id and customers.get(engine, made.id).profile_name == "Sheena B"
