"""What Meta's messages cost over the last days, from the pricing its statuses reported (integrations.meta.pricing)
on replies and templates sent from Slack and on campaign messages: per day, per business number and per category,
paid (`regular`) and free (`free_customer_service`, `free_entry_point`), with the rate card's estimate of the paid
ones where the customer's country is known."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, select

from metaops.costs import rate_card
from metaops.costs.countries import country_of
from metaops.runtime import Runtime
from store import customers
from store.models import Campaign, CampaignRecipient, ContactThread, OutboundMessage
from store.timestamps import utcnow

MAX_DAYS = 90  # the longest period `/meta cost` reads, days


@dataclass(frozen=True)
class Priced:
    day: str  # YYYY-MM-DD (UTC)
    number: str  # the business number's phone_number_id
    category: str  # Meta's pricing category
    paid: bool
    phone: str | None
    count: int  # messages alike in all of the above


@dataclass
class Spent:
    days: int
    paid: Counter[tuple[str, str]] = field(default_factory=Counter)  # (day, category) -> paid messages
    free: Counter[tuple[str, str]] = field(default_factory=Counter)  # (day, category) -> free messages
    numbers: Counter[tuple[str, bool]] = field(default_factory=Counter)  # (number, paid) -> messages
    cost: dict[str, Decimal] = field(default_factory=dict)  # currency -> estimate of the paid ones
    unpriced: int = 0  # paid messages the rate card cannot price

    @property
    def empty(self) -> bool:
        return not self.paid and not self.free

    @property
    def paid_count(self) -> int:
        return sum(self.paid.values())

    @property
    def free_count(self) -> int:
        return sum(self.free.values())

    def by_category(self, paid: bool) -> Counter[str]:
        out: Counter[str] = Counter()
        for (_, category), n in (self.paid if paid else self.free).items():
            out[category] += n
        return out


def spent(rt: Runtime, team_id: str, days: int, now: datetime | None = None) -> Spent:
    """The last `days` days, up to now."""
    return _since(rt, team_id, (now or utcnow()) - timedelta(days=days), days)


def this_month(rt: Runtime, team_id: str, now: datetime | None = None) -> Spent:
    """The calendar month (UTC) so far, for the Home tab."""
    now = now or utcnow()
    return _since(rt, team_id, now.replace(day=1, hour=0, minute=0, second=0, microsecond=0), now.day)


def of_thread(rt: Runtime, team_id: str, channel: str, root: str) -> Spent:
    """What one customer thread's messages have cost since it began (its root's cost line)."""
    return _tally(rt, 0, _replies(rt, team_id, None, thread=(channel, root)))


def _since(rt: Runtime, team_id: str, since: datetime, days: int) -> Spent:
    return _tally(rt, days, [*_replies(rt, team_id, since), *_campaigns(rt, team_id, since)])


def _tally(rt: Runtime, days: int, priced: list[Priced]) -> Spent:
    out = Spent(days)
    card = rate_card.load()
    for p in priced:
        (out.paid if p.paid else out.free)[(p.day, p.category)] += p.count
        out.numbers[(p.number, p.paid)] += p.count
        if p.paid:
            country = country_of(p.phone) if p.phone else None
            found = card.rate(country.market, p.category) if country else None
            if found is None:
                out.unpriced += p.count
            else:
                out.cost[found[0]] = out.cost.get(found[0], Decimal(0)) + found[1] * p.count
    return out


def _replies(rt: Runtime, team_id: str, since: datetime | None,
             thread: tuple[str, str] | None = None) -> list[Priced]:
    """Replies and templates sent from Slack, counted per UTC day, category, pricing type, number and customer."""
    o, t = OutboundMessage, ContactThread
    day = func.date(o.created_at)
    where = [o.team_id == team_id, o.platform == "whatsapp", o.pricing_category.is_not(None)]
    where += [o.created_at >= since] if since is not None else []
    where += [o.channel_id == thread[0], o.thread_ts == thread[1]] if thread is not None else []
    with rt.db.session() as s:
        rows = s.execute(select(day, o.pricing_category, o.pricing_type, t.business_id, t.contact, func.count())
                         .join(t, and_(t.channel_id == o.channel_id, t.root_ts == o.thread_ts), isouter=True)
                         .where(*where)
                         .group_by(day, o.pricing_category, o.pricing_type, t.business_id, t.contact)).all()
    phones: dict[str, str | None] = {}
    out = []
    for at, category, kind, number, contact, n in rows:
        if contact and contact not in phones:
            who = customers.from_thread_key(rt.db.engine, contact)
            phones[contact] = who.phone if who else (contact if contact.isdigit() else None)
        out.append(Priced(str(at), number or "?", category or "?", kind == "regular", phones.get(contact or ""), n))
    return out


def _campaigns(rt: Runtime, team_id: str, since: datetime) -> list[Priced]:
    """Campaign messages, counted per UTC day, category, pricing type, number and recipient."""
    r, c = CampaignRecipient, Campaign
    day = func.date(r.sent_at)
    with rt.db.session() as s:
        rows = s.execute(select(day, r.pricing_category, r.pricing_type, c.phone_number_id, r.phone, func.count())
                         .join(c, c.id == r.campaign_id)
                         .where(c.team_id == team_id, r.sent_at >= since, r.pricing_category.is_not(None))
                         .group_by(day, r.pricing_category, r.pricing_type, c.phone_number_id, r.phone)).all()
    return [Priced(str(at), number, category or "?", kind == "regular", phone, n)
            for at, category, kind, number, phone, n in rows]
