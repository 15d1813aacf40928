"""One partition's conversations delivered side by side (metaops/delivery/lanes.py): every customer's texts once
and in order, several Slack calls at once from one drain, a conversation that must wait (another worker's live
claim) holding up only itself, a drain that loses its partition stopping its lanes, and the lanes within
WORKER_DRAINS.

Slack answers each call after LATENCY, as from a typical host; our pace is off where several posts must go into
the one channel at once (at one post a second per channel they would park instead)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import insert

from integrations.meta import payload
from metaops import defaults
from metaops.delivery import drain, lanes
from metaops.queue import leases, streams
from store import events
from store.models import DedupeKey
from store.timestamps import utcnow
from tests.helpers import by_customer, connect_whatsapp, post_webhook, run_worker, wa_message, wa_payload

LATENCY = 0.1  # seconds the Slack fake takes to answer each call
EACH = 4
UNPACED = pytest.mark.unpaced(why="the conversations of one partition post into the one channel at once only "
                                  "without its pace of one post a second; what is tested is the drain's lanes")
# Beyond the channel's burst of 4, paced posts park and go with delayed release jobs: the drain's own handling of a
# claim or a lost lease would then be tested through the releases instead (tests/delivery/test_pacing.py has those).
DRAIN_ONLY = pytest.mark.unpaced(why="12 texts into one channel would mostly park for release jobs at our pace; "
                                     "what is tested is what the drain itself does with them")


def _one_partition(n: int) -> list[int]:
    """`n` customers (numbers below 100, as `texts` reads them) whose conversations share one partition."""
    found: dict[int, list[int]] = {}
    for c in range(100):
        p = streams.partition_of(_payload(c, 0))
        found.setdefault(p, []).append(c)
        if len(found[p]) == n:
            return found[p]
    raise AssertionError("no partition holds that many")


def _payload(c: int, n: int) -> dict:
    return wa_payload([wa_message(f"wamid.{c}.{n}", f"1555000{c:04d}", f"c{c:02d} m{n}")])


def _post(client, customers: list[int]) -> None:
    for n in range(EACH):
        for c in customers:
            assert post_webhook(client, _payload(c, n)).status_code == 200


def _busy(rt) -> list[int]:
    return [p for p in range(defaults.PARTITIONS) if rt.redis.xlen(streams.stream_key(p))]


@UNPACED
def test_the_customers_of_one_partition_are_delivered_side_by_side_each_in_order(client, rt, fake_slack):
    fake_slack.latency = LATENCY
    connect_whatsapp(rt)
    customers = _one_partition(5)
    _post(client, customers)
    assert len(_busy(rt)) == 1
    run_worker(rt)  # the Procfile's class, in this process
    assert by_customer(fake_slack.messages) == {f"c{c:02d}": list(range(EACH)) for c in customers}
    assert len(fake_slack.messages) == len(customers) * EACH  # each once
    assert fake_slack.most_posts_in_flight > 1  # one partition's drain waited on several posts at once
    assert streams.waiting(rt.redis) == 0


@DRAIN_ONLY
def test_a_conversation_that_must_wait_holds_up_only_itself(client, rt, fake_slack):
    """Another live worker still has a claim on one customer's second text (it is posting it): that customer's
    later texts wait behind it in the partition; the partition's other customers are all delivered. Once the claim
    is given back, the rest follows in order, nothing twice."""
    connect_whatsapp(rt)
    held, *others = _one_partition(3)
    [item] = payload.items(_payload(held, 1))
    with rt.db.engine.begin() as conn:  # a claim of a live process (this one) made just now
        conn.execute(insert(DedupeKey).values(key=item.key, event_id=None, state="claimed", claimed_at=utcnow(),
                                              owner=leases.me(rt.redis)))
    _post(client, [held, *others])
    run_worker(rt)  # the partition's drain is put off (ClaimBusy) and queued again for later
    shown = by_customer(fake_slack.messages)
    assert shown[f"c{held:02d}"] == [0]
    assert all(shown[f"c{c:02d}"] == list(range(EACH)) for c in others)
    assert streams.waiting(rt.redis) == EACH - 1  # the held customer's 2nd to last text, first in line
    with rt.db.engine.begin() as conn:
        conn.execute(DedupeKey.__table__.delete().where(DedupeKey.key == item.key))
    [partition] = _busy(rt)
    rt.redis.delete(streams.flag_key(partition))  # its later drain (queued with a delay) is not waited for here
    drain.drain(partition)
    assert by_customer(fake_slack.messages)[f"c{held:02d}"] == list(range(EACH))
    assert len(fake_slack.messages) == 3 * EACH


@DRAIN_ONLY
def test_a_drain_that_loses_its_partition_stops_its_lanes(client, rt, fake_slack):
    """A stall longer than the lease (here: the flag taken by another worker while the drain posts): within
    LEASE_CHECK the drain's lanes stop taking events, leave the rest in the partition and the flag to its owner;
    the new owner delivers the rest, each text once and in order."""
    fake_slack.latency = 0.3
    connect_whatsapp(rt)
    customers = _one_partition(3)
    _post(client, customers)
    [partition] = _busy(rt)
    flag = streams.flag_key(partition)
    handled: list[int] = []
    runner = threading.Thread(target=lambda: handled.append(drain.drain(partition)))
    runner.start()
    time.sleep(0.4)  # posting
    rt.redis.set(flag, "another-worker")
    runner.join(10)
    assert not runner.is_alive()
    assert rt.redis.get(flag) == b"another-worker"  # left to its owner
    assert 0 < handled[0] < 3 * EACH and streams.waiting(rt.redis) == 3 * EACH - handled[0]
    rt.redis.delete(flag)
    drain.drain(partition)
    assert by_customer(fake_slack.messages) == {f"c{c:02d}": list(range(EACH)) for c in customers}
    assert len(fake_slack.messages) == 3 * EACH
    assert events.unsettled(rt.db.engine, list(range(1, 3 * EACH + 1))) == set()


def test_the_lanes_of_a_process_never_exceed_its_slots(rt):
    """Conversations of several drains at once share the process's WORKER_DRAINS slots with its other delivery
    jobs: with all but two slots taken by jobs, at most two conversations run at a time."""
    slots = lanes.slots()
    assert slots.size == rt.settings.WORKER_DRAINS
    for _ in range(slots.size - 2):  # other delivery jobs running
        assert slots.take(timeout=5)
    running, most = [0], [0]
    lock = threading.Lock()

    def work(group: list[int]) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return len(group)

    guard = lanes.Guard(lambda: True, lambda: False)
    results: list[list[int | None]] = []
    drains = [threading.Thread(target=lambda i=i: results.append(lanes.run([[i]] * 12, work, guard)))
              for i in range(3)]
    try:
        for t in drains:
            t.start()
        for t in drains:
            t.join(30)
    finally:
        for _ in range(slots.size - 2):
            slots.give()
    assert results == [[1] * 12] * 3
    assert most[0] == 2


@pytest.mark.parametrize(("drains", "kept", "most"), [("32", 18, 52), ("8", 10, 20), ("1", 3, 6)])
def test_a_workers_database_pool_follows_its_deliveries(config, drains, kept, most):
    """Connections kept for as many deliveries as there are partitions (they wait on Slack far more than on the
    database), and room for one per delivery at a moment of need."""
    from metaops import runtime, settings

    rt = runtime.build(settings.from_mapping({**config, "WORKER_DRAINS": drains}), worker=True)
    try:
        pool = rt.db.engine.pool
        assert (pool.size(), pool.size() + pool._max_overflow) == (kept, most)  # type: ignore[attr-defined]
    finally:
        rt.db.dispose()
