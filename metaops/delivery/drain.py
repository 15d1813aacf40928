"""Draining the inbox: stored events taken in order, in batches, each item delivered at most once."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

from rq import get_current_job
from rq.timeouts import JobTimeoutException

from integrations.meta import payload
from integrations.slack.errors import NoChannel, SlackRateLimited
from metaops import defaults
from metaops.delivery import handlers, inbox, periodic
from metaops.delivery.routing import Router
from metaops.runtime import Runtime, current
from store import dedupe, events

log = logging.getLogger(__name__)


def drain() -> int:
    """Process queued events in order, in batches, until none is left. Returns how many were handled."""
    rt = current()
    periodic.schedule_all(rt.queue)  # idempotent: brings the periodic jobs back after Redis lost them
    r, handled, started = rt.redis, 0, time.monotonic()
    while True:
        raw = r.lpop(inbox.EVENTS_KEY, defaults.DRAIN_BATCH)
        if not raw:
            r.delete(inbox.DRAIN_FLAG)
            # An event pushed between the empty pop and the delete found the flag set: take it now.
            if r.llen(inbox.EVENTS_KEY) and r.set(inbox.DRAIN_FLAG, 1, nx=True, ex=defaults.DRAIN_FLAG_TTL):
                continue
            return handled
        ids = [int(x) for x in raw]
        router = Router(rt.db.engine)
        for i, event_id in enumerate(ids):
            r.expire(inbox.DRAIN_FLAG, defaults.DRAIN_FLAG_TTL)  # per event: a slow batch keeps the flag
            if time.monotonic() - started > defaults.DRAIN_MAX_SECONDS:
                r.lpush(inbox.EVENTS_KEY, *reversed(ids[i:]))
                inbox.enqueue_drain(rt.queue)  # hand over, so one job never runs into its timeout
                return handled
            try:
                handle(rt, event_id, router)
            except SlackRateLimited as e:
                # Pause everything (order matters in a conversation): put the rest back, drain again later.
                wait = _wait(e)
                r.lpush(inbox.EVENTS_KEY, *reversed(ids[i:]))
                r.expire(inbox.DRAIN_FLAG, wait + defaults.DRAIN_FLAG_TTL)
                events.record_attempt(rt.db.engine, event_id, str(e), rt.clock() + timedelta(seconds=wait))
                inbox.enqueue_drain(rt.queue, delay=wait)
                return handled
            except dedupe.ClaimBusy as e:
                events.record_attempt(rt.db.engine, event_id, str(e), rt.clock() + timedelta(seconds=e.retry_after))
                inbox.enqueue_later(rt.queue, event_id, e.retry_after,
                                       inbox.retry_for(rt.settings.JOB_RETRY_INTERVALS))
            except JobTimeoutException:
                raise
            except Exception as e:  # noqa: BLE001 - any failure: the event gets its own job with retries
                log.warning("event %s failed, retrying in its own job: %s", event_id, _reason(e))
                intervals = rt.settings.JOB_RETRY_INTERVALS
                events.record_attempt(rt.db.engine, event_id, _reason(e), rt.clock() + timedelta(seconds=intervals[0]))
                inbox.enqueue_retry(rt.queue, event_id, intervals)
            handled += 1


def process_event(event_id: int) -> None:
    """One event in a job of its own (a retry); RQ's Retry tries again, then keeps it in the failed registry."""
    rt = current()
    job = get_current_job()
    try:
        handle(rt, event_id, Router(rt.db.engine))
    except (SlackRateLimited, dedupe.ClaimBusy) as e:
        # Not a failure of this event: try again then, with the retries it has left.
        wait = _wait(e)
        events.record_attempt(rt.db.engine, event_id, str(e), rt.clock() + timedelta(seconds=wait))
        left = inbox.retry_for(job.retry_intervals[-job.retries_left:]) if job and job.retries_left else None
        inbox.enqueue_later(rt.queue, event_id, wait, left)
    except Exception as e:
        final = not (job and job.retries_left)
        retry_at = None if final else rt.clock() + timedelta(seconds=job.get_retry_interval())
        events.record_attempt(rt.db.engine, event_id, _reason(e), retry_at, final=final)
        raise


def handle(rt: Runtime, event_id: int, router: Router) -> None:
    body = events.load_pending(rt.db.engine, event_id)
    if body is None:
        return  # already done (a duplicate queueing), failed for good, or unknown
    unrouted, last_key = deliver(rt, router, event_id, json.loads(body))
    events.mark_done(rt.db.engine, event_id, unrouted, rt.clock(), last_key)


def deliver(rt: Runtime, router: Router, event_id: int, data: dict) -> tuple[int, str | None]:
    """Deliver every item of one payload, each at most once. Returns how many items had no owner, and
    the dedupe key of the last item delivered: it is marked done with the event, in one commit.

    Items are independent: one failing does not stop the others; the first error is raised at the end,
    and a retry redoes only what was not delivered.
    """
    unrouted, error, pending, busy = 0, None, None, 0
    for item in payload.items(data):
        deliver_item = handlers.handler_for(item)
        if deliver_item is None:
            handlers.apply_quietly(rt, item)
            continue
        team = router.owner_of(item.asset_id)
        if team is None:
            unrouted += 1
            continue
        try:
            if not dedupe.claim(rt.db.engine, item.key, event_id, rt.clock(), defaults.DEDUPE_LEASE):
                continue
        except dedupe.ClaimBusy as e:
            busy = max(busy, e.retry_after)
            continue
        try:
            deliver_item(rt, router, team, item)
        except SlackRateLimited:
            dedupe.release(rt.db.engine, item.key)
            if pending:
                dedupe.done(rt.db.engine, pending)
            raise
        except NoChannel as e:
            log.warning("event %s: %s", event_id, e)
            dedupe.release(rt.db.engine, item.key)
            unrouted += 1
            continue
        except Exception as e:  # noqa: BLE001 - kept for the retry; the other items go on
            dedupe.release(rt.db.engine, item.key)
            error = error or e
            continue
        if pending:
            dedupe.done(rt.db.engine, pending)
        pending = item.key
    if unrouted:
        log.warning("event %s: %d item(s) for assets nobody connected (kept, counted)", event_id, unrouted)
    if error or busy:
        if pending:
            dedupe.done(rt.db.engine, pending)
        raise error or dedupe.ClaimBusy(f"event {event_id}", busy)
    return unrouted, pending


def _wait(e: SlackRateLimited | dedupe.ClaimBusy) -> int:
    """How long to hold off: Slack's Retry-After within our bounds, or the rest of another worker's lease."""
    if isinstance(e, SlackRateLimited):
        return e.wait(defaults.RATE_LIMIT_FALLBACK, defaults.RATE_LIMIT_MAX_WAIT)
    return e.retry_after


def _reason(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"
