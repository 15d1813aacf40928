"""Importing a number's WhatsApp Business app history into its customers' Slack threads, once an admin asked.

One job per number at a time (metaops/queue/history.py). It posts batch after batch: the oldest waiting messages
of one customer and one day (up to HISTORY_BATCH_MAX, one Slack message), in the customer's thread (opened when
there is none, its root naming the customer), at the channel's pace. Live traffic goes first: when the channel has
no token, is rate limited or has events parked on it, the job hands over to a new one after the wait. Each batch is
named (its rows' `batch`) and claimed (a dedupe key) before its post, and marked imported after it: a job killed
anywhere in between resumes with the same batch, finds its post in Slack (landed.py) or posts it, never twice.
Imported posts never enter the unanswered list, never open a reply window and are never sent to anyone.
Progress: one message in the channel, updated at most every HISTORY_PROGRESS_EVERY, with the final count at the end.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from rq.timeouts import JobTimeoutException

from integrations.meta.payload import Person
from integrations.slack.blocks import section
from integrations.slack.client import call
from integrations.slack.errors import SlackRateLimited
from metaops import claims, defaults, messages
from metaops.conversation import landed
from metaops.conversation.naming import person_of, plus
from metaops.conversation.pace import ChannelHeld
from metaops.conversation.router import Router
from metaops.conversation.thread import paced_post, post_in_thread
from metaops.delivery import history_posts, holds
from metaops.queue import history as jobs
from metaops.queue import leases
from metaops.runtime import Runtime
from store import dedupe
from store import history as stored
from store.models import HistorySync

log = logging.getLogger(__name__)


def run(rt: Runtime, business_id: str) -> int:
    """Post what waits of the number's history, until none is left or it must wait. Returns the batches posted."""
    r, flag = rt.redis, jobs.flag(business_id)
    if not leases.own(r, flag):
        return 0  # a live job has the number (this one was queued twice)
    sync = stored.get(rt.db.engine, business_id)
    if sync is None or sync.import_state != "importing" or not sync.import_channel:
        jobs.finished(r, business_id)
        return 0
    router = Router(rt.db.engine, r, pace=(rt.settings.SLACK_PACE_RATE, defaults.SLACK_PACE_BURST))
    channel = sync.import_channel
    posted, started = 0, time.monotonic()
    try:
        while True:
            if not leases.holds(r, flag):
                log.warning("history import of %s: lease lost; leaving it to the job that has it", business_id)
                return posted
            wait = holds.is_held(r, sync.team_id, channel)  # live events parked there, or a 429: they go first
            if wait or time.monotonic() - started > defaults.HISTORY_JOB_SECONDS:
                jobs.later(rt.queue, business_id, wait)
                return posted
            rows = stored.waiting_batch(rt.db.engine, business_id) or _next_batch(rt, business_id, sync)
            if not rows:
                _finish(rt, router, sync)
                return posted
            _progress(rt, router, sync)
            _post_batch(rt, router, sync, rows)
            posted += 1
    except ChannelHeld as e:
        jobs.later(rt.queue, business_id, e.wait)
    except SlackRateLimited as e:
        wait = e.wait(defaults.RATE_LIMIT_FALLBACK, defaults.RATE_LIMIT_MAX_WAIT)
        holds.hold(r, sync.team_id, e.channel or channel, wait)
        jobs.later(rt.queue, business_id, wait)
    except dedupe.ClaimBusy as e:
        jobs.later(rt.queue, business_id, e.retry_after)
    except JobTimeoutException:
        raise
    except Exception as e:  # noqa: BLE001 - Slack or the database failed: the same batch again, a while later
        log.warning("history import of %s failed, again in %ss: %s: %s", business_id, defaults.HISTORY_RETRY_WAIT,
                    type(e).__name__, e)
        jobs.later(rt.queue, business_id, defaults.HISTORY_RETRY_WAIT)
    return posted


def _next_batch(rt: Runtime, business_id: str, sync: HistorySync) -> list[stored.Row]:
    candidates = stored.next_candidates(rt.db.engine, business_id, defaults.HISTORY_BATCH_MAX)
    if not candidates:
        return []
    rows = history_posts.fits(candidates, _before(sync))
    stored.choose_batch(rt.db.engine, rows)
    return stored.waiting_batch(rt.db.engine, business_id)


def _post_batch(rt: Runtime, router: Router, sync: HistorySync, rows: list[stored.Row]) -> None:
    key = rows[0].batch or stored.choose_batch(rt.db.engine, rows)
    if not claims.claim(rt, key):  # posted already: its job died before marking it
        stored.mark_imported(rt.db.engine, key, rt.now())
        return
    channel = str(sync.import_channel)
    customer = router.customer(sync.business_id, Person(phone=rows[0].thread))
    person = person_of(customer) if customer else Person(phone=rows[0].thread)
    post = history_posts.batch(rows, _before(sync))
    router.posting = [key]
    try:
        post_in_thread(rt, router, sync.team_id, channel, sync.business_id,
                       customer.thread_key if customer else None, *post, opening=history_posts.opening(person, post))
    except BaseException:
        dedupe.release(rt.db.engine, key)
        raise
    finally:
        router.posting = []
    dedupe.done(rt.db.engine, key)
    stored.mark_imported(rt.db.engine, key, rt.now())


def _progress(rt: Runtime, router: Router, sync: HistorySync, final: bool = False) -> None:
    """The progress message: posted first, then updated at most every HISTORY_PROGRESS_EVERY (and at the end)."""
    now = rt.now()
    if sync.progress_ts and not final and sync.progress_at and \
            (now - sync.progress_at).total_seconds() < defaults.HISTORY_PROGRESS_EVERY:
        return
    total, done, threads = stored.counts(rt.db.engine, sync.business_id, sync.import_started_at)
    number = plus(sync.display_number) if sync.display_number else sync.business_id
    text = messages.HISTORY_DONE.format(number=number, done=done, threads=threads) if final else \
        messages.HISTORY_PROGRESS.format(number=number, done=done, total=total, pct=done * 100 // max(1, total))
    channel = str(sync.import_channel)
    if sync.progress_ts:
        call(rt.slack.for_team(sync.team_id).chat_update, channel=channel, ts=sync.progress_ts, text=text,
             blocks=[section(text)])
    else:
        sync.progress_ts = paced_post(rt, router, sync.team_id, channel, text, [section(text)])
    sync.progress_at = now
    stored.set_progress(rt.db.engine, sync.business_id, sync.progress_ts, now)


def _finish(rt: Runtime, router: Router, sync: HistorySync) -> None:
    """Nothing left: the progress message says so, a final line in its thread (once), the import is done."""
    key = f"wa:history-done:{sync.business_id}:{sync.progress_ts}"
    if claims.claim(rt, key):
        try:
            router.take_slot(sync.team_id, str(sync.import_channel))  # the final line's token before anything
            _progress(rt, router, sync, final=True)
            total, done, threads = stored.counts(rt.db.engine, sync.business_id, sync.import_started_at)
            number = plus(sync.display_number) if sync.display_number else sync.business_id
            text = messages.HISTORY_DONE.format(number=number, done=done, threads=threads)
            landed.post(rt, sync.team_id, str(sync.import_channel), text, [section(text)], sync.progress_ts, [key])
        except BaseException:
            dedupe.release(rt.db.engine, key)
            raise
        dedupe.done(rt.db.engine, key)
    stored.finish_import(rt.db.engine, sync.business_id, rt.now())
    jobs.finished(rt.redis, sync.business_id)


def _before(sync: HistorySync) -> datetime:
    """When the number was onboarded, as near as we know: its history's first webhook."""
    return sync.updated_at if sync.noted_at is None else sync.noted_at
