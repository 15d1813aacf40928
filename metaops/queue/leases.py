"""Leases: Redis keys a process holds only while it is alive, so a process that dies never strands work.

Every process that takes a lease (a partition's drain flag, a channel's release flag, a thread lock) has an
identity (its RQ worker name in a worker) and a daemon thread that, every LEASE_RENEW seconds, renews the
leases it holds and its own `alive` key. Both live LEASE_TTL seconds: a process killed at any instant (SIGKILL,
OOM, a deploy) lets go of all of them within LEASE_TTL, and whoever looks next (the clock's recovery, a new
worker, a waiting job) takes the work over. Dedupe claims in the database name their owner too, and `alive`
tells whether that owner can still finish (store/dedupe.py).

A flag may also hold the value QUEUED: a job for it is queued or scheduled and nobody runs it yet. That value
lives a bounded time (the job's delay plus QUEUED_FLAG_TTL); the job owns the flag when it starts.

A worker runs several delivery jobs at once, each in a thread of its pool (metaops.worker): within `job()`,
the leases a thread takes are that job's alone (`process/job`), so two jobs of one process never both hold
one flag, and whatever the job still holds when it ends (a timeout, an error) is let go at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from redis import Redis

from metaops import defaults

log = logging.getLogger(__name__)
QUEUED = "queued"
_ALIVE = "metaops:alive:{}"

# Set the key to ARGV[1] (this process) for ARGV[2] ms when it is free, QUEUED, ours, or ARGV[3] (an owner seen
# dead). 1: ours now.
_OWN = """
local v = redis.call('GET', KEYS[1])
if v == false or v == 'queued' or v == ARGV[1] or (ARGV[3] ~= '' and v == ARGV[3]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
# Renew (ARGV[2] ms) or delete (ARGV[2] = 0) the key only while it is ours (ARGV[1]). 1: it was ours.
_IF_MINE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) else redis.call('DEL', KEYS[1]) end
return 1
"""


class _Holder:
    """This process: its identity, the leases it holds, and the thread renewing them."""

    def __init__(self) -> None:
        self.name = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.held: dict[str, tuple[Redis, str]] = {}  # key -> (its Redis, the value we set)
        self.lock = threading.Lock()
        self.pid = os.getpid()
        self.redis: Redis | None = None
        self.thread: threading.Thread | None = None
        self.failing = False

    def start(self, r: Redis) -> None:
        with self.lock:
            fresh = self.redis is not r
            self.redis = r  # the process's latest connection (a worker has one)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="metaops-leases", daemon=True)
                self.thread.start()
        if fresh:
            self.beat()

    def beat(self) -> None:
        """Renew this process's alive key and every lease it holds (those it lost are forgotten)."""
        if self.redis is None:
            return
        ttl = int(defaults.LEASE_TTL * 1000)
        with self.lock:
            held = list(self.held.items())
        try:
            self.redis.set(_ALIVE.format(self.name), 1, px=ttl)
            for key, (r, value) in held:
                if not r.eval(_IF_MINE, 1, key, value, ttl):
                    with self.lock:
                        self.held.pop(key, None)
            self.failing = False
        except Exception as e:  # noqa: BLE001 - Redis away (or its client closed): nobody can take our leases over
            if not self.failing:  # meanwhile either, and the heartbeat must outlive any one failure
                log.warning("leases: could not renew (%s); trying again every %s s", e, defaults.LEASE_RENEW)
            self.failing = True

    def _run(self) -> None:
        pause = threading.Event()
        while _holder is self:
            pause.wait(defaults.LEASE_RENEW)
            self.beat()


_holder = _Holder()
_job = threading.local()  # .value: the identity of the job this thread runs (job()), else unset
_closing = threading.Event()


def close() -> None:
    """This process is stopping (a worker's warm stop): the work its leases guard hands over at its next step."""
    _closing.set()


def reopen() -> None:
    """A worker starting in this process: work goes on as long as it likes again."""
    _closing.clear()


def closing() -> bool:
    return _closing.is_set()


def _mine() -> str:
    """The value this thread's leases carry: its job's identity inside job(), else the process's."""
    return getattr(_job, "value", None) or _holder.name


def held_here(r: Redis, key: str) -> Callable[[], bool]:
    """`holds` for this thread's job, to be asked from other threads (a drain's lanes)."""
    value = _mine()
    return lambda: owner_of(r, key) == value


def me(r: Redis) -> str:
    """This process's identity, its heartbeat running (started on first use; again after a fork)."""
    global _holder
    if _holder.pid != os.getpid():
        _holder = _Holder()
    _holder.start(r)
    return _holder.name


def name_process(name: str) -> None:
    """Use `name` (the RQ worker's) as this process's identity: before any lease is taken."""
    with _holder.lock:
        _holder.name = name
        _holder.held.clear()
        _holder.redis = None  # the next `me` beats at once under the new name


def alive(r: Redis, owner: str) -> bool:
    """True while the process `owner` (a lease's value: the process, or process/lock token) renews its heartbeat."""
    process = owner.split("/", 1)[0]
    return process == _holder.name or bool(r.exists(_ALIVE.format(process)))


def owner_of(r: Redis, key: str) -> str | None:
    """Who holds the key: a process's identity, QUEUED, or None when nobody does."""
    v = r.get(key)
    return v.decode() if isinstance(v, bytes) else v


def abandoned(r: Redis, key: str) -> str | None:
    """The dead owner of the key (its process stopped renewing), else None (free, queued or held by the living)."""
    owner = owner_of(r, key)
    return owner if owner not in (None, QUEUED) and not alive(r, owner) else None


def own(r: Redis, key: str) -> bool:
    """Take the key for this process when it is free, queued, ours already, or its owner is dead. False: a live
    process holds it."""
    me(r)
    value = _mine()
    dead = abandoned(r, key) or ""
    if not r.eval(_OWN, 1, key, value, int(defaults.LEASE_TTL * 1000), dead):
        return False
    _keep(r, key, value)
    return True


def _keep(r: Redis, key: str, value: str) -> None:
    with _holder.lock:
        _holder.held[key] = (r, value)


def holds(r: Redis, key: str) -> bool:
    """True while the key is still this job's or process's (a lease lost to a stall must stop the work it guarded)."""
    return owner_of(r, key) == _mine()


def _forget(key: str, value: str) -> None:
    """Stop renewing the key if we hold it as `value` (another job of this process may hold it under its own)."""
    with _holder.lock:
        if key in _holder.held and _holder.held[key][1] == value:
            del _holder.held[key]


def release(r: Redis, key: str) -> bool:
    """Let go of the key if it is ours. True: it was."""
    return _let_go(r, key, _mine())


def _let_go(r: Redis, key: str, value: str) -> bool:
    _forget(key, value)
    return bool(r.eval(_IF_MINE, 1, key, value, 0))


def queue_for(r: Redis, key: str, seconds: float) -> None:
    """Hand the key over to a job queued for it (starting in `seconds` at the latest): QUEUED for that long plus
    QUEUED_FLAG_TTL, no longer renewed by us."""
    _forget(key, _mine())
    r.set(key, QUEUED, px=int((seconds + defaults.QUEUED_FLAG_TTL) * 1000))


@contextmanager
def job() -> Iterator[str]:
    """A job running in this thread (one of a worker's pool): the leases it takes in the block are its own, and
    those it still holds at the end are let go (a drain stopped by its deadline or an error leaves its partition
    free for recovery rather than held by a process that no longer works on it). Yields the job's identity."""
    value = f"{_holder.name}/{uuid.uuid4().hex[:8]}"
    _job.value = value
    try:
        yield value
    finally:
        _job.value = None
        with _holder.lock:
            left = [(key, r) for key, (r, v) in _holder.held.items() if v == value]
            for key, _ in left:
                del _holder.held[key]
        for key, r in left:
            try:
                r.eval(_IF_MINE, 1, key, value, 0)
            except Exception as e:  # noqa: BLE001 - Redis away: the lease lapses within LEASE_TTL anyway
                log.warning("leases: could not let go of %s (%s); it lapses within %s s", key, e, defaults.LEASE_TTL)


def mark_queued(r: Redis, key: str, seconds: float) -> bool:
    """QUEUED when nobody holds the key (True), for a job about to be queued for it."""
    return bool(r.set(key, QUEUED, nx=True, px=int((seconds + defaults.QUEUED_FLAG_TTL) * 1000)))


def requeue_abandoned(r: Redis, key: str, seconds: float) -> bool:
    """The key's owner died: QUEUED again (compare-and-set against that owner) for a new job. True: do queue one."""
    dead = abandoned(r, key)
    if dead is None:
        return mark_queued(r, key, seconds)
    script = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], 'queued', 'PX', ARGV[2]) " \
             "return 1 end return 0"
    return bool(r.eval(script, 1, key, dead, int((seconds + defaults.QUEUED_FLAG_TTL) * 1000)))


# A lock: set to ARGV[1] for ARGV[2] ms when free, or held by ARGV[3] (an owner seen dead). 1: ours now.
_LOCK = """
local v = redis.call('GET', KEYS[1])
if v == false or (ARGV[3] ~= '' and v == ARGV[3]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""


@contextmanager
def locked(r: Redis, key: str, wait: float) -> Iterator[None]:
    """A lock held while the block runs (by this call alone, not re-entrant), renewed like every lease: a dead
    holder's lapses within LEASE_TTL, or at once when its death is seen. Waits up to `wait` seconds for it, then
    raises LeaseBusy."""
    value = f"{me(r)}/{uuid.uuid4().hex[:8]}"
    pause, waited = threading.Event(), 0.0
    while not r.eval(_LOCK, 1, key, value, int(defaults.LEASE_TTL * 1000), abandoned(r, key) or ""):
        if waited >= wait:
            raise LeaseBusy(key, wait)
        pause.wait(0.05)
        waited += 0.05
    _keep(r, key, value)
    try:
        yield
    finally:
        _let_go(r, key, value)


class LeaseBusy(Exception):
    """Another live process held the lock for as long as we could wait."""

    def __init__(self, key: str, wait: float) -> None:
        super().__init__(f"{key} was held by another worker for {wait:.0f}s")
