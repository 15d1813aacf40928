"""Several delivery jobs at once in one worker process (metaops.worker, WORKER_DRAINS): each customer's texts once
and in order, the jobs at once bounded, a kill with several drains in flight, a drain stuck on the database while
the others deliver, and jobs queued under the names of earlier releases.

Slack is slow here as it is from a typical host (the fake answers each call after LATENCY), and our pace is off in
the tests that need several posts at once into the one channel: at our pace (one post a second per channel) the
drains of one channel park rather than post together."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time

import pytest
from rq.registry import FailedJobRegistry, StartedJobRegistry
from sqlalchemy import create_engine, select, text

from metaops import defaults
from metaops.queue import streams
from store.models import WebhookEvent
from tests.constants import ROOT
from tests.helpers import (
    burst,
    by_customer,
    connect_whatsapp,
    post_webhook,
    run_worker,
    texts,
    until,
    wa_message,
    wa_payload,
    worker_command,
    worker_env,
)

LATENCY = 0.1  # seconds the Slack fake takes to answer each call
CUSTOMERS, EACH = 20, 5
UNPACED = pytest.mark.unpaced(why="several drains post into the one channel at once only without its pace of one "
                                  "post a second; what is tested is the worker running them at once")


def _states(rt) -> list[str]:
    with rt.db.session() as s:
        return list(s.scalars(select(WebhookEvent.state)))


def _start(config: dict, **env: str) -> subprocess.Popen:
    """The Procfile's worker line in a process group of its own (SIGKILL of the group: a crash)."""
    return subprocess.Popen(worker_command(), env={**worker_env(config), **env}, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)


def _in_order_once(messages: list[dict]) -> bool:
    seen = by_customer(messages)
    return len(seen) == CUSTOMERS and all(v == list(range(EACH)) for v in seen.values())


@UNPACED
def test_one_worker_delivers_many_partitions_at_once_each_customers_texts_once_and_in_order(client, rt, fake_slack):
    fake_slack.latency = LATENCY
    connect_whatsapp(rt)
    burst(client, CUSTOMERS, EACH)
    busy = [p for p in range(defaults.PARTITIONS) if rt.redis.xlen(streams.stream_key(p))]
    assert len(busy) > 4  # the customers are spread over partitions
    run_worker(rt)  # the Procfile's class, in this process
    assert len(fake_slack.messages) == CUSTOMERS * EACH and _in_order_once(fake_slack.messages)
    assert set(_states(rt)) == {"done"} and streams.waiting(rt.redis) == 0
    assert fake_slack.most_in_flight > 1  # drains waited on Slack at the same time
    assert StartedJobRegistry(queue=rt.queue).get_job_ids() == []  # every job left the started registry
    assert FailedJobRegistry(queue=rt.queue).get_job_ids() == []


@UNPACED
def test_the_jobs_one_worker_runs_at_once_are_bounded_by_worker_drains(client, rt, config, fake_slack):
    """The Procfile's worker line with WORKER_DRAINS=3: never more than 3 Slack calls at once (each job makes one
    at a time), yet more than one."""
    fake_slack.latency = LATENCY
    connect_whatsapp(rt)
    burst(client, CUSTOMERS, EACH)
    worker = _start(config, WORKER_DRAINS="3")
    try:
        assert until(lambda: set(_states(rt)) == {"done"}, 120, 0.2), "texts left undelivered"
    finally:
        _kill(worker)
    assert 1 < fake_slack.most_in_flight <= 3
    assert _in_order_once(fake_slack.messages) and len(fake_slack.messages) == CUSTOMERS * EACH


def test_a_worker_killed_with_several_drains_in_flight_loses_nothing(client, rt, config, fake_slack):
    """Our pace and Slack's on, as in production: SIGKILL while several drains wait on Slack (the channel's burst lets
    several posts go at once), then the same line again: every text shown, each customer's in order, and at most one
    shown twice per delivery job that was running (the item it had posted and not yet marked done, unless its post
    is found in Slack by its metadata). After the kill, a customer's waiting texts may go as one post."""
    fake_slack.latency = LATENCY
    connect_whatsapp(rt)
    burst(client, CUSTOMERS, EACH)
    worker = _start(config)
    try:
        assert until(lambda: fake_slack.in_flight >= 2, 60, 0.002), "never several posts in flight"
        in_flight = fake_slack.in_flight
    finally:
        _kill(worker)
    assert sum(len(texts(m)) for m in fake_slack.messages) < CUSTOMERS * EACH  # killed mid-burst
    worker = _start(config)
    try:
        assert until(lambda: set(_states(rt)) == {"done"}, 240, 0.2), "texts left undelivered"
    finally:
        _kill(worker)
    seen: dict[str, list[int]] = {}
    for m in fake_slack.messages:
        for customer, n in texts(m):
            seen.setdefault(customer, []).append(n)
    assert len(seen) == CUSTOMERS and all(set(v) == set(range(EACH)) for v in seen.values())  # nothing lost
    assert sum(len(v) for v in seen.values()) - CUSTOMERS * EACH <= in_flight  # the guarantee
    for numbers in seen.values():  # a repost right after its first post: order kept
        assert [n for i, n in enumerate(numbers) if i == 0 or numbers[i - 1] != n] == list(range(EACH))
    assert streams.waiting(rt.redis) == 0


@pytest.mark.both_databases
@UNPACED
def test_a_drain_held_up_by_the_database_does_not_hold_up_the_others(client, rt, config, fake_slack, database_kind):
    """One customer's event row locked by another connection (a slow transaction elsewhere): its drain waits to mark
    it done while every other customer's texts are delivered; once the lock goes, it finishes, nothing twice."""
    if database_kind == "sqlite":
        pytest.skip("SQLite locks the whole file for a writer: there every drain waits, by design of SQLite")
    connect_whatsapp(rt)
    burst(client, CUSTOMERS, 2)
    with rt.db.session() as s:
        first, body = s.execute(select(WebhookEvent.id, WebhookEvent.body).order_by(WebhookEvent.id)).first()
    behind = rt.redis.xlen(streams.stream_key(streams.partition_of(bytes(body)))) - 1  # its partition's others
    locker = create_engine(str(config["DATABASE_URL"]))
    conn = locker.connect()
    worker = None
    try:
        tx = conn.begin()
        conn.execute(text("SELECT id FROM webhook_events WHERE id = :id FOR UPDATE"), {"id": first})
        worker = _start(config)
        # every other partition's texts are posted; the locked event's (posted, not yet marked done) and those
        # behind it in its partition wait
        assert until(lambda: len(fake_slack.messages) == CUSTOMERS * 2 - behind, 60, 0.1), \
            "the other drains stalled"
        time.sleep(1)
        assert len(fake_slack.messages) == CUSTOMERS * 2 - behind
        assert len(_states(rt)) - _states(rt).count("done") == behind + 1
        tx.rollback()
        assert until(lambda: set(_states(rt)) == {"done"}, 60, 0.1), "the held-up drain never finished"
    finally:
        conn.close()
        locker.dispose()
        if worker is not None:
            _kill(worker)
    seen = by_customer(fake_slack.messages)
    assert len(fake_slack.messages) == CUSTOMERS * 2 and all(v == [0, 1] for v in seen.values())


def test_jobs_queued_under_the_names_of_earlier_releases_still_run(client, rt, fake_slack):
    """A release before issue 24 queued `metaops.jobs.drain`, `release_channel` and `process_event` the same way:
    queued now by name, as RQ stored them then, they run in the pool."""
    connect_whatsapp(rt)
    post_webhook(client, wa_payload([wa_message("wamid.OLD1", "15550001111", "c01 m0")]))
    [partition] = [p for p in range(defaults.PARTITIONS) if rt.redis.xlen(streams.stream_key(p))]
    rt.redis.delete(streams.flag_key(partition))  # as if its drain job were lost: only the old-style job below
    rt.redis.delete(f"rq:queue:{defaults.QUEUE_NAME}")
    rt.queue.enqueue_call("metaops.jobs.drain", args=(partition,), result_ttl=0)
    rt.queue.enqueue_call("metaops.jobs.release_channel", args=("T1", "C1"), result_ttl=0)
    rt.queue.enqueue_call("metaops.jobs.process_event", args=(999999,), result_ttl=0)  # unknown: nothing to do
    run_worker(rt)
    assert by_customer(fake_slack.messages) == {"c01": [0]}
    assert set(_states(rt)) == {"done"}
    assert FailedJobRegistry(queue=rt.queue).get_job_ids() == [] and rt.queue.get_job_ids() == []


def test_a_job_over_its_timeout_in_a_thread_fails_into_the_failed_registry(rt, fake_slack):
    """RQ's timeout (SIGALRM) reaches only the main thread: a delivery job in a thread gets its own, raised in that
    thread once its Slack call returns. The job ends in RQ's failed registry, as one timed out in the main thread."""
    fake_slack.latency = 1.5
    job = rt.queue.enqueue_call("metaops.jobs.conversation_note", args=("T1", "C1", "1700000000.000001", "a note"),
                                timeout=1, result_ttl=0, failure_ttl=600)
    run_worker(rt)
    assert FailedJobRegistry(queue=rt.queue).get_job_ids() == [job.id]
    job.refresh()
    assert "JobTimeoutException" in (job.latest_result().exc_string or "")
    assert StartedJobRegistry(queue=rt.queue).get_job_ids() == []


@UNPACED
def test_a_warm_stop_hands_the_running_drains_over(client, rt, config, fake_slack):
    """SIGTERM (a deploy) while drains wait on Slack: the drains hand over at their next event, the worker leaves no
    job started and exits; the next worker delivers the rest, every text once and in order."""
    fake_slack.latency = LATENCY
    connect_whatsapp(rt)
    burst(client, CUSTOMERS, EACH)
    worker = _start(config)
    try:
        assert until(lambda: len(fake_slack.messages) >= 20, 60, 0.01), "nothing was posted"
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(60) == 0
    finally:
        _kill(worker)
    shown = len(fake_slack.messages)
    assert shown < CUSTOMERS * EACH  # stopped mid-burst
    assert StartedJobRegistry(queue=rt.queue).get_job_ids() == []
    assert streams.waiting(rt.redis) > 0 and rt.queue.count > 0  # handed over: drains queued for what is left
    worker = _start(config)
    try:
        assert until(lambda: set(_states(rt)) == {"done"}, 120, 0.2), "texts left undelivered"
    finally:
        _kill(worker)
    assert len(fake_slack.messages) == CUSTOMERS * EACH and _in_order_once(fake_slack.messages)


@pytest.mark.parametrize("value", ["many", "0", "257", "2.5"])
def test_a_bad_worker_drains_setting_stops_the_process_with_its_name(value):
    from metaops import settings
    from metaops.exceptions import ConfigError

    with pytest.raises(ConfigError, match="WORKER_DRAINS must be a whole number of jobs at once, from 1 to 256"):
        settings.from_mapping({"ENCRYPTION_KEYS": "x" * 43 + "=", "WORKER_DRAINS": value})
    assert settings.from_mapping({"ENCRYPTION_KEYS": "x" * 43 + "=", "WORKER_DRAINS": "8"}).WORKER_DRAINS == 8
