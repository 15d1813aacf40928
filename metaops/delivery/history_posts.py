"""How imported history reads in Slack: one post per batch (one customer, one day), marked as history from the
WhatsApp Business app, each message a line with its time; the root of a thread it opens names the customer first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from integrations.meta.payload import MEDIA_TYPES, Person
from integrations.slack import limits
from integrations.slack.blocks import context_block, section
from metaops import messages
from metaops.conversation.naming import Post, who
from metaops.delivery import render
from store.history import Row


def batch(rows: list[Row], before: datetime) -> Post:
    """The post of a batch: a header marking it as history (`before`: when the number was onboarded, as far as
    we know), then one line per message."""
    day = rows[0].sent_at.strftime("%a %d %b %Y")
    header = messages.HISTORY_HEADER.format(before=before.strftime("%d %b %Y"), day=day, count=len(rows))
    text = messages.HISTORY_POST.format(count=len(rows), day=day)
    return text, [context_block(header), *(line(r) for r in rows)]


def opening(customer: Person, post: Post) -> Post:
    """The same post when it opens the customer's thread: the customer named first, as every root is."""
    text, blocks = post
    label = who(customer)
    return messages.WA_MESSAGE.format(who=label.replace("*", ""), body=text), [section(label), *blocks]


def fits(rows: list[Row], before: datetime) -> list[Row]:
    """The first rows whose post fits one Slack message (at least one)."""
    kept = list(rows)
    while len(kept) > 1 and len(limits.fit_blocks(batch(kept, before)[1])) > 1:
        kept.pop()
    return kept


def line(row: Row) -> dict[str, Any]:
    ts = int(row.sent_at.replace(tzinfo=UTC).timestamp())
    utc = row.sent_at.strftime("%Y-%m-%d %H:%M")
    mark = f"{messages.HISTORY_FROM_BUSINESS} " if row.outgoing else ""
    return section(messages.HISTORY_LINE.format(ts=ts, utc=utc, who=mark, body=describe(row.data)))


def describe(m: dict[str, Any]) -> str:
    """A history message as the live one would read; media come without their file (Meta shares no media id
    with the history), which the line says."""
    kind = str(m.get("type") or "")
    if kind == "media_placeholder":
        return f"{messages.WA_TYPES['unsupported']} {messages.HISTORY_MEDIA_NO_FILE}"
    said = render.describe(m)
    part: dict[str, Any] = m[kind] if isinstance(m.get(kind), dict) else {}
    if kind in MEDIA_TYPES and not part.get("id"):
        said = f"{said} {messages.HISTORY_MEDIA_NO_FILE}"
    return said
