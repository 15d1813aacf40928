"""The `clock` process (`python -m metaops.clock`): the schedule of periodic jobs, delayed jobs, and recovery.

Each tick (CLOCK_TICK) it enqueues the periodic jobs of SCHEDULE whose slot is due (below), and, as a candidate
like every worker, moves due delayed jobs onto the queue while it holds RQ's scheduler lock and runs recovery
every RECOVERY_INTERVAL (metaops.delivery.scheduler).

Every CLOCK_TICK it enqueues each job of SCHEDULE whose current time slot (now // interval, in UTC
seconds) has not been enqueued yet. A Redis key per job and slot, taken with SET NX EX, makes that once
per slot however many clock processes run and however often one restarts. A Redis restarted empty has
lost those keys, so every job is enqueued again at the next tick: the sweep re-queues the stored events
nobody processed and the daily jobs run once more. Redis down: the clock logs it, keeps ticking and
tries again each tick. SIGTERM or SIGINT: it stops at once, exit 0.

Why not RQ's `rq cron`: it has no lock (two cron processes enqueue everything twice), enqueues every
interval job again at each restart, and exits 1 when Redis is unreachable at a tick, which under honcho
(`make run`) stops web and worker too (tried: honcho SIGTERMs every other process when one exits).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from types import FrameType

from redis.exceptions import RedisError
from rq import Queue

from metaops import defaults
from metaops.delivery.scheduler import Mover

log = logging.getLogger(__name__)

# job (a function of metaops.jobs, by its stable name) -> how often it is enqueued, seconds.
# A name metaops.jobs does not define is left out (see scheduled()).
SCHEDULE: dict[str, int] = {
    "metaops.jobs.sweep": defaults.SWEEP_INTERVAL,
    "metaops.jobs.sweep_outbox": defaults.SWEEP_INTERVAL,
    "metaops.jobs.check_tokens": defaults.TOKEN_CHECK_INTERVAL,
    "metaops.jobs.check_graph_version": defaults.GRAPH_VERSION_CHECK_INTERVAL,
    "metaops.jobs.retention": defaults.RETENTION_INTERVAL,
    "metaops.jobs.window_nudges": defaults.WINDOW_NUDGE_INTERVAL,
    "metaops.jobs.wake_snoozed": defaults.SNOOZE_WAKE_INTERVAL,
    "metaops.jobs.resume_campaigns": defaults.CAMPAIGN_SWEEP_INTERVAL,
}
SLOT_KEY = "metaops:clock:{job}:{slot}"  # set once per job and slot by whichever clock enqueues it
SLOT_KEY_MARGIN = 60  # a slot's key outlives its slot by this much (clocks on machines a little apart), seconds


def scheduled(schedule: Mapping[str, int] = SCHEDULE) -> dict[str, int]:
    """The entries of `schedule` whose function exists."""
    found = {}
    for name, interval in schedule.items():
        module, _, func = name.rpartition(".")
        if callable(getattr(importlib.import_module(module), func, None)):
            found[name] = interval
    return found


class Clock:
    def __init__(self, queue: Queue, schedule: Mapping[str, int] | None = None,
                 now: Callable[[], float] = time.time) -> None:
        self.queue = queue
        self.schedule = dict(scheduled() if schedule is None else schedule)
        self.now = now
        self.redis_down = False
        self.mover = Mover(queue, f"clock-{uuid.uuid4().hex}")

    def step(self) -> None:
        """One tick: periodic jobs enqueued, due delayed jobs moved, and (every RECOVERY_INTERVAL) recovery."""
        self.tick()
        if self.redis_down:
            return
        try:
            self.move_due()
            self.mover.recover_when_due()
        except RedisError as e:
            log.warning("clock: Redis unreachable (%s)", e)

    def move_due(self) -> bool:
        """Move due delayed jobs when this clock holds RQ's scheduler lock; False: another candidate holds it."""
        return self.mover.move_due()

    def let_go(self) -> None:
        self.mover.let_go()

    def tick(self) -> list[str]:
        """Enqueue every job whose current slot no clock has enqueued yet; returns the ids of the jobs enqueued."""
        now, enqueued = self.now(), []
        try:
            for name, interval in self.schedule.items():
                job_id = self._enqueue_once(name, interval, int(now // interval))
                if job_id:
                    enqueued.append(job_id)
        except RedisError as e:
            if not self.redis_down:
                log.warning("clock: Redis unreachable (%s); trying again every %s s", e, defaults.CLOCK_TICK)
            self.redis_down = True
            return enqueued
        if self.redis_down:
            log.info("clock: Redis is back")
            self.redis_down = False
        return enqueued

    def _enqueue_once(self, name: str, interval: int, slot: int) -> str | None:
        job = name.rpartition(".")[2]
        key = SLOT_KEY.format(job=job, slot=slot)
        if not self.queue.connection.set(key, 1, nx=True, ex=interval + SLOT_KEY_MARGIN):
            return None  # this slot is done, by us or by another clock
        # ttl: a job still waiting when its next slot comes is dropped (a worker down for hours runs one sweep).
        rq_job = self.queue.create_job(name, job_id=f"clock-{job}-{slot}", timeout=defaults.JOB_TIMEOUT,
                                       result_ttl=0, ttl=interval, failure_ttl=defaults.FAILURE_TTL)
        try:
            self.queue.enqueue_job(rq_job)
        except RedisError:
            with contextlib.suppress(RedisError):
                self.queue.connection.delete(key)  # give the slot back: the next tick tries again
            raise
        log.info("clock: enqueued %s (slot %d)", name, slot)
        return rq_job.id

    def run(self, stop: threading.Event, every: float = defaults.CLOCK_TICK) -> None:
        """Tick until `stop` is set; nothing but `stop` ends it."""
        log.info("clock: started; %s", ", ".join(f"{n} every {i} s" for n, i in self.schedule.items()))
        while not stop.is_set():
            try:
                self.step()
            except Exception:  # noqa: BLE001 - a bug in one tick must not stop the schedule
                log.exception("clock: tick failed")
            stop.wait(every)
        self.let_go()
        log.info("clock: stopped")


def main() -> None:
    from metaops.exceptions import ConfigError
    from metaops.queue import connection
    from metaops.settings import load

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load()
    except ConfigError as e:
        sys.exit(f"metaops: {e}")
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    Clock(connection.make_queue(connection.connect(settings))).run(stop)


if __name__ == "__main__":
    main()
