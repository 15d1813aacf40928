"""How a customer is named in Slack, by both directions: an inbound message's post, the root of every customer
thread (whoever's post opened it), a sent template's root."""

from __future__ import annotations

from typing import Any

from integrations.meta.payload import Person
from integrations.slack.blocks import section
from integrations.slack.mrkdwn import escape
from metaops import messages
from store import customers

Post = tuple[str, list[dict[str, Any]]]


def plus(number: str | None) -> str:
    digits = str(number or "").lstrip("+")
    return f"+{digits}" if digits else "unknown number"


def who(person: Person) -> str:
    """A WhatsApp customer as the team knows them: *profile name*, then @username, then +phone; the
    business-scoped user id only when nothing else names them."""
    parts = [f"*{escape(person.name)}*"] if person.name else []
    if person.username:
        parts.append(f"@{escape(person.username.lstrip('@'))}")
    if person.phone:
        parts.append(plus(person.phone))
    if not parts:
        parts.append(f"`{escape(person.bsuid)}`" if person.bsuid else messages.UNKNOWN_CONTACT)
    return " ".join(parts)


def customer_post(customer: Person, body: str) -> Post:
    """A post headed by its customer (`who`), then `body`: how a customer's message is shown, and how every
    customer thread's root reads, whoever's post opened it."""
    label = who(customer)
    return messages.WA_MESSAGE.format(who=label.replace("*", ""), body=body), [section(f"{label}\n{body}")]


def person_of(c: customers.Identity) -> Person:
    """A stored customer as the posts name them."""
    return Person(bsuid=c.bsuid, phone=c.phone, username=c.username, name=c.profile_name)
