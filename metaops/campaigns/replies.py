"""Where a campaign's replies open their threads.

A WhatsApp customer the campaign was sent to (within defaults.CAMPAIGN_REPLY_DAYS, the window in which their message
counts as a reply) and who has no thread yet gets one in the campaign's reply channel: the channel the admin picked
in the campaign modal, else the one the campaign was started in; with overflow channels, in one of those, chosen by
the customer (stable: the customer's thread stays in one channel). The usual `messages` channel never gets them.
A customer who has a thread keeps it: their thread in the usual channel, or the one an earlier campaign reply opened
(contact_threads.campaign_id). The Router asks here once per customer and batch (conversation/router.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, case, func, or_, select
from sqlalchemy.orm import Session

from metaops import defaults
from store import customers, threads
from store.models import Campaign, CampaignRecipient
from store.timestamps import utcnow

LIVE = ("scheduled", "sending", "paused")  # states in which a campaign may still send


@dataclass(frozen=True)
class Place:
    """The channel a customer's thread is in, or opens in; `campaign_id` when a campaign's reply opens it there."""

    channel: str | None
    campaign_id: int | None = None


def channels(c: Campaign) -> list[str]:
    """The channels in which the campaign's replies open threads, in order."""
    return [str(x) for x in c.overflow_channels or []] or [c.reply_channel_id or c.channel_id]


def spread(c: Campaign, customer_id: int) -> str:
    """The one channel of the campaign's in which this customer's thread opens: the same every time."""
    found = channels(c)
    return found[customer_id % len(found)]


def window_start() -> datetime:
    return utcnow() - timedelta(days=defaults.CAMPAIGN_REPLY_DAYS)


@dataclass(frozen=True)
class Activity:
    """What a business number's campaigns allow: any campaign thread (`ever`), recent recipients (`lately`)."""

    ever: bool = False
    lately: bool = False


def activity(engine: Engine, business_id: str) -> Activity:
    """One cheap question per batch before any customer's: whether this number ever sent a campaign, and whether
    one may have recipients within the reply window (still live, or changed within the window)."""
    recent = case((or_(Campaign.state.in_(LIVE), Campaign.updated_at >= window_start()), 1), else_=0)
    with Session(engine) as s:
        ever, lately = s.execute(select(func.count(Campaign.id), func.max(recent)).where(
            Campaign.phone_number_id == business_id)).one()
    return Activity(bool(ever), bool(lately))


def last_sent(s: Session, business_id: str, phone: str | None, bsuid: str | None,
              team_id: str | None = None) -> CampaignRecipient | None:
    """The latest campaign message this number sent the customer (by phone or BSUID) within the reply window."""
    if not (phone or bsuid):
        return None
    r = CampaignRecipient
    query = select(r).join(Campaign, Campaign.id == r.campaign_id).where(
        Campaign.phone_number_id == business_id, r.sent_at >= window_start(),
        or_(r.phone == str(phone or "-"), r.bsuid == str(bsuid or "-")))
    if team_id is not None:
        query = query.where(Campaign.team_id == team_id)
    return s.scalars(query.order_by(r.sent_at.desc()).limit(1)).first()


def place(engine: Engine, team_id: str, business_id: str, contact: str, found: Activity) -> Place | None:
    """Where the thread of a customer with none in the usual channel goes: their campaign thread's channel, else,
    for a recent recipient, the campaign's channel for them. None: the usual channel. `found`: the number's
    activity, which spares both questions to numbers without campaigns."""
    if not found.ever:
        return None
    kept = threads.campaign_thread_channel(engine, team_id, business_id, contact)
    if kept:
        return Place(kept)
    if not found.lately:
        return None
    customer = customers.from_thread_key(engine, contact)
    if customer is None:
        return None
    with Session(engine) as s:
        row = last_sent(s, business_id, customer.phone, customer.bsuid, team_id)
        c = s.get(Campaign, row.campaign_id) if row is not None else None
        return Place(spread(c, customer.id), c.id) if c is not None else None
