"""Working a conversation: what members, customers and the clock do to its state (store/conversations.py), and
what follows (the root's line, a note in the thread, the metrics).

Members: anyone of the workspace may claim, resolve, reopen or snooze (Slack Connect guests may not, as they may
not reply); assigning it to someone else is for admins. Two members claiming at once: the database keeps the
first and the other is told. Customers: their message reopens a resolved or snoozed conversation (said in the
thread). A member's reply: an unclaimed conversation becomes theirs, and it waits on the customer. The clock:
a snooze that ended reopens it (said in the thread)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from integrations.slack.client import post_message
from metaops import counters, defaults
from metaops import inbox_messages as texts
from metaops.conversation import state_root
from metaops.queue import enqueue
from metaops.runtime import Runtime, current
from store import conversations, threads
from store.conversations import OPEN, RESOLVED, SNOOZED, State

log = logging.getLogger(__name__)
NOTE_JOB = "metaops.jobs.conversation_note"
PLATFORMS = ("whatsapp", "messenger", "instagram")  # threads that are conversations (not a post's comments)
CLAIM, ASSIGN, RESOLVE, REOPEN, SNOOZE = "claim", "assign", "resolve", "reopen", "snooze"


@dataclass(frozen=True)
class Request:
    """A member's change, from a signed Slack request: its workspace, the member, the root it names."""

    team_id: str
    user_id: str
    channel: str
    root: str
    guest: bool  # a Slack Connect user of another organisation


def conversation(rt: Runtime, team_id: str, channel: str, root: str) -> State | None:
    """The state of the workspace's customer thread rooted at (channel, root), made when it has none; None when no
    such customer thread is the workspace's (a forged or another workspace's value reaches nothing)."""
    found = _ensure(rt, team_id, channel, root)
    return found[0] if found else None


def _ensure(rt: Runtime, team_id: str, channel: str, root: str) -> tuple[State, bool] | None:
    thread = threads.find_by_root(rt.db.engine, channel, root)
    if thread is None or thread.team_id != team_id or thread.platform not in PLATFORMS:
        return None
    return conversations.ensure(rt.db.engine, team_id, channel, root, rt.now())


def change(rt: Runtime, req: Request, action: str, is_admin: Callable[[], bool], assignee: str | None = None,
           until: datetime | None = None) -> str | None:
    """A member's change. None when done (or nothing to do); otherwise what to tell them."""
    state = conversation(rt, req.team_id, req.channel, req.root)
    if state is None:
        return texts.NOT_A_CONVERSATION
    if req.guest:
        return texts.GUEST_REFUSED
    now, engine = rt.now(), rt.db.engine
    if action == CLAIM:
        if not conversations.claim(engine, state, req.user_id, now):
            holder = conversations.get(engine, req.channel, req.root)
            return texts.ALREADY_CLAIMED.format(owner=holder.owner if holder else "someone")
    elif action == ASSIGN and assignee:
        if assignee != req.user_id and not is_admin():
            return texts.ASSIGN_ADMINS
        conversations.assign(engine, state, assignee, req.user_id, now)
    elif action == RESOLVE:
        took = conversations.resolve(engine, state, req.user_id, now)
        if took is None:
            return texts.NOTHING_TO_DO.format(status=state.status)
        counters.observe(rt.redis, counters.RESOLVE, took)
    elif action == REOPEN:
        if state.status not in (RESOLVED, SNOOZED) or not conversations.reopen(engine, state, req.user_id,
                                                                              "reopened", now):
            return texts.NOTHING_TO_DO.format(status=state.status)
    elif action == SNOOZE and until is not None:
        if not conversations.snooze(engine, state, until, req.user_id, now):
            return texts.NOTHING_TO_DO.format(status=state.status)
    else:
        return texts.NOT_A_CONVERSATION  # an action we did not make
    state_root.refresh(rt, req.team_id, req.channel, req.root)
    return None


def customer_wrote_open(conn: Connection, team_id: str, channel: str, root: str, now: datetime) -> bool:
    """A customer's message posted in the thread of an open conversation: since when they wait noted in the caller's
    transaction (one UPDATE), and nothing else follows. False when the conversation is not open (resolved, snoozed,
    waiting on the customer, or not made yet): then `customer_wrote`, once that transaction is over."""
    return conversations.customer_wrote(conn, team_id, channel, root, now, waiting=False)


def customer_wrote(rt: Runtime, team_id: str, channel: str, root: str) -> None:
    """After a customer's message was posted in their thread: a resolved or snoozed conversation opens again (and
    the thread says so); an open one notes since when the customer waits. Never fails the delivery around it."""
    try:
        found = _ensure(rt, team_id, channel, root)
        if found is None:
            return
        (state, created), now = found, rt.now()
        if state.status in (RESOLVED, SNOOZED):
            if conversations.reopen(rt.db.engine, state, None, "customer", now, since=now):
                note(rt, team_id, channel, root, texts.NOTE_REOPENED)
        else:
            with rt.db.engine.begin() as conn:
                conversations.customer_wrote(conn, state.team_id, channel, root, now)
        if state.status != OPEN or created:
            state_root.refresh(rt, team_id, channel, root)
    except Exception as e:  # noqa: BLE001 - the message is posted; only the conversation's state lags
        log.warning("conversation state not updated for %s %s (%s)", channel, root, type(e).__name__)


def member_replied(rt: Runtime, team_id: str, channel: str, root: str, user_id: str) -> None:
    """After a member's reply was sent: the conversation is theirs if it was nobody's, and waits on the customer.
    Never fails the reply around it."""
    try:
        state = conversation(rt, team_id, channel, root)
        if state is None:
            return
        claimed, first = conversations.member_replied(rt.db.engine, state, user_id, rt.now())
        if first is not None:
            counters.observe(rt.redis, counters.FIRST_RESPONSE, first)
        if claimed or state.status == OPEN:
            state_root.refresh(rt, team_id, channel, root)
    except Exception as e:  # noqa: BLE001 - the reply is sent; only the conversation's state lags
        log.warning("conversation state not updated after a reply in %s %s (%s)", channel, root, type(e).__name__)


def wake(rt: Runtime | None = None) -> int:
    """The periodic job: every conversation whose snooze ended opens again, and its thread says so."""
    rt = rt or current()
    woken = 0
    for state in conversations.due_snoozes(rt.db.engine, rt.now(), defaults.SNOOZE_WAKE_BATCH):
        if conversations.reopen(rt.db.engine, state, None, "snooze_ended", rt.now()):
            note(rt, state.team_id, state.channel_id, state.root_ts, texts.NOTE_SNOOZE_ENDED)
            state_root.refresh(rt, state.team_id, state.channel_id, state.root_ts)
            woken += 1
    return woken


def note(rt: Runtime, team_id: str, channel: str, root: str, text: str) -> None:
    """A note in the thread, posted by a job (with its retries) so a busy channel's 429 never loses it."""
    try:
        enqueue.submit(rt.queue, NOTE_JOB, 0, args=(team_id, channel, root, text),
                       retry=enqueue.retry_for(rt.settings.JOB_RETRY_INTERVALS))
    except Exception as e:  # noqa: BLE001 - Redis down: the state changed; only the note is lost
        log.warning("conversation note for %s %s not queued (%s)", channel, root, type(e).__name__)


def post_note(team_id: str, channel: str, root: str, text: str) -> None:
    """The note job."""
    post_message(current().slack.for_team(team_id), channel, text, thread_ts=root)

