"""Draining the inbox: each partition's events taken in order, in batches, each item delivered at most once.

An event leaves its partition (is acknowledged) only once it is processed, parked on a held channel, or
given a job of its own; a worker that dies mid-batch leaves its events pending for the next drain, and a
database that goes away stops the drain with the event still first in line.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rq import get_current_job
from rq.timeouts import JobTimeoutException
from sqlalchemy.exc import DBAPIError

from integrations.meta import payload
from integrations.slack.errors import NoChannel, SlackRateLimited
from metaops import claims, counters, defaults
from metaops.conversation.pace import ChannelHeld
from metaops.conversation.router import Router
from metaops.delivery import coalesce, handlers, holds, lanes, stale
from metaops.queue import enqueue, leases, streams
from metaops.runtime import Runtime, current
from store import dedupe, events

log = logging.getLogger(__name__)


class Postpone(Exception):
    """The event must wait, first in its partition, and the partition be drained again after `delay` seconds:
    the database stopped answering, or another worker's claim on one of its items is still running (a worker
    that died mid-post: taking the event out of line would let the customer's later messages overtake it)."""

    def __init__(self, reason: str, delay: int) -> None:
        super().__init__(reason)
        self.delay = delay


def drain(partition: int | None = None) -> int:
    """Process one partition's events in batches until none is left, each conversation's in order and the
    conversations of a batch side by side (lanes.py). Returns how many were handled. Without a partition (a job
    queued before partitions existed): move the old single list into partitions."""
    rt = current()
    if partition is None:
        return _move_legacy(rt)
    r, flag = rt.redis, streams.flag_key(partition)
    if not leases.own(r, flag):
        return 0  # a live drain has the partition (this job was queued twice)
    streams.ensure_group(r, partition)
    consumer = leases.me(r)
    started = time.monotonic()
    guard = lanes.Guard(leases.held_here(r, flag), lambda: _time_up(started))
    handled = 0
    while True:
        batch = streams.read(r, partition, consumer, defaults.DRAIN_BATCH)
        if not batch:
            leases.release(r, flag)
            # An event pushed between the empty read and the release found the flag taken: take it now.
            if r.xlen(streams.stream_key(partition)) and leases.own(r, flag):
                continue
            return handled
        try:
            taken, postponed = _drain_batch(rt, partition, batch, guard)
        except DBAPIError as e:  # the batch's own read
            taken, postponed = 0, Postpone(_reason(e), defaults.DB_RETRY_DELAY)
        handled += taken
        if postponed is not None:
            log.warning("partition %d: %s; draining again in %ss", partition, postponed, postponed.delay)
            leases.queue_for(r, flag, postponed.delay)  # no other drain starts meanwhile
            streams.enqueue_drain(rt.queue, partition, delay=postponed.delay)
            return handled
        if guard.stopped == lanes.LOST:  # a stall: another drain may have the partition now
            log.warning("partition %d: lease lost; leaving it to the drain that has it", partition)
            return handled
        # hand over: no job runs into its timeout, and after its turn a drain lets the jobs waiting go first
        if guard.stopped == lanes.HAND_OVER or (time.monotonic() - started >= defaults.DRAIN_TURN
                                                 and rt.queue.count):
            leases.queue_for(r, flag, 0)
            streams.enqueue_drain(rt.queue, partition)
            return handled


@dataclass(frozen=True)
class Batch:
    """What a drain reads once for a batch: the events still to process (their bodies, and each parsed when it
    parses), and retention's horizon (stale.py)."""

    found: dict[int, events.Pending]
    parsed: dict[int, Any]
    horizon: datetime | None


def _drain_batch(rt: Runtime, partition: int, batch: list[tuple[str, int]],
                 guard: lanes.Guard) -> tuple[int, Postpone | None]:
    """The batch's conversations side by side: how many events were handled, and the first Postpone (its
    conversation's later events wait in the partition; the other conversations went on)."""
    found = events.pending(rt.db.engine, [event_id for _, event_id in batch])
    read = Batch(found, {i: data for i, p in found.items() if (data := _parsed(p.body)) is not None},
                 stale.horizon(rt))
    conversations: dict[str, list[tuple[str, int]]] = {}
    for entry_id, event_id in batch:
        key = streams.conversation_of(read.parsed[event_id]) if event_id in read.parsed else ""
        conversations.setdefault(key, []).append((entry_id, event_id))

    def lane(entries: list[tuple[str, int]]) -> tuple[int, Postpone | None]:
        router, tally = _router(rt), counters.Tally()
        handled, unacknowledged, sent = 0, [], time.monotonic()
        try:
            for entry_id, event_id in entries:
                if not guard.go():
                    break
                try:
                    process(rt, event_id, router, read, tally)
                except Postpone as e:
                    return handled, e
                handled += 1
                unacknowledged.append(entry_id)
                if time.monotonic() - sent >= defaults.ACK_INTERVAL:
                    _acknowledge(rt, partition, unacknowledged, tally)
                    sent = time.monotonic()
            return handled, None
        finally:
            _acknowledge(rt, partition, unacknowledged, tally)

    results = [r for r in lanes.run(list(conversations.values()), lane, guard) if r is not None]
    return sum(n for n, _ in results), next((p for _, p in results if p is not None), None)


def _acknowledge(rt: Runtime, partition: int, entry_ids: list[str], tally: counters.Tally) -> None:
    """Events handled, off their partition, and their counts for /metrics, in one round trip; both emptied. An
    event handled and not yet acknowledged when its worker dies is read again, and found done."""
    if not entry_ids and not tally.counts:
        return
    pipe = rt.redis.pipeline(transaction=False)
    streams.acknowledge(pipe, partition, entry_ids)
    counters.add_to(pipe, tally)
    pipe.execute()
    entry_ids.clear()
    tally.clear()


def _parsed(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None  # its delivery says so (its own job, retried, then failed)


def process(rt: Runtime, event_id: int, router: Router, batch: Batch | None = None,
            tally: counters.Tally | None = None) -> None:
    """One event from a partition: delivered, parked on a held channel, or given a job of its own. Raises
    Postpone (and RQ's job timeout) only: then the event must stay where it is."""
    try:
        handle(rt, event_id, router, batch, tally)
    except ChannelHeld as e:
        holds.park(rt.redis, rt.queue, e.team_id, e.channel, event_id, e.wait, e.thread, e.joinable)
        _record(rt, event_id, e, e.wait)
    except dedupe.ClaimBusy as e:
        _record(rt, event_id, e, e.retry_after)
        raise Postpone(_reason(e), e.retry_after) from e
    except (JobTimeoutException, Postpone):
        raise
    except DBAPIError as e:
        raise Postpone(_reason(e), defaults.DB_RETRY_DELAY) from e
    except Exception as e:  # noqa: BLE001 - any other failure: the event gets its own job with retries
        log.warning("event %s failed, retrying in its own job: %s", event_id, _reason(e))
        intervals = rt.settings.JOB_RETRY_INTERVALS
        _record(rt, event_id, e, intervals[0])
        enqueue.enqueue_retry(rt.queue, event_id, intervals)


def process_event(event_id: int) -> None:
    """One event in a job of its own (a retry); RQ's Retry tries again, then keeps it in the failed registry."""
    rt = current()
    job = get_current_job()
    try:
        handle(rt, event_id, _router(rt))
    except ChannelHeld as e:
        holds.park(rt.redis, rt.queue, e.team_id, e.channel, event_id, e.wait, e.thread, e.joinable)
        _record(rt, event_id, e, e.wait)
    except dedupe.ClaimBusy as e:
        # Not a failure of this event: try again then, with the retries it has left.
        _record(rt, event_id, e, e.retry_after)
        left = enqueue.retry_for((job.retry_intervals or [])[-job.retries_left:]) if job and job.retries_left else None
        enqueue.enqueue_later(rt.queue, event_id, e.retry_after, left)
    except Exception as e:
        final = not (job and job.retries_left)
        retry_at = None if final or job is None else rt.now() + timedelta(seconds=job.get_retry_interval())
        events.record_attempt(rt.db.engine, event_id, _reason(e), retry_at, final=final)
        raise


def release_channel(team_id: str, channel: str) -> int:
    """Take up the events parked on a channel (Slack rate-limited it, or it is behind our pace), in order, once
    its hold has ended, at the channel's pace. The waiting messages of one customer thread go as one post
    (coalesce.py): the head entry and the later ones of its thread that may join it."""
    rt = current()
    r, handled = rt.redis, 0
    if not holds.start_release(r, team_id, channel):
        return 0  # a live release has the channel (this job was queued twice)
    left = holds.wait_left(r, team_id, channel)
    if left:  # held again meanwhile: come back then
        holds.release_later(r, rt.queue, team_id, channel, left)
        return 0
    router = _router(rt, releasing=(team_id, channel))
    started = time.monotonic()
    while True:
        entries = holds.parked(r, team_id, channel, defaults.COALESCE_SCAN)
        if not entries:
            if holds.finish_release(r, team_id, channel):
                continue
            return handled
        if not holds.still_releasing(r, team_id, channel):  # our lease lapsed (a stall): leave it to the other
            log.warning("channel %s: lease lost; leaving it to the release that has it", channel)
            return handled
        if _time_up(started):
            holds.release_later(r, rt.queue, team_id, channel, 0)  # a fresh job goes on from here
            return handled
        event_id = entries[0].event_id
        group = holds.same_thread(entries, defaults.COALESCE_MAX)
        if len(group) > 1:
            try:
                taken = coalesce.deliver_together(rt, router, team_id, channel, group)
            except ChannelHeld as e:  # no token now (or a 429): the entries stay first in line
                holds.release_later(r, rt.queue, team_id, channel, e.wait)
                return handled
            except JobTimeoutException:
                raise
            except Exception as e:  # noqa: BLE001 - the head goes the usual way, with its retries
                log.warning("parked events of %s could not be posted together: %s", channel, _reason(e))
                taken = []
            if taken:
                holds.remove_parked(r, team_id, channel, taken)
                handled += len(taken)
                continue
        try:
            handle(rt, event_id, router)
        except ChannelHeld as e:
            if (e.team_id, e.channel) == (team_id, channel):  # limited again: the event stays first in line
                holds.release_later(r, rt.queue, team_id, channel, e.wait)
                return handled
            holds.park(r, rt.queue, e.team_id, e.channel, event_id, e.wait, e.thread, e.joinable)  # another one too
        except JobTimeoutException:
            raise
        except Exception as e:  # noqa: BLE001 - its own job with retries, as from a partition
            log.warning("parked event %s failed, retrying in its own job: %s", event_id, _reason(e))
            enqueue.enqueue_retry(rt.queue, event_id, rt.settings.JOB_RETRY_INTERVALS)
        holds.pop_parked(r, team_id, channel)
        handled += 1


def handle(rt: Runtime, event_id: int, router: Router, batch: Batch | None = None,
           tally: counters.Tally | None = None) -> None:
    """One event, as read now or with its drain's batch; its counts for /metrics into `tally` (else written at
    once)."""
    if batch is None:
        body, received, horizon = events.load_pending(rt.db.engine, event_id), None, stale.horizon(rt)
    else:
        found = batch.found.get(event_id)
        body, received = (found.body, found.received_at) if found else (None, None)
        horizon = batch.horizon
    if body is None:
        return  # already done (a duplicate queueing), failed for good, or unknown
    data = batch.parsed[event_id] if batch is not None and event_id in batch.parsed else json.loads(body)
    unrouted, last = deliver(rt, router, event_id, data, received, horizon, tally)
    events.mark_done(rt.db.engine, event_id, unrouted, rt.now(), dedupe_key=last)


def deliver(rt: Runtime, router: Router, event_id: int, data: dict, received: datetime | None = None,
            horizon: datetime | None = None, tally: counters.Tally | None = None) -> tuple[int, str | None]:
    """Deliver every item of one payload, each at most once: claimed before its post, marked done right after
    it. Returns how many items had no owner, and the key of the last item when it was delivered and is still to
    be marked done: the caller marks it with the event, in the commit that right follows its post. `received`:
    when the event was stored (read when needed); `horizon`: retention's (stale.py); `tally`: the caller writes it
    (else it is written once per event, for /metrics).

    Items are independent: one failing does not stop the others; the first error is raised at the end, and a
    retry redoes only what was not delivered. A held channel (or a 429 now) stops the event at once: it
    waits for the channel, and what it already delivered is not delivered again.
    """
    if tally is not None:
        return _deliver(rt, router, event_id, data, tally, received, horizon)
    own = counters.Tally()
    try:
        return _deliver(rt, router, event_id, data, own, received, horizon)
    finally:
        counters.flush(rt.redis, own)


def _deliver(rt: Runtime, router: Router, event_id: int, data: dict, tally: counters.Tally,
             received: datetime | None, forgotten: datetime | None) -> tuple[int, str | None]:
    unrouted, error, busy, last = 0, None, 0, None
    items = list(payload.items(data))
    for item in items:
        deliver_item = handlers.handler_for(item)
        if deliver_item is None:
            handlers.apply_quietly(rt, item)
            continue
        team = router.owner_of(item.asset_id)
        if team is None:
            unrouted += 1
            continue
        if forgotten is not None:
            received = received or (None if item.sent_at else events.received_at(rt.db.engine, event_id))
            if stale.is_stale(item, forgotten, received):
                tally.add("items_stale", kind=item.kind)
                log.warning("event %s: %s item %s is older than retention (%s): refused as stale", event_id,
                            item.kind, item.key, forgotten.isoformat(timespec="seconds"))
                continue
        try:
            if not claims.claim(rt, item.key, event_id):
                continue
        except dedupe.ClaimBusy as e:
            busy = max(busy, e.retry_after)
            continue
        router.posting = [item.key]
        try:
            deliver_item(rt, router, team, item)
        except (JobTimeoutException, DBAPIError):
            raise  # the claim stays: after its lease, the next try takes it over
        except ChannelHeld as e:
            dedupe.release(rt.db.engine, item.key)
            _note_thread(router, items, e)
            raise
        except SlackRateLimited as e:
            dedupe.release(rt.db.engine, item.key)
            tally.add("slack_rate_limited")
            wait = e.wait(defaults.RATE_LIMIT_FALLBACK, defaults.RATE_LIMIT_MAX_WAIT)
            if e.channel is None:
                raise
            holds.hold(rt.redis, team, e.channel, wait)
            router.mark_held(team, e.channel, wait)
            held = ChannelHeld(team, e.channel, wait)
            _note_thread(router, items, held)
            raise held from e
        except NoChannel as e:
            log.warning("event %s: %s", event_id, e)
            dedupe.release(rt.db.engine, item.key)
            unrouted += 1
            continue
        except Exception as e:  # noqa: BLE001 - kept for the retry; the other items go on
            dedupe.release(rt.db.engine, item.key)
            error = error or e
            tally.add("items_failed", kind=item.kind)
            continue
        if item is items[-1]:
            last = item.key  # done with its event, next (handle)
        else:
            dedupe.done(rt.db.engine, item.key)  # right after its post: a crash now never reposts it
        tally.add("items_delivered", kind=item.kind)
        received = received or events.received_at(rt.db.engine, event_id)
        if received is not None:
            tally.observe((rt.now() - received).total_seconds())
    if unrouted:
        tally.add("items_unrouted", unrouted)
        log.warning("event %s: %d item(s) for assets nobody connected (kept, counted)", event_id, unrouted)
    if error or busy:
        if last:
            dedupe.done(rt.db.engine, last)
        raise error or dedupe.ClaimBusy(f"event {event_id}", busy)
    return unrouted, last


def _router(rt: Runtime, releasing: tuple[str, str] | None = None) -> Router:
    """A Router at the channel's pace that holds posts for channels rate-limited or with parked events (except the
    one whose parked events `releasing` takes up)."""
    return Router(rt.db.engine, rt.redis, pace=(rt.settings.SLACK_PACE_RATE, defaults.SLACK_PACE_BURST),
                  held=lambda team, channel: holds.is_held(rt.redis, team, channel,
                                                           releasing=releasing == (team, channel)))


def _note_thread(router: Router, items: list[payload.Item], held: ChannelHeld) -> None:
    """For the parked list: the one customer thread the event posts in (None: unknown or several; "": none),
    and whether it is one plain customer message, which may be posted with others of its thread."""
    try:
        notes = [handlers.thread_note(router, item) for item in items]
    except Exception as e:  # noqa: BLE001 - a note is an optimisation: unknown is always safe
        log.warning("no thread noted for a parked event: %s", _reason(e))
        return
    threads = {thread for thread, _ in notes if thread != ""}
    if None in threads or len(threads) > 1:
        return
    held.thread = threads.pop() if threads else ""
    held.joinable = len(notes) == 1 and notes[0][1]


def _move_legacy(rt: Runtime) -> int:
    """Events queued on the single list of earlier releases, moved into their partitions in order."""
    moved = 0
    while raw := rt.redis.lpop(streams.LEGACY_EVENTS_KEY, defaults.DRAIN_BATCH):
        ids = [int(x) for x in raw]
        bodies = events.bodies(rt.db.engine, ids)
        streams.push_events(rt.queue, [(i, streams.partition_of(bodies.get(i, b""))) for i in ids])
        moved += len(ids)
    return moved


def _time_up(started: float) -> bool:
    """A drain or release hands over to a new job after DRAIN_MAX_SECONDS (no job runs into its timeout, and a job
    in a worker's thread has no other deadline), or at once when its worker is stopping."""
    return leases.closing() or time.monotonic() - started > defaults.DRAIN_MAX_SECONDS


def _record(rt: Runtime, event_id: int, e: BaseException, wait: int) -> None:
    events.record_attempt(rt.db.engine, event_id, _reason(e), rt.now() + timedelta(seconds=wait))


def _reason(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"
