"""Group commit for the webhook: the requests of one web process store their bodies together.

Each request that reaches the webhook view announces itself (`arriving`), checks size, signature and JSON,
then hands its body to the process's `Collector`. The first request to hand one over while no batch is being
written leads: it waits, at most `INGEST_BATCH_WAIT`, and only while other requests of the process are
still on their way, for them to hand theirs over too (up to `INGEST_BATCH_MAX`), then stores the batch in
one multi-row INSERT (one statement, one commit: all stored or none), pushes the ids to their partitions and
the batch's counts in one Redis round trip, and wakes every request of the batch with its answer. Requests that
hand theirs over while a batch is being written wait; once it is stored, the first of them leads the next batch
(whose INSERT overlaps the Redis round trip of the one before; batches are queued in the order they were stored).

The promise stays the one of a lone insert: every body is stored durably before its request answers 200,
and queued after it is stored; a failed store answers every request of that batch 503 (Meta retries each),
and Redis down still answers 200 (the sweep queues stored events later). One request at a time (gunicorn's
sync worker, or a lone request under gthread) never waits: nobody else is on the way.

Works with threads (gthread) and with gevent's patched locks; one collector per process and runtime.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from metaops import counters, defaults
from metaops.queue import streams
from metaops.runtime import Runtime
from store import events

log = logging.getLogger(__name__)


class StoreFailed(Exception):
    """The batch holding this body could not be stored: answer 503 so Meta retries."""


class _Slot:
    __slots__ = ("body", "partition", "event_id", "error", "done", "lead", "_wake")

    def __init__(self, body: bytes, partition: int) -> None:
        self.body = body
        self.partition = partition
        self.event_id: int | None = None
        self.error: BaseException | None = None
        self.done = False  # the batch holding it is finished (stored, or failed)
        self.lead = False  # its request is to write the next batch
        self._wake = threading.Lock()
        self._wake.acquire()  # released when it is to lead, and when its batch is finished

    def wait(self) -> None:
        """Until `wake` (at once if it came first)."""
        self._wake.acquire()

    def wake(self) -> None:
        self._wake.release()


class Arrival:
    """One request on its way to the collector; `submit` hands its body over (once)."""

    def __init__(self, collector: Collector) -> None:
        self._collector = collector
        self.submitted = False

    def submit(self, body: bytes, partition: int) -> int:
        """Store `body` (queued to `partition`) with the requests around it; returns its event id once it is
        stored. Raises StoreFailed when its batch could not be stored."""
        self.submitted = True
        return self._collector.submit(body, partition)


class Collector:
    """The group commit of one web process (see the module docstring)."""

    def __init__(self, rt: Runtime, max_rows: int = defaults.INGEST_BATCH_MAX,
                 max_wait: float = defaults.INGEST_BATCH_WAIT) -> None:
        self.rt = rt
        self.max_rows = max(1, max_rows)
        self.max_wait = max(0.0, max_wait)
        # Each waiting request is woken alone, by its slot: a condition's notify_all would wake every waiter of the
        # process for each arrival and each batch (measured: 8-10 context switches and ~110 us of CPU a request).
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)  # the leader filling its batch waits on it
        self._filling = False  # the leader waits on _arrived
        self._pending: list[_Slot] = []
        self._arriving = 0  # requests in the view that have not handed a body over (nor given up)
        self._busy = False  # a request leads: waiting for its batch to fill, or writing it
        self._push_turn = threading.Lock()  # held by the batch queueing its ids, taken before passing the lead

    @contextmanager
    def arriving(self) -> Iterator[Arrival]:
        """Announce a request on its way, so a leading request waits for it; leaving without submitting (a
        refused request) withdraws it."""
        with self._lock:
            self._arriving += 1
        arrival = Arrival(self)
        try:
            yield arrival
        finally:
            if not arrival.submitted:
                with self._lock:
                    self._arriving -= 1
                    if self._filling:
                        self._arrived.notify()

    def submit(self, body: bytes, partition: int) -> int:
        slot = _Slot(body, partition)
        with self._lock:
            self._arriving = max(0, self._arriving - 1)  # 0: a caller that did not announce itself
            self._pending.append(slot)
            follows = self._busy
            if not follows:
                self._busy = slot.lead = True
            elif self._filling:
                self._arrived.notify()
        if follows:
            slot.wait()  # its batch is finished, or it is to lead the next
        if not slot.done:  # it leads: its slot is the first pending one, so it goes into its own batch
            with self._lock:
                batch = self._fill()
            self._lead(batch)
        if slot.error is not None:
            raise StoreFailed() from slot.error
        assert slot.event_id is not None
        return slot.event_id

    def _fill(self) -> list[_Slot]:
        """(Holding the lock, as the leader.) Wait for the requests on their way, within the bounds, and take
        the batch."""
        deadline = time.monotonic() + self.max_wait
        while self._arriving > 0 and len(self._pending) < self.max_rows:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._filling = True
            self._arrived.wait(left)
            self._filling = False
        batch, self._pending = self._pending[:self.max_rows], self._pending[self.max_rows:]
        return batch

    def _lead(self, batch: list[_Slot]) -> None:
        """Store the batch; hand the lead to the next waiting request (its INSERT overlaps this batch's Redis
        round trip); queue the batch with its counts, after the batch before it (`_push_turn`: stored order is
        queued order); then release its requests."""
        tally = counters.Tally()
        passed = stored = False
        try:
            stored = self._insert(batch, tally)
            with self._push_turn:
                self._pass_lead()
                passed = True
                if stored:
                    self._push(batch, tally)
        finally:
            with self._lock:
                for s in batch:
                    s.done = True
                if not passed:
                    self._pass_lead_locked()
            for s in batch:
                s.wake()
        if not stored:
            counters.flush(self.rt.redis, tally)  # after the answers: counting never holds one up

    def _pass_lead(self) -> None:
        with self._lock:
            self._pass_lead_locked()

    def _pass_lead_locked(self) -> None:
        if self._pending:
            self._pending[0].lead = True
            self._pending[0].wake()
        else:
            self._busy = False

    def _insert(self, batch: list[_Slot], tally: counters.Tally) -> bool:
        """Store the bodies in one statement; False (each slot holding the error) when that failed."""
        tally.add("webhooks_received", len(batch))
        try:
            ids = events.insert_events(self.rt.db.ingest, [s.body for s in batch], self.rt.now())
        except BaseException as e:  # noqa: BLE001 - the driver's own errors too: any failure to store means "retry"
            log.error("%d webhook events could not be stored (%s); answering 503 so Meta retries", len(batch),
                      type(e).__name__)
            for s in batch:
                s.error = e
            tally.add("webhooks_rejected", len(batch), reason="storage")
            if not isinstance(e, Exception):
                raise
            return False
        for s, event_id in zip(batch, ids, strict=True):
            s.event_id = event_id
        tally.add("webhooks_stored", len(batch))
        return True

    def _push(self, batch: list[_Slot], tally: counters.Tally) -> None:
        """Queue the stored ids to their partitions, and count the batch, in one round trip; Redis down only logs
        (and the counts of that moment are lost)."""
        queued = [(s.event_id, s.partition) for s in batch if s.event_id is not None]
        try:
            pipe = self.rt.queue.connection.pipeline(transaction=False)
            counters.add_to(pipe, tally)
            streams.push_events(self.rt.queue, queued, pipe)
        except Exception as e:  # noqa: BLE001 - stored: the periodic sweep queues them once Redis is back
            log.warning("events %s-%s stored but not queued (%s); the sweep will queue them", queued[0][0],
                        queued[-1][0], type(e).__name__)
