"""Periodic jobs on RQ's scheduler: each run schedules the next, one job per time slot.

A slot's job id is unique, so two workers starting at once, or a run scheduling its successor while a
worker start does the same, never schedule a job twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from rq import Queue
from rq.exceptions import DuplicateJobError

from metaops import defaults

log = logging.getLogger(__name__)

# job function -> interval in seconds
PERIODIC = {
    "metaops.jobs.sweep": defaults.SWEEP_INTERVAL,
    "metaops.jobs.check_tokens": defaults.TOKEN_CHECK_INTERVAL,
}


def schedule_all(queue: Queue, now: datetime | None = None) -> None:
    for func in PERIODIC:
        schedule_next(queue, func, now)


def schedule_next(queue: Queue, func: str, now: datetime | None = None) -> None:
    interval = PERIODIC[func]
    now = now or datetime.now(UTC)
    slot = int(now.timestamp() // interval) + 1
    job = queue.create_job(func, job_id=f"periodic-{func.rsplit('.', 1)[-1]}-{slot}", result_ttl=0,
                           failure_ttl=defaults.FAILURE_TTL, timeout=defaults.JOB_TIMEOUT)
    try:
        queue.schedule_job(job, datetime.fromtimestamp(slot * interval, UTC), unique=True)
    except DuplicateJobError:
        pass
