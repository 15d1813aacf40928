"""Before a template goes to one customer (`/meta send`, a thread's *Send template*): whether Meta will bill it and
about how much, by the rules of per-message pricing (since 2025-07-01: marketing and authentication templates are
paid; a utility template is free inside the customer's 24-hour service window) and the rate card."""

from __future__ import annotations

from metaops import messages
from metaops.conversation.reply_window import window_end
from metaops.costs.estimate import estimate
from metaops.runtime import Runtime
from metaops.templates.recipients import Target
from store import customers


def before_send(rt: Runtime, category: str, target: Target) -> str:
    """One line for the send modal: paid (with the rate card's price when it has one) or free, and why."""
    if category == "UTILITY" and _window_open(rt, target):
        return messages.SEND_FREE_NOTE
    e = estimate(category, [target.phone])
    if e.cost:
        price = " + ".join(f"{currency} {amount}" for currency, amount in sorted(e.cost.items()))
        return messages.SEND_PAID_NOTE.format(category=category, price=price)
    return messages.SEND_PAID_UNPRICED.format(category=category)


def _window_open(rt: Runtime, target: Target) -> bool:
    customer = customers.from_thread_key(rt.db.engine, target.contact) if target.contact else None
    return bool(customer and customer.last_inbound_at and rt.now() < window_end(customer.last_inbound_at))
