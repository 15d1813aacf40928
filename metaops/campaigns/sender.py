"""The campaign's send job: its recipients one by one at the campaign pace (defaults.CAMPAIGN_SEND_RATE), each
claimed before it goes (claims), in slices of defaults.CAMPAIGN_SLICE seconds: the next slice queues behind the
jobs that came meanwhile (the messages' statuses, customers' messages), so a worker sending a campaign still
delivers them between slices. One job per campaign at a time (a Redis lock that lapses when its worker dies); the
clock's sweep takes up a campaign whose job died (resume)."""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import or_, select

from integrations.meta import whatsapp
from integrations.meta.errors import GraphError, OutcomeUnknown, Throttled
from metaops import defaults, messages
from metaops.assets import connections
from metaops.campaigns import claims, header_link, hold, limit, progress, records
from metaops.exceptions import NotConnected
from metaops.queue import enqueue
from metaops.runtime import Runtime
from metaops.templates.values import needs_of
from store.models import Campaign, Template
from store.timestamps import utcnow

log = logging.getLogger(__name__)
JOB = "metaops.jobs.send_campaign"
LOCK_KEY = "metaops:campaign:{id}:sending"
# Meta's answers that stop the whole campaign: the template paused or disabled, the account or number unable to send
STOPPING_CODES = {132015: messages.CAMPAIGN_TEMPLATE_PAUSED, 132016: messages.CAMPAIGN_TEMPLATE_DISABLED,
                  131031: messages.CAMPAIGN_ACCOUNT_LOCKED, 190: messages.CAMPAIGN_TOKEN_BROKEN}


def queue(rt: Runtime, campaign_id: int, delay: int = 0) -> None:
    enqueue.submit(rt.queue, JOB, max(0, delay), args=(campaign_id,))


def run(rt: Runtime, campaign_id: int) -> str:
    """One slice of sending; queues the next while rows are left."""
    lock = rt.redis.lock(LOCK_KEY.format(id=campaign_id), timeout=defaults.CAMPAIGN_LOCK_TTL, blocking=False)
    if not lock.acquire(blocking=False):
        return "busy"  # another job sends it
    try:
        return _slice(rt, campaign_id, lock)
    finally:
        try:
            lock.release()
        except Exception:  # noqa: BLE001 - it lapsed: the next job takes it
            pass


def _slice(rt: Runtime, campaign_id: int, lock: Any) -> str:
    c = records.by_id(rt, campaign_id)
    if c.send_at is not None and c.send_at > utcnow():  # resumed before its time: it waits for it
        queue(rt, campaign_id, int((c.send_at - utcnow()).total_seconds()) + 1)
        return "not yet"
    if not records.move(rt, campaign_id, ("scheduled", "sending"), "sending"):
        return "not sending"
    claims.orphans_unknown(rt, campaign_id)  # a dead worker's claims: outcome unknown, never sent again
    try:
        token = connections.token_of(rt, c.team_id)
    except NotConnected as e:
        return _stop(rt, c, str(e))
    with rt.db.session() as s:
        t = s.get(Template, c.template_id)
        tpl = (t.name, t.language, needs_of(t.components)) if t is not None else None
    if tpl is None:
        return _stop(rt, c, messages.SEND_TEMPLATE_GONE)
    name, language, needs = tpl
    daily = limit.daily_limit(rt, token, c.phone_number_id)
    if daily is None:  # Meta does not say now: the limit it said at the review
        daily = c.summary.get("daily_limit")
    room = hold.balance(rt, c, daily)  # the part over the messaging limit held back, what it made room for let go
    end = time.monotonic() + defaults.CAMPAIGN_SLICE
    gap = 1.0 / defaults.CAMPAIGN_SEND_RATE
    due = time.monotonic()
    while time.monotonic() < end:
        if records.state_of(rt, campaign_id) != "sending":
            progress.show(rt, campaign_id, force=True)
            return "stopped"
        if room is not None and room <= 0:
            room = hold.balance(rt, c, daily)
        row = claims.next_row(rt, campaign_id)
        if row is None:
            return _held(rt, campaign_id) if hold.held(rt, campaign_id) else _done(rt, campaign_id)
        time.sleep(max(0.0, due - time.monotonic()))
        due = max(due, time.monotonic()) + gap
        to = whatsapp.Recipient(phone=row.phone, bsuid=None if row.phone else row.bsuid)
        try:
            message_id = whatsapp.send_template(rt.graph, token, c.phone_number_id, to, name, language,
                                                header_link.send_components(needs, row.values))
        except OutcomeUnknown as e:
            claims.settle(rt, row.id, "unknown", error=e.user_text())
            room = None if room is None else room - 1
        except Throttled as e:  # refused for now, nothing sent: the row waits its turn again
            claims.settle(rt, row.id, "pending")
            time.sleep(min(float(getattr(e, "retry_after", 0) or defaults.CAMPAIGN_THROTTLE_WAIT), 60.0))
        except GraphError as e:
            claims.settle(rt, row.id, "failed", error=e.user_text()[:500], code=e.code)
            if e.code in STOPPING_CODES:
                return _stop(rt, c, STOPPING_CODES[e.code].format(reason=e.user_text()), state="paused")
        else:
            claims.settle(rt, row.id, "sent", message_id=message_id)
            room = None if room is None else room - 1
        lock.reacquire()
        progress.show(rt, campaign_id)
    queue(rt, campaign_id)
    return "slice"


def _done(rt: Runtime, campaign_id: int) -> str:
    records.move(rt, campaign_id, ("sending",), "done")
    progress.finish(rt, campaign_id)
    return "done"


def _held(rt: Runtime, campaign_id: int) -> str:
    """Only rows over the messaging limit are left: the job comes back when the window makes room for them."""
    c = records.by_id(rt, campaign_id)
    progress.show(rt, campaign_id, force=True)
    wait = (c.held_until - utcnow()).total_seconds() if c.held_until else defaults.CAMPAIGN_SWEEP_INTERVAL
    queue(rt, campaign_id, int(wait) + 1)
    return "held"


def _stop(rt: Runtime, c: Campaign, reason: str, state: str = "paused") -> str:
    """The campaign stops sending and the channel is told why."""
    records.move(rt, c.id, ("sending", "scheduled"), state, reason=reason)
    progress.show(rt, c.id, force=True)
    progress.say(rt, c.id, messages.CAMPAIGN_STOPPED.format(name=c.name, reason=reason))
    return state


def resume_all(rt: Runtime) -> int:
    """The clock's sweep: every campaign due to send whose job is gone (a killed worker, a resume while the paused
    job was still ending) gets a send job again; the lock keeps it to one at a time. One waiting for the messaging
    limit to make room (held_until) is left to its time."""
    now = utcnow()
    with rt.db.session() as s:
        due = list(s.scalars(select(Campaign.id).where(
            Campaign.state.in_(("scheduled", "sending")), or_(Campaign.send_at.is_(None), Campaign.send_at <= now),
            or_(Campaign.held_until.is_(None), Campaign.held_until <= now))))
    queued = 0
    for campaign_id in due:
        if not rt.redis.exists(LOCK_KEY.format(id=campaign_id)):
            queue(rt, campaign_id)
            queued += 1
    return queued
