"""Conversations side by side: a drain's batch split by conversation, each conversation's events in order, the
conversations at once in the worker process's lanes.

A partition holds many customers (their conversations hash into PARTITIONS streams), and a customer's message
waits on Slack 100-300 ms: delivered one after the other, the customers of one busy partition would wait on each
other. The batch is split by the same conversation key the partition was chosen by (streams.conversation_of),
so every order the partition kept, each conversation keeps; conversations never had an order between them.

The lanes are WORKER_DRAINS threads per process, shared by every drain it runs; a conversation runs once it has
one of the process's delivery slots (Slots), which its other delivery jobs share, and the database pool has room
for one connection per slot (metaops/runtime.py). A batch of one conversation runs in the drain's own thread.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from metaops import defaults
from metaops.runtime import current

T = TypeVar("T")
R = TypeVar("R")

LOST, HAND_OVER = "lease lost", "hand over"  # why a Guard stopped its lanes

_pool: tuple[int, Slots, ThreadPoolExecutor] | None = None  # (pid, its slots, its lanes): a forked child makes its own
_pool_lock = threading.Lock()


class Guard:
    """Whether the lanes of one drain may take their next event: it still holds its partition (asked of Redis at
    most every LEASE_CHECK seconds, by whichever lane comes first, since a lease can only lapse over a stall of
    seconds), it is not time to hand over to a new job, and nobody stopped it."""

    def __init__(self, ours: Callable[[], bool], time_up: Callable[[], bool]) -> None:
        self._ours = ours
        self._time_up = time_up
        self._lock = threading.Lock()
        self._checked = time.monotonic()
        self.stopped: str | None = None  # LOST or HAND_OVER once stopped

    def go(self) -> bool:
        if self.stopped is None and self._time_up():
            self.stopped = HAND_OVER
        if self.stopped is None and time.monotonic() - self._checked >= defaults.LEASE_CHECK:
            with self._lock:
                if time.monotonic() - self._checked >= defaults.LEASE_CHECK:
                    if not self._ours():
                        self.stopped = LOST
                    self._checked = time.monotonic()
        return self.stopped is None

    def stop(self, why: str) -> None:
        self.stopped = self.stopped or why


class Slots:
    """The deliveries one worker process has in progress at once, at most WORKER_DRAINS: each conversation a drain
    delivers, and each other delivery job for its whole run. A drain takes none while it waits for them, but holds
    a reservation: the worker takes a job off the queue only while slots in use and reservations leave room, so a
    process with drains enough to fill its slots leaves the next partitions to another worker process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._used = 0
        self._reserved = 0
        self._changed = threading.Condition()

    def take(self, timeout: float | None = None) -> bool:
        """One slot, waiting for it up to `timeout` seconds (None: as long as it takes). False: none came."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._used < self.size, timeout):
                return False
            self._used += 1
            return True

    def give(self) -> None:
        with self._changed:
            self._used -= 1
            self._changed.notify_all()

    def reserve(self) -> None:
        with self._changed:
            self._reserved += 1

    def unreserve(self) -> None:
        with self._changed:
            self._reserved -= 1
            self._changed.notify_all()

    def wait_room(self, timeout: float) -> bool:
        """Whether there is room for another job, waiting up to `timeout` seconds for it (nothing is taken)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._used + self._reserved < self.size, timeout)


def run(groups: list[list[T]], work: Callable[[list[T]], R], guard: Guard) -> list[R | None]:
    """`work` on each group, each once a slot is free, the groups at once in the lanes (a single group in this
    thread); their results in the order of `groups`, None for a group never started (the guard stopped while it
    waited for a slot: its events wait in the partition). Every lane has ended when this returns or raises (the
    first lane's error, once all ended)."""
    slots, pool = _process()
    if len(groups) == 1:
        if not _take(slots, guard):
            return [None]
        try:
            return [work(groups[0])]
        finally:
            slots.give()
    futures: list[Future[R]] = []
    try:
        for group in groups:
            if not _take(slots, guard):
                break
            futures.append(pool.submit(_in_slot, slots, work, group))
        ran: list[R | None] = [f.result() for f in futures]
        return ran + [None] * (len(groups) - len(ran))
    finally:
        if not all(f.done() for f in futures):  # this thread was interrupted (its job's timeout): stop them
            guard.stop(HAND_OVER)
            for f in futures:
                f.exception()


def _take(slots: Slots, guard: Guard) -> bool:
    while not slots.take(timeout=defaults.LEASE_CHECK):
        if not guard.go():
            return False
    return True


def _in_slot(slots: Slots, work: Callable[[list[T]], R], group: list[T]) -> R:
    try:
        return work(group)
    finally:
        slots.give()


def slots() -> Slots:
    """This process's delivery slots."""
    return _process()[0]


def _process() -> tuple[Slots, ThreadPoolExecutor]:
    global _pool
    size = current().settings.WORKER_DRAINS
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid() or _pool[1].size != size:  # a fork; another runtime (tests)
            _pool = (os.getpid(), Slots(size), ThreadPoolExecutor(size, "metaops-lane"))
        return _pool[1], _pool[2]
