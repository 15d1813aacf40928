"""Before a template goes to one customer (`/meta send`, a thread's *Send template*): whether Meta will bill it and
about how much, by the rules of per-message pricing (since 2025-07-01: marketing and authentication templates are
paid; a utility template is free inside the customer's 24-hour service window) and the rate card."""

from __future__ import annotations

from dataclasses import dataclass

from metaops import messages
from metaops.conversation.reply_window import window_end
from metaops.costs.estimate import estimate
from metaops.runtime import Runtime
from metaops.templates.recipients import Target
from store import customers


@dataclass(frozen=True)
class Billing:
    paid: bool  # Meta bills it when it is delivered
    line: str  # what to tell the sender, before it goes


def before_send(rt: Runtime, category: str, target: Target) -> str:
    """One line for the send modal: paid (with the rate card's price when it has one) or free, and why."""
    return billing(rt, category, target).line


def billing(rt: Runtime, category: str, target: Target) -> Billing:
    if category == "UTILITY" and _window_open(rt, target):
        return Billing(False, messages.SEND_FREE_NOTE)
    e = estimate(category, [target.phone])
    if e.cost:
        price = " + ".join(f"{currency} {amount}" for currency, amount in sorted(e.cost.items()))
        return Billing(True, messages.SEND_PAID_NOTE.format(category=category, price=price))
    return Billing(True, messages.SEND_PAID_UNPRICED.format(category=category))


def _window_open(rt: Runtime, target: Target) -> bool:
    customer = customers.from_thread_key(rt.db.engine, target.contact) if target.contact else \
        customers.find(rt.db.engine, target.phone_number_id, customers.Seen(bsuid=target.bsuid, phone=target.phone))
    return bool(customer and customer.last_inbound_at and rt.now() < window_end(customer.last_inbound_at))
