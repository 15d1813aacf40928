"""What sending one template to many customers will cost, from the rate card: paid messages, cost per currency,
and the recipients it cannot price (a calling code or market not on the card, a customer known by BSUID only)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from metaops.costs import rate_card
from metaops.costs.countries import country_of


@dataclass
class Estimate:
    paid: int = 0  # messages the rate card charges for
    free: int = 0  # messages it prices at 0
    unknown: int = 0  # recipients it cannot price
    cost: dict[str, Decimal] = field(default_factory=dict)  # currency -> total
    countries: Counter[str] = field(default_factory=Counter)  # ISO country -> recipients


def estimate(category: str, phones: Iterable[str | None], card: rate_card.RateCard | None = None) -> Estimate:
    """The estimate for a template of `category` (MARKETING, UTILITY, AUTHENTICATION, or a pricing category such as
    authentication_international) sent to `phones` (digits; None for a customer known by BSUID only). List rates:
    a utility template in an open customer service window, free at Meta, is counted as paid (an upper bound)."""
    card = card or rate_card.load()
    category = category.lower()
    out = Estimate()
    for phone in phones:
        country = country_of(phone) if phone else None
        found = card.rate(country.market, category) if country else None
        if country:
            out.countries[country.iso] += 1
        if found is None:
            out.unknown += 1
            continue
        currency, price = found
        if price:
            out.paid += 1
            out.cost[currency] = out.cost.get(currency, Decimal(0)) + price
        else:
            out.free += 1
    return out


def money(cost: dict[str, str] | dict[str, Decimal]) -> str:
    """Amounts per currency, as people read them: cents, or four decimals for a fraction of a cent."""
    def one(currency: str, value: Decimal) -> str:
        return f"{currency} {value:,.2f}" if value == 0 or value >= Decimal("0.01") else f"{currency} {value:.4f}"
    return " + ".join(one(c, Decimal(str(v))) for c, v in cost.items()) or "0"
