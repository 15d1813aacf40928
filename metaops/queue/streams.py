"""The inbox: stored events queued on Redis streams, one of `PARTITIONS`, and drained in order.

Events are appended to one of `PARTITIONS` Redis streams, chosen by the conversation the payload is about (the
asset and the customer of its first item), so one customer's events keep their order while customers drain in
parallel on any number of RQ workers. Each partition has one drain at a time: its flag key says QUEUED while a
drain job waits, and names the drain's process while it runs (a lease, leases.py, that lapses within seconds of
that process dying); the job reads the stream through a consumer group and acknowledges an event only once it is
processed, so a worker that dies leaves its event pending and the next drain of that partition takes it over
first. `ensure_drain` (recovery, the sweep) starts a drain for every partition with events and no live or queued
drain. Stream and flag keys carry a hash tag (`{p3}`) so a partition's keys stay together on a Redis Cluster.
"""

from __future__ import annotations

import json
import logging
import zlib
from typing import Any, cast

from redis import Redis
from redis.client import Pipeline
from rq import Queue
from sqlalchemy import Engine

from metaops import defaults
from metaops.queue import enqueue, leases
from store import events

log = logging.getLogger(__name__)
LEGACY_EVENTS_KEY = "metaops:events"  # the single list of releases before partitions; drained into them
GROUP = "drain"  # the consumer group every partition stream is read through
DRAIN = "metaops.jobs.drain"


def stream_key(partition: int) -> str:
    return f"metaops:{{p{partition}}}:events"


def flag_key(partition: int) -> str:
    """QUEUED while a drain job for the partition waits; the drain's process while it runs (leases.py)."""
    return f"metaops:{{p{partition}}}:drain"


def partition_of(payload: Any) -> int:
    """The partition of a webhook payload (a dict, or its raw JSON bytes): by its conversation, the asset and
    the customer of its first item, so one customer's events keep their order and customers drain in parallel."""
    if isinstance(payload, bytes | str):
        try:
            payload = json.loads(payload)
        except ValueError:
            payload = {}
    return zlib.crc32(conversation_of(payload).encode()) % defaults.PARTITIONS


def conversation_of(payload: Any) -> str:
    """`asset:customer` of a payload's first item (the asset alone when it names no customer)."""
    entry = _first(payload.get("entry") if isinstance(payload, dict) else None)
    change = _first(entry.get("changes"))
    value: dict[str, Any] = change["value"] if isinstance(change.get("value"), dict) else {}
    who: Any = None
    for field, keys in _WHO:
        item = _first(value.get(field))
        who = next((item.get(k) for k in keys if item.get(k)), None)
        if who:
            break
    messaging = _first(entry.get("messaging"))
    if not who and messaging:
        side = "recipient" if (_first([messaging.get("message")]).get("is_echo")) else "sender"
        who = _first([messaging.get(side)]).get("id")
    return f"{entry.get('id', '')}:{who or ''}"


# where a WhatsApp change names its customer: (value field, keys in the order tried)
_WHO = (("messages", ("from_user_id", "from")), ("statuses", ("recipient_user_id", "recipient_id")),
        ("message_echoes", ("to_user_id", "to")), ("user_preferences", ("user_id", "wa_id")),
        ("calls", ("from_user_id", "from")), ("groups", ("group_id",)), ("contacts", ("user_id", "wa_id")))


def _first(v: Any) -> dict[str, Any]:
    return v[0] if isinstance(v, list) and v and isinstance(v[0], dict) else {}


# Append event ids to a partition's stream, in order, and mark a drain job queued unless one is (or runs),
# atomically.
_PUSH = """
for i = 2, #ARGV do redis.call('XADD', KEYS[1], '*', 'id', ARGV[i]) end
return redis.call('SET', KEYS[2], 'queued', 'NX', 'PX', ARGV[1])
"""


def push_events(queue: Queue, events: list[tuple[int, int]], pipe: Pipeline | None = None) -> None:
    """Queue stored events, each `(event id, partition)`: one script call per partition (its ids in the order
    given) and one round trip for all of them, then a drain job for each partition that had none pending.
    `pipe`: a pipeline already holding other commands (the batch's counts), sent in the same round trip; their
    replies are not looked at."""
    by_partition: dict[int, list[int]] = {}
    for event_id, partition in events:
        by_partition.setdefault(partition, []).append(event_id)
    if pipe is None:
        pipe = queue.connection.pipeline(transaction=False)
    for partition, ids in by_partition.items():
        pipe.eval(_PUSH, 2, stream_key(partition), flag_key(partition), defaults.QUEUED_FLAG_TTL * 1000, *ids)
    sent = len(pipe)
    replies = pipe.execute(raise_on_error=False)[sent - len(by_partition):] if sent else []
    for reply in replies:
        if isinstance(reply, Exception):
            raise reply
    for partition, flag_set in sorted(zip(by_partition, replies, strict=True)):
        if flag_set:
            enqueue_drain(queue, partition)


def push_stored(queue: Queue, engine: Engine, event_ids: list[int]) -> None:
    """Queue events already stored (the sweep, requeue-failed): their partitions read from their bodies."""
    bodies = events.bodies(engine, event_ids)
    push_events(queue, [(i, partition_of(bodies.get(i, b""))) for i in event_ids])


def waiting(r: Redis) -> int:
    """Events in every partition, not yet processed."""
    return sum(int(r.xlen(stream_key(p))) for p in range(defaults.PARTITIONS))


def enqueue_drain(queue: Queue, partition: int, delay: int = 0) -> None:
    enqueue.submit(queue, DRAIN, delay, args=(partition,))


def ensure_drain(queue: Queue) -> int:
    """Start a drain job for every partition with events waiting and no drain queued or running (its worker
    died, or its job was lost). Returns how many were started."""
    r, started = queue.connection, 0
    pipe = r.pipeline(transaction=False)
    for partition in range(defaults.PARTITIONS):
        pipe.xlen(stream_key(partition))
    for partition, waiting_events in enumerate(pipe.execute()):
        if waiting_events and leases.requeue_abandoned(r, flag_key(partition), 0):
            log.info("partition %d had events and no live drain: drain queued", partition)
            enqueue_drain(queue, partition)
            started += 1
    return started


def ensure_group(r: Redis, partition: int) -> None:
    """The consumer group of a partition's stream, created with the stream when missing (Redis restarted)."""
    try:
        r.xgroup_create(stream_key(partition), GROUP, id="0", mkstream=True)
    except Exception as e:  # noqa: BLE001 - redis-py raises ResponseError BUSYGROUP when it exists
        if "BUSYGROUP" not in str(e):
            raise


def read(r: Redis, partition: int, consumer: str, count: int) -> list[tuple[str, int]]:
    """Up to `count` events of a partition, oldest first, as (stream entry id, event id): first those another
    drain read but never acknowledged (it died; this job holds the partition's flag, so no one else works it),
    then new ones."""
    key = stream_key(partition)
    claimed = r.xautoclaim(key, GROUP, consumer, min_idle_time=0, start_id="0-0", count=count)
    entries = claimed[1] if claimed and len(claimed) > 1 else []
    if not entries:
        # redis-py's stub lists every reply shape; with legacy_responses (its default, kept by connect()): a list
        answer = cast("list[list[Any]]", r.xreadgroup(GROUP, consumer, {key: ">"}, count=count))
        entries = answer[0][1] if answer else []
    return [(_text(entry_id), int(fields[b"id"])) for entry_id, fields in entries if fields]


def acknowledge(pipe: Pipeline, partition: int, entry_ids: list[str]) -> None:
    """Into the caller's pipeline: these events are processed (or have jobs of their own), off the partition for
    good."""
    if entry_ids:
        pipe.xack(stream_key(partition), GROUP, *entry_ids)
        pipe.xdel(stream_key(partition), *entry_ids)


def _text(v: bytes | str) -> str:
    return v.decode() if isinstance(v, bytes) else v


