"""The Procfile's worker class: a SimpleWorker that enqueues no periodic jobs (the clock does) and moves delayed
jobs while it holds RQ's scheduler lock."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry
from rq.scheduler import RQScheduler

from metaops import defaults, jobs
from metaops.queue import enqueue
from metaops.worker import Worker
from tests.constants import ROOT
from tests.helpers import run_worker, until, worker_command, worker_env


def test_the_worker_is_a_simple_worker_that_schedules_nothing(rt):
    assert issubclass(Worker, SimpleWorker)
    run_worker(rt)
    assert ScheduledJobRegistry(queue=rt.queue).get_job_ids() == [] and rt.queue.get_job_ids() == []


def test_a_sweep_run_schedules_no_successor(rt):
    assert jobs.sweep() == 0
    assert ScheduledJobRegistry(queue=rt.queue).get_job_ids() == [] and rt.queue.get_job_ids() == []


def test_the_worker_line_moves_delayed_jobs_itself_and_takes_the_lock_of_a_killed_worker(config, rt):
    """`--with-scheduler`: our thread moves due delayed jobs, no clock needed; a worker SIGKILLed while it holds
    RQ's scheduler lock hands the duty to the next within SCHEDULER_LOCK_TTL (RQ's own looked after 10 minutes)."""
    lock = RQScheduler.get_locking_key(rt.queue.name)
    env = worker_env(config)
    first = subprocess.Popen(worker_command(), env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    second = None
    try:
        assert until(lambda: rt.redis.get(lock) is not None, 20)
        enqueue.submit(rt.queue, "metaops.jobs.sweep", 1, job_id="delayed-1")
        assert until(lambda: _finished(rt, "delayed-1"), 10)  # moved when due, and run
        second = subprocess.Popen(worker_command(), env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
        held_by = rt.redis.get(lock)
        time.sleep(2)
        assert rt.redis.get(lock) == held_by  # the second waits while the first lives
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        killed = time.monotonic()
        assert until(lambda: rt.redis.get(lock) not in (None, held_by), defaults.SCHEDULER_LOCK_TTL + 5)
        assert time.monotonic() - killed <= defaults.SCHEDULER_LOCK_TTL + 2
        enqueue.submit(rt.queue, "metaops.jobs.sweep", 1, job_id="delayed-2")
        assert until(lambda: _finished(rt, "delayed-2"), 10)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


def _finished(rt, job_id: str) -> bool:
    return not rt.redis.exists(f"rq:job:{job_id}") and rt.queue.count == 0 and \
        not ScheduledJobRegistry(queue=rt.queue).get_job_ids()
