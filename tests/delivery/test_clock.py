"""The clock process: each periodic job enqueued once per time slot, however many clocks run, and the
schedule back by itself after Redis restarts empty."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from metaops import clock, create_app, defaults, jobs, runtime
from metaops import settings as settings_mod
from metaops.clock import Clock
from store.clock import utcnow
from store.models import WebhookEvent
from tests.helpers import (
    RedisServer,
    connect_whatsapp,
    free_port,
    post_webhook,
    run_worker,
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

        rt.clock = lambda: utcnow() + timedelta(minutes=5)  # past SWEEP_GRACE
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
