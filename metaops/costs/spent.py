"""What Meta's messages cost over the last days, from the pricing its statuses reported (integrations.meta.pricing)
on replies and templates sent from Slack and on campaign messages: per day, per business number and per category,
paid (`regular`) and free (`free_customer_service`, `free_entry_point`), with the rate card's estimate of the paid
ones where the customer's country is known."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, select

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


def spent(rt: Runtime, team_id: str, days: int, now: datetime | None = None) -> Spent:
    since = (now or utcnow()) - timedelta(days=days)
    out = Spent(days)
    card = rate_card.load()
    for p in [*_replies(rt, team_id, since), *_campaigns(rt, team_id, since)]:
        (out.paid if p.paid else out.free)[(p.day, p.category)] += 1
        out.numbers[(p.number, p.paid)] += 1
        if p.paid:
            country = country_of(p.phone) if p.phone else None
            found = card.rate(country.market, p.category) if country else None
            if found is None:
                out.unpriced += 1
            else:
                out.cost[found[0]] = out.cost.get(found[0], Decimal(0)) + found[1]
    return out


def _replies(rt: Runtime, team_id: str, since: datetime) -> list[Priced]:
    o, t = OutboundMessage, ContactThread
    with rt.db.session() as s:
        rows = s.execute(select(o.created_at, o.pricing_category, o.pricing_type, t.business_id, t.contact)
                         .join(t, and_(t.channel_id == o.channel_id, t.root_ts == o.thread_ts), isouter=True)
                         .where(o.team_id == team_id, o.platform == "whatsapp", o.created_at >= since,
                                o.pricing_category.is_not(None))).all()
    phones: dict[str, str | None] = {}
    out = []
    for at, category, kind, number, contact in rows:
        if contact and contact not in phones:
            who = customers.from_thread_key(rt.db.engine, contact)
            phones[contact] = who.phone if who else (contact if contact.isdigit() else None)
        out.append(Priced(f"{at:%Y-%m-%d}", number or "?", category or "?", kind == "regular",
                          phones.get(contact or "")))
    return out


def _campaigns(rt: Runtime, team_id: str, since: datetime) -> list[Priced]:
    r, c = CampaignRecipient, Campaign
    with rt.db.session() as s:
        rows = s.execute(select(r.sent_at, r.pricing_category, r.pricing_type, c.phone_number_id, r.phone)
                         .join(c, c.id == r.campaign_id)
                         .where(c.team_id == team_id, r.sent_at >= since, r.pricing_category.is_not(None))).all()
    return [Priced(f"{at:%Y-%m-%d}", number, category or "?", kind == "regular", phone)
            for at, category, kind, number, phone in rows]
