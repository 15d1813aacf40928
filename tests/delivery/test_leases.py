"""Leases: a partition, a channel, a thread lock or a claim held by a process is taken over once that process
is dead, and never while it lives (issue 18). The dead processes here are real ones, SIGKILLed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from rq.job import Job, JobStatus
from sqlalchemy import select

from integrations.meta import payload
from metaops import claims, defaults
from metaops.conversation import landed
from metaops.delivery import drain, holds, periodic, recovery
from metaops.queue import enqueue, leases, streams
from metaops.worker import Worker
from store import dedupe
from store.models import DedupeKey
from store.timestamps import utcnow
from tests.constants import ROOT
from tests.helpers import (
    connect_whatsapp,
    post_webhook,
    run_worker,
    until_delivered,
    wa_message,
    wa_payload,
)

# A process of its own takes the leases named on its command line, prints its identity and waits to be killed.
HOLDER = """
import sys, time
from redis import Redis
from metaops.queue import leases
r = Redis.from_url(sys.argv[1])
for key in sys.argv[2:]:
    assert leases.own(r, key)
print(leases.me(r), flush=True)
time.sleep(600)
"""


def _holder(rt, *keys: str) -> tuple[subprocess.Popen, str]:
    url = rt.redis.connection_pool.connection_kwargs
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, f"redis://{url['host']}:{url['port']}/{url.get('db', 0)}",
                             *keys], cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ,
                                                                                        "PYTHONPATH": str(ROOT)})
    name = proc.stdout.readline().strip() if proc.stdout else ""
    assert name, "the holder did not start"
    return proc, name


def _wait_for(condition, seconds: float) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < seconds, "not within the bound"
        time.sleep(0.1)
    return time.monotonic() - start


def test_a_live_holder_keeps_its_lease_past_the_ttl_and_a_killed_ones_lapse(rt):
    flag = streams.flag_key(3)
    proc, name = _holder(rt, flag)
    try:
        assert leases.owner_of(rt.redis, flag) == name and leases.alive(rt.redis, name)
        assert not leases.own(rt.redis, flag)  # a live process has it
        time.sleep(defaults.LEASE_TTL + 1)  # renewed meanwhile by its heartbeat
        assert leases.owner_of(rt.redis, flag) == name and not leases.own(rt.redis, flag)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    waited = _wait_for(lambda: leases.abandoned(rt.redis, flag) == name or leases.owner_of(rt.redis, flag) is None,
                       defaults.LEASE_TTL + 2)
    assert waited <= defaults.LEASE_TTL + 1
    assert leases.own(rt.redis, flag) and leases.holds(rt.redis, flag)
    assert leases.release(rt.redis, flag) and leases.owner_of(rt.redis, flag) is None


@pytest.mark.both_databases  # a dead owner's dedupe claim taken over
def test_what_a_killed_worker_held_is_recovered_and_delivered(client, rt, fake_slack):
    """A drain and a channel's release die with their process: recovery queues new jobs for both, and an item
    it had claimed (mid-post) is taken over and posted: nothing waits for a lease to run out."""
    connect_whatsapp(rt)
    for n in range(7):  # past our burst of 4: the rest parks on the channel
        post_webhook(client, wa_payload([wa_message(f"wamid.K{n}", f"1555000{n:04d}", f"c{n:02d} m0")]))
    run_worker(rt)
    parked = holds.parked(rt.redis, "T1", "C1", 10)
    # past our burst of 4 the rest parks (one more may post if a token refilled meanwhile on a slow machine)
    assert parked and len(parked) + len(fake_slack.messages) == 7
    post_webhook(client, wa_payload([wa_message("wamid.K9", "15550009999", "stuck in a partition")]))
    partition = streams.partition_of(wa_payload([wa_message("wamid.K9", "15550009999", "x")]))
    rt.queue.empty()  # its drain job was taken by the worker about to die
    proc, name = _holder(rt, streams.flag_key(partition), holds.release_flag("T1", "C1"))
    [item] = payload.items(wa_payload([wa_message("wamid.K9", "15550009999", "stuck in a partition")]))
    assert dedupe.claim(rt.db.engine, item.key, None, rt.now(), defaults.DEDUPE_LEASE, owner=name)  # mid-post
    assert recovery.recover(rt.queue) == 0  # alive: nothing is taken from it
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    recovered = [0]

    def both_recovered() -> bool:
        recovered[0] += recovery.recover(rt.queue)
        return recovered[0] == 2

    _wait_for(both_recovered, defaults.LEASE_TTL + 2)
    until_delivered(rt, 30)
    texts = [m["text"] for m in fake_slack.messages]
    assert len(texts) == 8 and sum("stuck in a partition" in t for t in texts) == 1
    assert holds.parked(rt.redis, "T1", "C1", 10) == [] and streams.waiting(rt.redis) == 0


@pytest.mark.both_databases  # claims: conditional UPDATEs of dedupe rows
def test_a_claim_of_a_live_worker_is_busy_and_of_a_dead_one_taken_over(rt):
    now = rt.now()
    assert dedupe.claim(rt.db.engine, "k1", None, now, defaults.DEDUPE_LEASE, owner="proc-live")
    rt.redis.set("metaops:alive:proc-live", 1, ex=60)
    with pytest.raises(dedupe.ClaimBusy) as busy:
        claims.claim(rt, "k1")
    assert busy.value.retry_after <= defaults.LEASE_TTL  # its owner's death is looked for again soon
    rt.redis.delete("metaops:alive:proc-live")  # its heartbeat stopped
    assert claims.claim(rt, "k1")
    dedupe.done(rt.db.engine, "k1")
    assert not claims.claim(rt, "k1")  # delivered: never again
    # A claim taken before owners were recorded (migration 0010) keeps the lease rule.
    assert dedupe.claim(rt.db.engine, "k2", None, now - timedelta(seconds=10), defaults.DEDUPE_LEASE)
    with pytest.raises(dedupe.ClaimBusy):
        claims.claim(rt, "k2")


def test_a_drain_or_release_queued_twice_leaves_the_work_to_the_live_one(client, rt, fake_slack):
    connect_whatsapp(rt)
    post_webhook(client, wa_payload([wa_message("wamid.Q1", "15550001111", "once")]))
    partition = streams.partition_of(wa_payload([wa_message("wamid.Q1", "15550001111", "x")]))
    rt.queue.empty()
    rt.redis.set(streams.flag_key(partition), "other-worker")
    rt.redis.set("metaops:alive:other-worker", 1, ex=60)
    assert drain.drain(partition) == 0 and fake_slack.messages == []  # the other drain has it
    rt.redis.set(holds.release_flag("T1", "C1"), "other-worker")
    assert drain.release_channel("T1", "C1") == 0
    rt.redis.delete("metaops:alive:other-worker")  # it died
    assert drain.drain(partition) == 1 and len(fake_slack.messages) == 1


def test_a_flag_left_by_the_previous_release_is_taken_over(client, rt, fake_slack):
    """Before leases a flag held "1" with a TTL of 60 s: an upgrade never waits for it."""
    connect_whatsapp(rt)
    post_webhook(client, wa_payload([wa_message("wamid.O1", "15550001111", "from before")]))
    partition = streams.partition_of(wa_payload([wa_message("wamid.O1", "15550001111", "x")]))
    rt.queue.empty()
    rt.redis.set(streams.flag_key(partition), 1, ex=60)
    assert recovery.recover(rt.queue) == 1
    run_worker(rt)
    assert len(fake_slack.messages) == 1


@pytest.mark.both_databases  # the sweep's query for stranded events
def test_the_sweep_leaves_parked_events_to_their_channel(client, rt, fake_slack):
    connect_whatsapp(rt)
    for n in range(12):  # three times our burst of 4: even a slow run, refilling a token a second, parks some
        post_webhook(client, wa_payload([wa_message(f"wamid.S{n}", f"1555000{n:04d}", f"c{n:02d} m0")]))
    run_worker(rt)
    waiting = len(holds.parked(rt.redis, "T1", "C1", 20))
    assert waiting and waiting + len(fake_slack.messages) == 12
    rt.now = lambda: utcnow() + timedelta(minutes=5)  # long past SWEEP_GRACE and their hold
    assert periodic.sweep() == 0  # parked: not queued again
    assert len(holds.parked(rt.redis, "T1", "C1", 20)) == waiting  # and not parked twice
    until_delivered(rt, 60)
    assert len(fake_slack.messages) == 12


def test_a_job_running_on_a_dead_worker_is_not_pending(client, rt):
    connect_whatsapp(rt)
    enqueue.enqueue_retry(rt.queue, 42, (0,))
    job = Job.fetch(enqueue.event_job_id(42), connection=rt.redis, serializer=rt.queue.serializer)
    job.set_status(JobStatus.STARTED)
    rt.redis.hset(job.key, "worker_name", "gone-worker")
    assert not enqueue.is_pending(rt.queue, 42)
    rt.redis.set("metaops:alive:gone-worker", 1, ex=60)
    assert enqueue.is_pending(rt.queue, 42)


def test_a_worker_is_known_by_its_rq_name_and_recovers_when_it_starts(client, rt, fake_slack):
    connect_whatsapp(rt)
    post_webhook(client, wa_payload([wa_message("wamid.W1", "15550001111", "left by a dead drain")]))
    partition = streams.partition_of(wa_payload([wa_message("wamid.W1", "15550001111", "x")]))
    rt.queue.empty()  # the drain job died with its worker; its flag lapsed
    rt.redis.delete(streams.flag_key(partition))
    worker = Worker([rt.queue], connection=rt.redis)
    worker.work(burst=True, logging_level="WARNING")
    assert leases.me(rt.redis) == worker.name and leases.alive(rt.redis, worker.name)
    assert len(fake_slack.messages) == 1


def test_a_thread_lock_of_a_dead_process_is_taken_at_once(rt):
    key = "metaops:thread:WABA:c1:C1"
    proc, name = _holder(rt, key)
    with pytest.raises(leases.LeaseBusy):
        with leases.locked(rt.redis, key, 0.3):
            pass
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    rt.redis.delete(f"metaops:alive:{name}")  # as its heartbeat's key lapses, LEASE_TTL after the kill
    with leases.locked(rt.redis, key, 1):
        assert leases.owner_of(rt.redis, key).startswith(leases.me(rt.redis) + "/")
    assert leases.owner_of(rt.redis, key) is None


@pytest.mark.both_databases  # dedupe rows marked done when taken over
def test_a_dead_workers_post_found_in_slack_is_not_posted_again(client, rt, fake_slack):
    """Killed after Slack took its post and before the items were marked done: the worker taking the claims over
    finds the post (its metadata names the items) and marks them done; a post that never reached Slack is made."""
    connect_whatsapp(rt)
    thread = "1700000000.000001"
    fake_slack.messages.append({"channel": "C1", "ts": thread, "text": "root"})
    metadata = {"event_type": landed.EVENT_TYPE, "event_payload": {"keys": "wa:msg:a wa:msg:b"}}
    landed.post(rt, "T1", "C1", "a and b", [], thread, ["wa:msg:a", "wa:msg:b"])  # what the dead worker did
    assert fake_slack.messages[-1]["metadata"] == metadata
    rt.redis.set(landed._MARK.format("wa:msg:c"), f"T1 C1 {thread}")  # about to post c when it died
    for key in ("wa:msg:a", "wa:msg:b", "wa:msg:c"):
        assert dedupe.claim(rt.db.engine, key, None, rt.now(), defaults.DEDUPE_LEASE, owner="dead-worker")
    assert not claims.claim(rt, "wa:msg:a") and not claims.claim(rt, "wa:msg:b")  # in Slack: done, not again
    assert claims.claim(rt, "wa:msg:c")  # never reached Slack: this worker posts it
    with rt.db.session() as s:
        states = dict(s.execute(select(DedupeKey.key, DedupeKey.state)).all())
    assert states == {"wa:msg:a": "done", "wa:msg:b": "done", "wa:msg:c": "claimed"}


@pytest.mark.both_databases  # a dead owner's dedupe claim taken over
def test_slack_unreachable_while_looking_means_posting_again(client, rt, fake_slack):
    connect_whatsapp(rt)
    rt.redis.set(landed._MARK.format("wa:msg:x"), "T1 C_GONE 1700000000.000404")  # thread_not_found
    assert dedupe.claim(rt.db.engine, "wa:msg:x", None, rt.now(), defaults.DEDUPE_LEASE, owner="dead-worker")
    assert claims.claim(rt, "wa:msg:x")
