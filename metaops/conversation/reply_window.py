"""WhatsApp's 24-hour reply window, kept visible in the customer's thread.

Meta takes free-form messages to a customer only within 24 hours of the customer's last message (then only
templates; error 131047). The window is counted from when the app received that message: a little later than
Meta's own count, so a reply is never held back here while Meta would still take it (and a 131047 from Meta is
still explained). The thread root carries a context line saying until when the window is open, updated as the
customer writes; an unanswered customer's thread is nudged once an hour before it closes (a periodic job); a
reply written after it closed is not sent: the thread says so at once and offers the send-template button, as it
does when Meta refuses a reply with 131047. Group threads have no such window here."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from integrations.slack import blocks
from integrations.slack.client import post_message
from metaops import defaults, messages
from metaops.conversation import root as root_lines
from metaops.conversation.buttons import send_template_button
from metaops.conversation.root import WINDOW_BLOCK
from metaops.runtime import Runtime, current
from store import customers
from store.models import ContactThread, OutboundMessage

if TYPE_CHECKING:
    from metaops.conversation.router import Router

log = logging.getLogger(__name__)
META_CLOSED = 131047  # Meta's refusal: more than 24 hours since the customer's last message


@dataclass(frozen=True)
class Opened:
    """A customer's message restarted their window: when it did, and when the previous one had (as the batch knew
    it: never later than what was stored)."""

    customer_id: int
    at: datetime
    previous: datetime | None


def window_end(last_inbound_at: datetime) -> datetime:
    return last_inbound_at + timedelta(seconds=defaults.REPLY_WINDOW)


def _when(at: datetime) -> dict[str, str]:
    return {"time": f"{at:%H:%M}", "day": f"{at:%b} {at.day}"}


def line(end: datetime) -> str:
    return messages.WINDOW_OPEN.format(**_when(end))


def customer_wrote(rt: Runtime, router: Router, contact: str | None, message: dict[str, Any]) -> Opened | None:
    """A customer's message arrived (before it is posted: a database failure here leaves nothing half done):
    their window restarts and the message is the one to mark read when the team answers. None for groups,
    Meta's system notices and items that name no customer."""
    customer = router.customer_of(contact) if contact and message.get("type") != "system" else None
    if customer is None:
        return None
    now = rt.now()
    stored = customers.note_inbound(rt.db.engine, customer.id, now, message.get("id"))
    if stored is not None:
        router.remember_customer(stored)  # the batch's next message of theirs finds this one as the previous
    return Opened(customer.id, now, customer.last_inbound_at)


def show(rt: Runtime, router: Router, team_id: str, business_id: str, contact: str, opened: Opened) -> None:
    """The root's "Reply window open until …" line, added or moved (chat.update), keeping the rest of the root as
    it is. Skipped when the line would read the same. Never fails the delivery around it."""
    end = window_end(opened.at)
    if opened.previous is not None and line(window_end(opened.previous)) == line(end):
        return
    try:
        channel = router.thread_channel(team_id, "messages", business_id, contact)
        root = router.root(business_id, contact, channel)
        if root:
            _update_root(rt, team_id, channel, root, line(end))
    except Exception as e:  # noqa: BLE001 - the message is posted; only the root's line is stale
        log.warning("reply window line not updated for %s (%s)", contact, type(e).__name__)


def _update_root(rt: Runtime, team_id: str, channel: str, root_ts: str, text: str) -> None:
    root_lines.set_blocks(rt, team_id, channel, root_ts, [{**blocks.context_block(text), "block_id": WINDOW_BLOCK}])


def closed_since(rt: Runtime, contact: str) -> datetime | None:
    """When the window of the WhatsApp thread's customer closed, if it has; None while open or not known (a
    customer who never wrote since the app kept the time: Meta decides)."""
    customer = customers.from_thread_key(rt.db.engine, contact)
    if customer is None or customer.last_inbound_at is None:
        return None
    end = window_end(customer.last_inbound_at)
    return end if rt.now() >= end else None


def closed_text(closed: datetime) -> str:
    """Why a reply written after the window closed (at `closed`) was not sent."""
    return messages.WINDOW_CLOSED.format(**_when(closed))


def say_closed(rt: Runtime, team_id: str, channel: str, thread_ts: str, why: str) -> None:
    """The thread's answer to a reply the closed window stopped, with the send-template button: found closed here
    (`closed_text`) or refused by Meta (META_CLOSED, in the send's answer or a later `failed` status)."""
    post_message(rt.slack.for_team(team_id), channel, why, thread_ts=thread_ts, blocks=[
        blocks.section(why), blocks.actions(send_template_button(channel, thread_ts))])


def nudge(rt: Runtime | None = None) -> int:
    """The periodic job: each customer whose last message is unanswered and whose window closes within
    WINDOW_NUDGE_BEFORE gets one note in their thread. Returns how many threads were nudged."""
    rt = rt or current()
    now = rt.now()
    window, before = timedelta(seconds=defaults.REPLY_WINDOW), timedelta(seconds=defaults.WINDOW_NUDGE_BEFORE)
    nudged = 0
    for c in customers.window_closing(rt.db.engine, now - window, now - window + before, defaults.WINDOW_NUDGE_BATCH):
        assert c.last_inbound_at is not None
        thread = _thread_of(rt, c)
        answered = thread is None or _answered(rt, thread, c.last_inbound_at)
        if not customers.claim_nudge(rt.db.engine, c.id, c.last_inbound_at, now) or answered or thread is None:
            continue  # another run took it, the customer wrote again, or the team answered: no nudge this window
        end = window_end(c.last_inbound_at)
        minutes = max(1, int((end - now).total_seconds() // 60))
        try:
            post_message(rt.slack.for_team(thread.team_id), thread.channel_id,
                         messages.WINDOW_NUDGE.format(minutes=minutes, **_when(end)), thread_ts=thread.root_ts)
        except Exception as e:  # noqa: BLE001 - given back: the next run tries again while the window lasts
            customers.release_nudge(rt.db.engine, c.id)
            log.warning("window nudge for customer %d not posted (%s)", c.id, type(e).__name__)
            continue
        nudged += 1
    return nudged


def _thread_of(rt: Runtime, c: customers.Identity) -> ContactThread | None:
    """The customer's thread (the newest, when routes moved it to another channel)."""
    with rt.db.session() as s:
        thread = s.scalars(select(ContactThread).where(
            ContactThread.business_id == c.business_id, ContactThread.contact == c.thread_key,
            ContactThread.platform == "whatsapp").order_by(ContactThread.created_at.desc())).first()
        if thread is not None:
            s.expunge(thread)
        return thread


def _answered(rt: Runtime, thread: ContactThread, since: datetime) -> bool:
    """A reply from the thread was accepted by Meta since the customer's last message."""
    with rt.db.session() as s:
        return s.scalars(select(OutboundMessage.id).where(
            OutboundMessage.channel_id == thread.channel_id, OutboundMessage.thread_ts == thread.root_ts,
            OutboundMessage.created_at >= since).limit(1)).first() is not None
