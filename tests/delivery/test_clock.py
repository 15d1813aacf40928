"""The clock process: each periodic job enqueued once per time slot, however many clocks run, and the
schedule back by itself after Redis restarts empty."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from rq.scheduler import RQScheduler
from sqlalchemy import select

from metaops import clock, create_app, defaults, jobs, runtime
from metaops import settings as settings_mod
from metaops.clock import Clock
from metaops.queue import enqueue, streams
from store.models import WebhookEvent
from store.timestamps import utcnow
from tests.helpers import (
    RedisServer,
    connect_whatsapp,
    free_port,
    post_webhook,
    run_worker,
    texts,
    until_delivered,
    wa_message,
    wa_payload,
)

DAY = 24 * 3600
MIDNIGHT = 1_800_000_000 // DAY * DAY  # a UTC midnight: every slot starts here
SCHEDULE = {"metaops.jobs.sweep": 60, "metaops.jobs.check_tokens": DAY}


def _ids(rt) -> list[str]:
    return sorted(rt.queue.get_job_ids())


def test_each_job_once_per_slot_with_two_clocks(rt):
    now = [MIDNIGHT + 0.5]
    a, b = (Clock(rt.queue, SCHEDULE, now=lambda: now[0]) for _ in range(2))
    assert sorted(a.tick()) == [f"clock-check_tokens-{MIDNIGHT // DAY}", f"clock-sweep-{MIDNIGHT // 60}"]
    assert b.tick() == [] and a.tick() == []
    assert Clock(rt.queue, SCHEDULE, now=lambda: now[0]).tick() == []  # a clock restarted in the same slot

    now[0] += 59  # still the first minute
    assert a.tick() == b.tick() == []
    now[0] += 0.5  # the next minute: the sweep again, not the daily job
    assert b.tick() == [f"clock-sweep-{MIDNIGHT // 60 + 1}"] and a.tick() == []
    now[0] = MIDNIGHT + DAY + 0.5  # the next day: both
    assert len(a.tick()) == 2 and b.tick() == []
    assert len(_ids(rt)) == 5


def test_the_two_clocks_racing_in_threads_enqueue_once(rt):
    clocks = [Clock(rt.queue, SCHEDULE, now=lambda: MIDNIGHT + 1.0) for _ in range(8)]
    results: list[list[str]] = []
    threads = [threading.Thread(target=lambda c=c: results.append(c.tick())) for c in clocks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(len(r) for r in results) == 2 and len(_ids(rt)) == 2


def test_the_schedule_names_jobs_that_exist():
    found = clock.scheduled()
    assert {"metaops.jobs.sweep", "metaops.jobs.check_tokens"} <= set(found)
    assert found["metaops.jobs.sweep"] == defaults.SWEEP_INTERVAL
    assert found["metaops.jobs.check_tokens"] == defaults.TOKEN_CHECK_INTERVAL
    assert all(callable(getattr(jobs, name.rpartition(".")[2])) for name in found)
    assert clock.scheduled({"metaops.jobs.not_there": 5}) == {}


def test_a_job_left_waiting_past_its_slot_is_dropped(rt):
    Clock(rt.queue, SCHEDULE, now=lambda: MIDNIGHT + 1.0).tick()
    ttl = rt.redis.ttl(f"rq:job:clock-sweep-{MIDNIGHT // 60}")
    assert 0 < ttl <= 60


@pytest.fixture
def own_redis():
    server = RedisServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.mark.both_databases  # the sweep's query for stranded events
def test_after_redis_restarts_empty_the_clock_sweeps_a_stored_event_again(config, own_redis, fake_slack, caplog):
    app = create_app(settings_mod.from_mapping({**config, "REDIS_URL": f"redis://127.0.0.1:{own_redis.port}/0"}))
    rt = app.extensions["metaops"]
    now = [MIDNIGHT + 1.0]
    ticker = Clock(rt.queue, {"metaops.jobs.sweep": 60}, now=lambda: now[0])
    stop = threading.Event()
    thread = threading.Thread(target=ticker.run, args=(stop, 0.05), daemon=True)
    try:
        connect_whatsapp(rt)
        thread.start()
        r = post_webhook(app.test_client(), wa_payload([wa_message("wamid.C1", "15550007777", "lost with redis")]))
        assert r.status_code == 200

        own_redis.stop()  # the queued event, its drain job and the clock's slot keys are gone
        time.sleep(0.5)
        assert thread.is_alive() and ticker.redis_down
        assert "Redis unreachable" in caplog.text
        own_redis.start()  # empty
        with rt.db.session() as s:
            assert s.scalars(select(WebhookEvent.state)).one() == "received"

        rt.now = lambda: utcnow() + timedelta(minutes=5)  # past SWEEP_GRACE
        for _ in range(100):  # no new webhook, no new slot: the clock enqueues the sweep again by itself
            if f"clock-sweep-{MIDNIGHT // 60}" in rt.queue.get_job_ids():
                break
            time.sleep(0.05)
        assert f"clock-sweep-{MIDNIGHT // 60}" in rt.queue.get_job_ids()
        assert not ticker.redis_down
        stop.set()
        thread.join(5)
        assert not thread.is_alive()

        run_worker(rt)  # the real worker: the sweep re-queues the event, the drain posts it
        [msg] = fake_slack.messages
        assert "lost with redis" in msg["text"]
        with rt.db.session() as s:
            assert s.scalars(select(WebhookEvent.state)).one() == "done"
    finally:
        stop.set()
        rt.db.dispose()
        runtime.install(None)


def test_one_clock_at_a_time_moves_due_delayed_jobs_and_hands_over_when_it_stops(rt):
    a, b = Clock(rt.queue, {}), Clock(rt.queue, {})
    enqueue.submit(rt.queue, "metaops.jobs.sweep", 1, job_id="later")
    assert a.move_due() and not b.move_due()  # a holds RQ's scheduler lock: b leaves the duty to it
    assert "later" not in rt.queue.get_job_ids()  # not due yet
    time.sleep(1.1)
    assert a.move_due() and rt.queue.get_job_ids() == ["later"]
    assert 0 < rt.redis.pttl(RQScheduler.get_locking_key(rt.queue.name)) <= defaults.SCHEDULER_LOCK_TTL * 1000
    a.let_go()  # stopping (SIGTERM): the next clock takes the duty at its next tick
    assert b.move_due() and not a.move_due()


def test_the_clock_recovers_a_partition_whose_drain_died(client, rt, fake_slack):
    connect_whatsapp(rt)
    post_webhook(client, wa_payload([wa_message("wamid.R1", "15550001111", "its drain died")]))
    rt.queue.empty()  # the drain job was taken by a worker that died before it owned the partition
    partition = streams.partition_of(wa_payload([wa_message("wamid.R1", "15550001111", "x")]))
    rt.redis.delete(streams.flag_key(partition))  # QUEUED lapses QUEUED_FLAG_TTL after its job was due
    ticker = Clock(rt.queue, {})
    ticker.step()
    assert rt.queue.count == 1
    ticker.step()  # not again before RECOVERY_INTERVAL, and never twice for one partition
    assert rt.queue.count == 1
    run_worker(rt)
    assert len(fake_slack.messages) == 1


@pytest.mark.both_databases  # the sweep's query for stranded events
def test_texts_parked_at_our_pace_when_redis_restarts_empty_are_posted_after_the_sweep(config, own_redis, fake_slack):
    """Pace on: a burst parks most texts on the channel's list; Redis restarts empty (the lists, the release job and
    the parked set are gone); the clock's sweep queues them again and all are posted once, in order."""
    app = create_app(settings_mod.from_mapping({**config, "REDIS_URL": f"redis://127.0.0.1:{own_redis.port}/0"}))
    rt = app.extensions["metaops"]
    try:
        connect_whatsapp(rt)
        client = app.test_client()
        for n in range(8):
            post_webhook(client, wa_payload([wa_message(f"wamid.E{n}", "15550001111", f"c01 m{n}")]))
        run_worker(rt)
        posted = len(fake_slack.messages)
        assert posted < 8
        own_redis.stop()
        own_redis.start()  # empty
        rt.now = lambda: utcnow() + timedelta(minutes=5)  # past SWEEP_GRACE
        ticker = Clock(rt.queue, {"metaops.jobs.sweep": 60})
        ticker.step()
        ticker.let_go()  # until_delivered moves delayed jobs as a clock of its own
        until_delivered(rt, 60)
        shown = [n for m in fake_slack.messages for _, n in texts(m)]
        assert shown == list(range(8))
    finally:
        rt.db.dispose()
        runtime.install(None)
