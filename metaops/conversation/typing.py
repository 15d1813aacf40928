"""Read and typing while a team member's reply goes out: the customer sees their message read and someone typing.

The reply's send job, once the reply is allowed to go (replies on, window open), first marks the customer's last
message read with WhatsApp's typing indicator on the same call (`status: read` + `typing_indicator: {type: text}`
on a received message's wamid; Meta dismisses it when the reply arrives or after 25 seconds), or, on Messenger and
Instagram, sends the sender actions `mark_seen` and `typing_on`. A customer's message id stays usable for the
indicator after it is marked read (kept in Redis for the 24-hour window), so every reply of a conversation shows
it, not only the first after the customer wrote. Nothing here ever holds the reply back: a refusal is logged."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from integrations.meta import pages, whatsapp
from metaops import defaults
from metaops.assets import connections
from metaops.runtime import Runtime
from store import customers

log = logging.getLogger(__name__)
READ_KEY = "metaops:typing-on:{customer}"  # the customer's last message id, once marked read
PageFor = Callable[[Runtime, Any], tuple[str, str]]  # a thread's (Page id, page token)


def show(rt: Runtime, thread: Any, page_for: PageFor) -> None:
    """Mark read and show typing for the thread's customer; never raises."""
    try:
        if thread.platform == "whatsapp":
            _whatsapp(rt, thread)
        elif thread.platform in ("messenger", "instagram"):
            page_id, token = page_for(rt, thread)
            for action in ("mark_seen", "typing_on"):
                pages.sender_action(rt.graph, token, page_id, thread.contact, action)
    except Exception as e:  # noqa: BLE001 - the reply goes out either way; only the courtesy is missing
        log.warning("read and typing not shown for thread %s (%s)", thread.root_ts, type(e).__name__)


def _whatsapp(rt: Runtime, thread: Any) -> None:
    customer = customers.from_thread_key(rt.db.engine, thread.contact)  # None for groups: no indicator there
    if customer is None:
        return
    key = READ_KEY.format(customer=customer.id)
    message_id = customer.last_inbound_id or _text(rt.redis.get(key))
    if not message_id:
        return  # the customer's last message is older than the window, or from before the app kept it
    whatsapp.mark_read(rt.graph, connections.token_of(rt, thread.team_id), thread.business_id, message_id,
                       typing=True)
    rt.redis.set(key, message_id, ex=defaults.REPLY_WINDOW)
    if customer.last_inbound_id:
        customers.marked_read(rt.db.engine, customer.id, customer.last_inbound_id)


def _text(value: Any) -> str | None:
    return value.decode() if isinstance(value, bytes) else value
