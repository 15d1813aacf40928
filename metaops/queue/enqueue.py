"""Submitting RQ jobs: now or after a delay (RQ's scheduled registry, moved by metaops.delivery.scheduler), an
event's own job with RQ's Retry, and whether such a job is still waiting or running.

An event that fails gets a job of its own, `process_event`, with RQ's Retry; it ends in RQ's failed registry
when its tries run out.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from rq import Queue, Retry
from rq.job import Job, JobStatus

from metaops import defaults
from metaops.queue import leases
from metaops.queue.connection import SERIALIZER

PROCESS_EVENT = "metaops.jobs.process_event"
REFRESH_HOME = "metaops.jobs.refresh_home"
log = logging.getLogger(__name__)


def retry_for(intervals: tuple[int, ...] | list[int]) -> Retry | None:
    """RQ's Retry for these waits (seconds): one retry per wait; None when there are none."""
    return Retry(max=len(intervals), interval=list(intervals)) if intervals else None


def enqueue_retry(queue: Queue, event_id: int, intervals: tuple[int, ...]) -> None:
    """Give a failed event its own job with RQ's Retry: first try after intervals[0], then the rest."""
    submit(queue, PROCESS_EVENT, intervals[0] if intervals else 0, args=(event_id,),
            job_id=event_job_id(event_id), retry=retry_for(intervals[1:]))


def enqueue_later(queue: Queue, event_id: int, delay: int, retry: Retry | None = None) -> None:
    """Try one event again after `delay` seconds (Slack's Retry-After, a claim held elsewhere), as a new job
    keeping the retries it has left."""
    submit(queue, PROCESS_EVENT, delay, args=(event_id,), job_id=f"{event_job_id(event_id)}-{uuid4().hex[:8]}",
            retry=retry)


def submit(queue: Queue, func: str, delay: int, **options: Any) -> None:
    job = queue.create_job(func, timeout=defaults.JOB_TIMEOUT, result_ttl=0, failure_ttl=defaults.FAILURE_TTL,
                           **options)
    if delay:
        queue.schedule_job(job, datetime.now(UTC) + timedelta(seconds=delay))
    else:
        queue.enqueue_job(job)


def event_job_id(event_id: int) -> str:
    return f"event-{event_id}"


def is_pending(queue: Queue, event_id: int) -> bool:
    """True when the event's own job is waiting, scheduled or running (on a worker still alive)."""
    try:
        job = Job.fetch(event_job_id(event_id), connection=queue.connection, serializer=SERIALIZER)
    except Exception:  # noqa: BLE001 - rq raises NoSuchJobError or a deserialisation error: not pending
        return False
    status = job.get_status(refresh=False)
    if status == JobStatus.STARTED:
        return not job.worker_name or leases.alive(queue.connection, job.worker_name)
    return status in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


def refresh_home(queue: Queue, team_id: str, user_id: str) -> None:
    """Publish a user's Home tab again, in a job, after a change they made (metaops.surfaces.home). Never raises:
    the change is done, and the next app_home_opened publishes it anyway."""
    if not team_id or not user_id:
        return
    try:
        submit(queue, REFRESH_HOME, 0, args=(team_id, user_id))
    except Exception as e:  # noqa: BLE001 - see above
        log.warning("Home refresh for %s not queued (%s)", user_id, type(e).__name__)
