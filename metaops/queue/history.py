"""The history import's job (metaops.delivery.history_import): one per business number at a time, guarded by a
lease, and remembered in a set so recovery queues a new one when its worker died or the job was lost."""

from __future__ import annotations

from redis import Redis
from rq import Queue

from metaops.queue import enqueue, leases

IMPORT = "metaops.jobs.import_history"
IMPORTS = "metaops:history-imports"  # business ids of every import under way


def flag(business_id: str) -> str:
    return f"metaops:history-import:{business_id}"


def start(queue: Queue, business_id: str) -> None:
    """Queue the number's import unless one is queued or running (that one takes up what is waiting)."""
    r = queue.connection
    r.sadd(IMPORTS, business_id)
    if leases.mark_queued(r, flag(business_id), 0):
        enqueue.submit(queue, IMPORT, 0, args=(business_id,))


def later(queue: Queue, business_id: str, wait: int) -> None:
    """The running import hands the number over to a new job, `wait` seconds from now."""
    leases.queue_for(queue.connection, flag(business_id), wait)
    enqueue.submit(queue, IMPORT, wait, args=(business_id,))


def finished(r: Redis, business_id: str) -> None:
    r.srem(IMPORTS, business_id)
    leases.release(r, flag(business_id))


def recover(queue: Queue) -> int:
    """A job for every import under way whose job neither waits nor runs. Returns how many were queued."""
    queued = 0
    r = queue.connection
    for member in r.smembers(IMPORTS):
        business_id = member.decode() if isinstance(member, bytes) else str(member)
        if leases.requeue_abandoned(r, flag(business_id), 0):
            enqueue.submit(queue, IMPORT, 0, args=(business_id,))
            queued += 1
    return queued
