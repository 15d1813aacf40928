"""The Procfile's worker class is a SimpleWorker that schedules nothing: the clock process enqueues periodic jobs."""

from __future__ import annotations

from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry

from metaops import jobs
from metaops.worker import Worker
from tests.helpers import run_worker


def test_the_worker_is_a_simple_worker_that_schedules_nothing(rt):
    assert issubclass(Worker, SimpleWorker)
    run_worker(rt)
    assert ScheduledJobRegistry(queue=rt.queue).get_job_ids() == [] and rt.queue.get_job_ids() == []


def test_a_sweep_run_schedules_no_successor(rt):
    assert jobs.sweep() == 0
    assert ScheduledJobRegistry(queue=rt.queue).get_job_ids() == [] and rt.queue.get_job_ids() == []
