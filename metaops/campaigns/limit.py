"""The business portfolio's messaging limit (customers a day reached outside a customer service window), as Meta's
phone numbers API says it (integrations.meta.limits): what a campaign's recipients use of it."""

from __future__ import annotations

import logging

from integrations.meta import whatsapp
from integrations.meta.errors import GraphError
from integrations.meta.limits import limit_of
from metaops.runtime import Runtime
from store.models import PhoneNumber

log = logging.getLogger(__name__)
TIERS = {"TIER_50": 50, "TIER_250": 250, "TIER_1K": 1000, "TIER_2K": 2000, "TIER_10K": 10_000,
         "TIER_100K": 100_000, "TIER_UNLIMITED": -1}


def daily_limit(rt: Runtime, token: str, phone_number_id: str) -> int | None:
    """Customers a day the number's portfolio may reach (-1: unlimited); None when Meta does not say."""
    with rt.db.session() as s:
        number = s.get(PhoneNumber, phone_number_id)
        waba_id = number.waba_id if number else None
    if waba_id is None:
        return None
    try:
        found = whatsapp.phone_numbers(rt.graph, token, waba_id)
    except GraphError as e:
        log.info("messaging limit of %s not read: %s", phone_number_id, e.user_text())
        return None
    raw = next((limit_of(n) for n in found if str(n.get("id")) == phone_number_id), None)
    return count_of(raw)


def count_of(raw: str | None) -> int | None:
    """A limit as a count: a tier code (`TIER_2K`) or a number (-1: unlimited)."""
    if not raw:
        return None
    if raw.lstrip("-").isdigit():
        return int(raw)
    return TIERS.get(raw)
