"""Periodic jobs on RQ's scheduler: each run schedules the next, one job per time slot.

A slot's job id is unique, so two workers starting at once, or a run scheduling its successor while a
worker start does the same, never schedule a job twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from rq import Queue
from rq.exceptions import DuplicateJobError

from metaops import connections, defaults
from metaops.delivery import inbox
from metaops.runtime import current
from store import events

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


def sweep() -> int:
    """Queue again the events that were stored but never processed (Redis was down, a worker died)."""
    rt = current()
    schedule_next(rt.queue, "metaops.jobs.sweep")
    older_than = rt.clock() - timedelta(seconds=defaults.SWEEP_GRACE)
    ids = [i for i in events.stranded(rt.db.engine, older_than, defaults.SWEEP_BATCH)
           if not inbox.is_pending(rt.queue, i)]
    if ids:
        log.info("re-queueing %d stranded event(s)", len(ids))
        inbox.push_events(rt.queue, ids)
    else:
        inbox.ensure_drain(rt.queue)
    return len(ids)


def check_tokens() -> int:
    """Daily: every connection's token checked, refreshed or alerted about (metaops.connections)."""
    rt = current()
    schedule_next(rt.queue, "metaops.jobs.check_tokens")
    return connections.check_tokens(rt)
