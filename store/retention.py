"""Deleting old rows in batches: each statement removes at most `batch` rows in its own transaction, so a
large backlog never holds a long lock (the webhook's inserts keep flowing) and a crash loses no progress."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, Engine, Table, and_, delete, select

from store.models import DedupeKey, MessagePost, OutboundMessage, ReplyOutbox, WebhookEvent

_events = cast(Table, WebhookEvent.__table__)
_dedupe = cast(Table, DedupeKey.__table__)
_outbound = cast(Table, OutboundMessage.__table__)
_outbox = cast(Table, ReplyOutbox.__table__)
_posts = cast(Table, MessagePost.__table__)


def delete_events(engine: Engine, state: str, older_than: datetime, batch: int) -> int:
    """Webhook events in `state` received before `older_than`; returns how many were deleted."""
    return _delete(engine, _events, and_(_events.c.state == state, _events.c.received_at < older_than), batch)


def delete_dedupe_keys(engine: Engine, older_than: datetime, batch: int) -> int:
    """Delivered (done) dedupe keys claimed before `older_than`; claims in flight are kept."""
    return _delete(engine, _dedupe, and_(_dedupe.c.state == "done", _dedupe.c.claimed_at < older_than), batch)


def delete_outbound(engine: Engine, older_than: datetime, batch: int) -> int:
    """Records of replies sent before `older_than`."""
    return _delete(engine, _outbound, _outbound.c.created_at < older_than, batch)


def delete_message_posts(engine: Engine, older_than: datetime, batch: int) -> int:
    """Where customers' messages posted before `older_than` were shown (their later edits then post anew)."""
    return _delete(engine, _posts, _posts.c.created_at < older_than, batch)


def delete_outbox(engine: Engine, older_than: datetime, batch: int) -> int:
    """Replies stored before `older_than` whose fate is settled; pending (and unknown: a person may still
    press "Send again") rows are kept."""
    settled = _outbox.c.state.in_(("sent", "refused", "failed"))
    return _delete(engine, _outbox, and_(settled, _outbox.c.created_at < older_than), batch)


def _delete(engine: Engine, table: Table, where: ColumnElement[bool], batch: int) -> int:
    [pk] = table.primary_key.columns
    total = 0
    while True:
        # DELETE ... WHERE pk IN (SELECT pk ... LIMIT n): a bounded delete on both SQLite and PostgreSQL
        chunk = select(pk).where(where).limit(batch).scalar_subquery()
        with engine.begin() as conn:
            deleted = conn.execute(delete(table).where(pk.in_(chunk))).rowcount
        total += deleted
        if deleted < batch:
            return total
