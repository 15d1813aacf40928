"""A customer's messages drained in one batch (issue 24): the batch's Router reads the customer once and keeps what
each message changes, and each message stores what its post stands for in few statements, none of them reading
again what the batch knows."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

from sqlalchemy import event

from integrations.meta.payload import Person
from metaops.conversation import reply_window
from metaops.conversation.router import Router
from store import customers, message_posts
from store.timestamps import utcnow
from tests.helpers import PHONE_ID, connect_whatsapp, post_webhook, run_worker, wa_message, wa_payload

CUSTOMER = "15551234567"
TEXT = {"type": "text"}


def test_each_message_of_a_batch_finds_the_one_before_it(rt):
    now = [utcnow()]
    rt.now = lambda: now[0]
    router = Router(rt.db.engine)
    contact = router.customer(PHONE_ID, Person(phone=CUSTOMER)).thread_key
    first = reply_window.customer_wrote(rt, router, contact, {**TEXT, "id": "wamid.1"})
    now[0] += timedelta(minutes=5)
    second = reply_window.customer_wrote(rt, router, contact, {**TEXT, "id": "wamid.2"})
    assert (first.previous, second.previous) == (None, first.at)  # the batch knows what it stored
    assert router.customer(PHONE_ID, Person(phone=CUSTOMER)).last_inbound_at == second.at
    now[0] += timedelta(minutes=5)
    third = reply_window.customer_wrote(rt, Router(rt.db.engine), contact, {**TEXT, "id": "wamid.3"})
    assert third.previous == second.at  # the next batch reads it
    assert customers.get(rt.db.engine, third.customer_id).last_inbound_id == "wamid.3"
    assert reply_window.customer_wrote(rt, router, contact, {"type": "system", "id": "wamid.4"}) is None
    assert reply_window.customer_wrote(rt, router, "group:1203", {**TEXT, "id": "wamid.5"}) is None
    assert reply_window.customer_wrote(rt, router, "customer:999999", {**TEXT, "id": "wamid.6"}) is None  # gone


def test_after_an_identity_change_the_batch_reads_its_customers_again(rt):
    router = Router(rt.db.engine)
    customer = router.customer(PHONE_ID, Person(phone=CUSTOMER))
    at = utcnow()
    customers.note_inbound(rt.db.engine, customer.id, at, "wamid.1")  # not through this batch
    assert router.customer_of(customer.thread_key).last_inbound_at is None  # what the batch read
    router.forget_customers()
    assert router.customer_of(customer.thread_key).last_inbound_at == at
    assert router.customer(PHONE_ID, Person(phone=CUSTOMER)).last_inbound_at == at


def test_a_customers_messages_in_one_batch_cost_four_statements_each(client, rt, fake_slack, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    post_webhook(client, wa_payload([wa_message("wamid.IN0", CUSTOMER, "Hi")]))
    run_worker(rt)  # the thread and its conversation exist
    tables = ("wa_customers", "conversation_states", "contact_threads", "message_posts", "customer_posts",
              "away_hours")
    seen: Counter[tuple[str, str]] = Counter()

    def count(conn, cursor, statement, *args):
        verb = statement.split(None, 1)[0].upper()
        for table in re.findall(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", statement):
            if table in tables:
                seen[(verb, table)] += 1
                break

    event.listen(rt.db.engine, "before_cursor_execute", count)
    for n in (1, 2, 3):
        post_webhook(client, wa_payload([wa_message(f"wamid.IN{n}", CUSTOMER, f"Message {n}")]))
    run_worker(rt)
    event.remove(rt.db.engine, "before_cursor_execute", count)
    assert [n for n in (1, 2, 3) for m in fake_slack.messages if f"Message {n}" in m["text"]] == [1, 2, 3]
    # each message: its last message's time before the post, then one transaction after it (where it is shown,
    # the post a reaction reaches, the open conversation's waiting time); the batch reads the customer, the thread
    # and the away hours once
    assert seen == {("UPDATE", "wa_customers"): 3, ("INSERT", "message_posts"): 3, ("INSERT", "customer_posts"): 3,
                    ("UPDATE", "conversation_states"): 3, ("SELECT", "wa_customers"): 1,
                    ("SELECT", "contact_threads"): 1, ("SELECT", "away_hours"): 1}
    posted = message_posts.find(rt.db.engine, PHONE_ID, "wamid.IN3")
    assert posted is not None and posted.thread_ts is not None
