"""Jobs that earlier releases left pickled in Redis, rewritten in JSON before a worker takes them.

Releases before JSON queued jobs with RQ's default serializer: a job hash's `data` is the zlib-compressed pickle
of (function name, instance, args, kwargs), its `meta` (when set) a pickle too. Unpickling runs whatever the
bytes name, so these payloads are read only by an unpickler that refuses every global: plain values alone come
out (str, bytes, int, float, bool, None, tuple, list, dict). Our jobs name their function by its dotted path and
take plain arguments, so they decode, and are written back exactly as RQ's JSONSerializer writes a job (`data`:
zlib of the JSON `[function, null, args, kwargs]`, tuples becoming lists; `meta`: JSON, left out when empty).
Each then runs once, as it would have.

A payload that names anything (a class, a function to call, an extension code) or holds a value JSON cannot
carry (bytes, a set, a key that is not text) is refused, never run and never unpickled: its bytes are set
aside in the job's `pickled_data` (and `pickled_meta`) field, which nothing reads, its `data` becomes a stand-in
that only fails (metaops.jobs.refused_pickle), and the job goes to RQ's failed registry with the reason.

Jobs are looked for wherever one waits: the queue, its intermediate list (taken by a worker, not yet started),
and the scheduled, deferred and started registries. Each job is rewritten in a transaction watching its hash,
so a worker changing it meanwhile makes that job's turn start again. A second run finds nothing to do.
"""

from __future__ import annotations

import io
import logging
import pickle
import zlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import WatchError
from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import DeferredJobRegistry, FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from rq.results import Result
from rq.utils import now

from metaops.queue import connection

log = logging.getLogger(__name__)
REFUSED_FUNC = "metaops.jobs.refused_pickle"
TRIES = 5  # transactions per job before it is left for the next run (a worker kept changing it)
MAX_DEPTH = 100  # nesting of a payload's values

# (kind, key, member as stored): where a job waits; a list (the queue) or a sorted set (a registry)
Place = tuple[str, str, Any]


@dataclass(frozen=True)
class Counts:
    converted: int
    refused: int


class Refused(Exception):
    """A payload that cannot be read as plain values; the text says why."""


class _PlainValues(pickle.Unpickler):
    """Refuses every global: classes, functions, reduce targets and copyreg extensions all come through here."""

    def find_class(self, module: str, name: str) -> Any:  # noqa: ANN401 - never returns
        raise Refused(f"names {module[:80]}.{name[:80]}")


def convert(r: Redis) -> int:
    """For a worker at start: the jobs an earlier release left pickled, rewritten in JSON. Returns how many;
    refused ones are logged and moved to the failed registry."""
    return convert_all(r).converted


def convert_all(r: Redis) -> Counts:
    """Every waiting job of the app's queue that is pickled: rewritten in JSON, or refused."""
    queue = connection.make_queue(r)
    converted = refused = 0
    for job_id, places in _waiting(queue).items():
        outcome = _convert_one(queue, job_id, places)
        converted += outcome == "converted"
        refused += outcome == "refused"
    if converted or refused:
        log.info("pickled jobs: %d rewritten in JSON, %d refused", converted, refused)
    return Counts(converted, refused)


def _waiting(queue: Queue) -> dict[str, list[Place]]:
    """Every job id waiting somewhere for the queue, with the places it is listed in."""
    r = queue.connection
    found: dict[str, list[Place]] = defaultdict(list)
    for key in (queue.key, queue.intermediate_queue_key):
        for member in r.lrange(key, 0, -1):
            found[_text(member)].append(("list", key, member))
    for registry in (ScheduledJobRegistry(queue=queue), DeferredJobRegistry(queue=queue),
                     StartedJobRegistry(queue=queue)):
        for entry in r.zrange(registry.key, 0, -1):
            found[registry.parse_job_id(_text(entry))].append(("zset", registry.key, entry))
    return found


def _convert_one(queue: Queue, job_id: str, places: list[Place]) -> str | None:
    """The outcome: "converted", "refused", or None (JSON already, gone, or kept changing)."""
    key = Job.key_for(job_id)
    with queue.connection.pipeline() as pipe:
        for _ in range(TRIES):
            try:
                pipe.watch(key)
                return _rewrite(queue, pipe, job_id, places)
            except WatchError:
                continue
    log.warning("pickled jobs: job %s kept changing; left for the next run", job_id)
    return None


def _rewrite(queue: Queue, pipe: Pipeline, job_id: str, places: list[Place]) -> str | None:
    key = Job.key_for(job_id)
    raw: dict[Any, Any] = pipe.hgetall(key)
    if not raw.get(b"data"):
        return None  # ran and was deleted meanwhile, or not a job
    data, meta = raw[b"data"], raw.get(b"meta")
    try:
        payload = _inflate(data)
        new_data = None if _is_json(payload) else zlib.compress(_job_data(payload))
        new_meta = None if not meta or _is_json(meta) else _meta(meta)
    except Refused as e:
        _refuse(queue, pipe, job_id, raw, places, str(e))
        return "refused"
    if new_data is None and new_meta is None:
        return None
    pipe.multi()
    if new_data is not None:
        pipe.hset(key, "data", new_data)
    if new_meta:
        pipe.hset(key, "meta", new_meta)
    elif new_meta is not None:
        pipe.hdel(key, "meta")  # RQ writes no meta when it is empty
    pipe.execute()
    return "converted"


def _job_data(payload: bytes) -> bytes:
    """The JSON `data` of a pickled (function, instance, args, kwargs), as RQ's Job.data makes it."""
    call = _unpickle(payload)
    if not (isinstance(call, tuple | list) and len(call) == 4):
        raise Refused("is not a job's (function, instance, args, kwargs)")
    func, instance, args, kwargs = call
    if not isinstance(func, str) or instance is not None:
        raise Refused("does not name its function by a dotted path")
    if not isinstance(args, tuple | list) or not isinstance(kwargs, dict):
        raise Refused("has arguments that are not a list and a mapping")
    _check_plain(args)
    _check_plain(kwargs)
    return bytes(connection.SERIALIZER.dumps((func, None, args, kwargs)))


def _meta(raw: bytes) -> bytes:
    """A pickled `meta` in JSON; b"" when it is empty."""
    meta = _unpickle(raw)
    if not isinstance(meta, dict):
        raise Refused("has a meta that is not a mapping")
    _check_plain(meta)
    return bytes(connection.SERIALIZER.dumps(meta)) if meta else b""


def _unpickle(raw: bytes) -> Any:  # noqa: ANN401 - plain values of any shape
    try:
        return _PlainValues(io.BytesIO(raw)).load()
    except Refused:
        raise
    except Exception as e:  # noqa: BLE001 - corrupt, truncated or persistent-id pickles raise many kinds
        raise Refused(f"is not a readable pickle of plain values ({type(e).__name__})") from None


def _check_plain(value: Any, depth: int = 0) -> None:  # noqa: ANN401
    """Raises Refused unless JSON carries the value (a tuple becomes a list, as in every job RQ encodes)."""
    if depth > MAX_DEPTH:
        raise Refused("nests its values too deep")
    if value is None or isinstance(value, bool | int | float | str):
        return
    if isinstance(value, tuple | list):
        for item in value:
            _check_plain(item, depth + 1)
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise Refused(f"has a key that is not text ({type(k).__name__}), which JSON cannot carry")
            _check_plain(v, depth + 1)
        return
    raise Refused(f"holds a {type(value).__name__}, which JSON cannot carry")


def _inflate(data: bytes) -> bytes:
    """A job's `data` as RQ reads it: zlib-compressed, or (older jobs) as is."""
    try:
        return zlib.decompress(data)
    except zlib.error:
        return data


def _text(v: Any) -> str:  # noqa: ANN401 - what redis-py returns: bytes, or str when decoding
    return v.decode() if isinstance(v, bytes) else v


def _is_json(raw: bytes) -> bool:
    try:
        connection.SERIALIZER.loads(raw)
    except ValueError:  # not UTF-8, or not JSON
        return False
    return True


def _refuse(queue: Queue, pipe: Pipeline, job_id: str, raw: dict[Any, Any], places: list[Place],
            why: str) -> None:
    """Set the payload aside, put a stand-in that only fails in its place, and fail the job: off every place it
    waits in, into the failed registry with the reason."""
    reason = (f"Refused when converting pickled jobs to JSON: its payload {why}. Only plain values are read from "
              "a pickle; nothing was run. The payload is kept, unread, in the job's pickled_data field.")
    stand_in = zlib.compress(connection.SERIALIZER.dumps((REFUSED_FUNC, None, [reason], {})))
    job = Job(job_id, connection=queue.connection, serializer=connection.SERIALIZER)
    job.restore({**raw, b"data": stand_in, b"meta": b""})  # nothing of the pickle is read
    job.ended_at = now()
    pipe.multi()
    for key in (queue.key, queue.intermediate_queue_key):  # where it is now, should a worker or the scheduler
        pipe.lrem(key, 0, job_id)                           # have moved it since it was found
    for registry in (ScheduledJobRegistry(queue=queue), DeferredJobRegistry(queue=queue)):
        pipe.zrem(registry.key, job_id)
    for kind, place, member in places:
        if kind == "zset":
            pipe.zrem(place, member)  # a started entry is `id:execution`
    pipe.hset(job.key, "pickled_data", raw[b"data"])
    if raw.get(b"meta"):
        pipe.hset(job.key, "pickled_meta", raw[b"meta"])
        pipe.hdel(job.key, "meta")
    job.set_status(JobStatus.FAILED, pipeline=pipe)
    FailedJobRegistry(queue=queue).add(job, ttl=job.failure_ttl, exc_string=reason, pipeline=pipe)
    Result.create_failure(job, job.failure_ttl, exc_string=reason, pipeline=pipe)
    pipe.execute()
    log.warning("pickled jobs: job %s refused, moved to the failed registry: its payload %s", job_id, why)
