"""Moving due delayed jobs (a channel's release after its hold, an event's retries, a drain after the database
came back) from RQ's scheduled registry onto the queue.

Every worker started with `--with-scheduler` (the Procfile's) and every clock is a candidate; the one holding
RQ's scheduler lock moves them. The lock lives SCHEDULER_LOCK_TTL and its holder renews it each CLOCK_TICK, so
when the holder dies another candidate (or the holder, restarted) takes over within seconds. RQ's own scheduler
(a process forked by the worker) renewed a 61 s lock and looked for a lapsed one only every ten minutes: a
killed worker that held it left every delayed job waiting that long. The same candidates run recovery
(recovery.py) every RECOVERY_INTERVAL.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid

from redis.exceptions import RedisError
from rq import Queue
from rq.scheduler import RQScheduler

from metaops import defaults
from metaops.delivery import recovery

log = logging.getLogger(__name__)

# RQ's scheduler lock: taken when free, renewed when ours (ARGV[1]) for ARGV[2] ms. 1: ours.
_LOCK = """
local v = redis.call('GET', KEYS[1])
if v == false or v == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0
"""
_UNLOCK = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


class Mover:
    """One candidate for moving the queue's due delayed jobs, and for running recovery."""

    def __init__(self, queue: Queue, name: str | None = None) -> None:
        self.queue = queue
        self.name = name or f"scheduler-{uuid.uuid4().hex}"
        self.rq = RQScheduler([queue], connection=queue.connection, serializer=queue.serializer)
        self.rq.prepare_registries([queue.name])
        self.recovered_at = float("-inf")

    def move_due(self) -> bool:
        """Move due delayed jobs onto the queue when this candidate holds RQ's scheduler lock (taken or renewed
        here). False: another one holds it."""
        key = RQScheduler.get_locking_key(self.queue.name)
        if not self.queue.connection.eval(_LOCK, 1, key, self.name, int(defaults.SCHEDULER_LOCK_TTL * 1000)):
            return False
        self.rq.enqueue_scheduled_jobs()
        return True

    def recover_when_due(self) -> int:
        """Recovery (recovery.py), at most every RECOVERY_INTERVAL."""
        if time.monotonic() - self.recovered_at < defaults.RECOVERY_INTERVAL:
            return 0
        self.recovered_at = time.monotonic()
        return recovery.recover(self.queue)

    def let_go(self) -> None:
        """Give RQ's scheduler lock back (stopping): another candidate takes the duty at its next tick."""
        with contextlib.suppress(RedisError):
            self.queue.connection.eval(_UNLOCK, 1, RQScheduler.get_locking_key(self.queue.name), self.name)


def run_in_thread(queue: Queue, name: str) -> threading.Event:
    """A daemon thread of this process moving delayed jobs and running recovery every CLOCK_TICK; set the event
    returned to stop it."""
    mover, stop = Mover(queue, name), threading.Event()

    def loop() -> None:
        failing = False
        while not stop.wait(defaults.CLOCK_TICK):
            try:
                mover.move_due()
                mover.recover_when_due()
                failing = False
            except RedisError as e:
                if not failing:
                    log.warning("scheduler: Redis unreachable (%s); trying again every %s s", e, defaults.CLOCK_TICK)
                failing = True
            except Exception:  # noqa: BLE001 - a bug in one tick must not stop delayed jobs for good
                log.exception("scheduler: tick failed")
        mover.let_go()

    threading.Thread(target=loop, name="metaops-scheduler", daemon=True).start()
    return stop
