"""Stale webhook items: older than what retention has forgotten, so never delivered.

Dedupe keys are what stops an item being posted twice, and retention deletes them after RETENTION_DAYS. Each
purge that deletes some records how far it went (`retention_marks`). An item Meta dated before that mark may
have been delivered and forgotten: a captured webhook replayed, or a failed event requeued after the window.
Such items are refused, logged and counted (`items_stale`). The test uses Meta's own time of the item (its
timestamp, else its entry's time); an item with neither falls back to when its event was received, which
covers a requeued event, not a replay. Until a purge has deleted a key nothing is stale."""

from __future__ import annotations

from datetime import UTC, datetime

from integrations.meta.payload import Item
from metaops.runtime import Runtime
from store import retention

MARK = "dedupe_keys"


def horizon(rt: Runtime) -> datetime | None:
    """Items from before this are stale (None: nothing is). One read by primary key per event: the mark moves
    once a day, but a cache per process would outlive a restored database."""
    return retention.mark_of(rt.db.engine, MARK)


def is_stale(item: Item, before: datetime | None, received_at: datetime | None) -> bool:
    if before is None:
        return False
    if item.sent_at is not None:
        return datetime.fromtimestamp(item.sent_at, UTC).replace(tzinfo=None) < before
    return received_at is not None and received_at < before
