"""Deleting old rows in batches: each statement removes at most `batch` rows in its own transaction, so a
large backlog never holds a long lock (the webhook's inserts keep flowing) and a crash loses no progress; and
the marks saying how far a kind of record has been deleted."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, Engine, String, Table, and_, delete, exists, func, literal, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import IntegrityError

from store.models import (
    ContactThread,
    Customer,
    DedupeKey,
    MessagePost,
    OutboundMessage,
    ReplyOutbox,
    RetentionMark,
    WebhookEvent,
)

_events = cast(Table, WebhookEvent.__table__)
_dedupe = cast(Table, DedupeKey.__table__)
_outbound = cast(Table, OutboundMessage.__table__)
_outbox = cast(Table, ReplyOutbox.__table__)
_posts = cast(Table, MessagePost.__table__)
_threads = cast(Table, ContactThread.__table__)
_customers = cast(Table, Customer.__table__)
_marks = cast(Table, RetentionMark.__table__)


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


def delete_idle_threads(engine: Engine, older_than: datetime, batch: int) -> int:
    """Thread map rows (customer, group, post, comment and answer rows) with no activity since `older_than`: the
    contact's next message opens a new thread."""
    return _delete(engine, _threads, func.coalesce(_threads.c.last_active_at, _threads.c.created_at) < older_than,
                   batch)


def delete_idle_customers(engine: Engine, older_than: datetime, batch: int) -> int:
    """WhatsApp customers silent and unchanged since `older_than` with no thread left. A customer who opted out
    of marketing is kept whatever their age: forgetting them would forget the opt-out."""
    thread_key = literal("customer:", String) + sql_cast(_customers.c.id, String)
    idle = and_(
        _customers.c.marketing_opt_out.is_(False),
        func.coalesce(_customers.c.last_inbound_at, _customers.c.created_at) < older_than,
        _customers.c.updated_at < older_than,
        ~exists().where(_threads.c.contact == thread_key),
    )
    return _delete(engine, _customers, idle, batch)


def mark(engine: Engine, name: str, before: datetime) -> None:
    """Records of kind `name` from before `before` may have been deleted (a mark only ever moves forward)."""
    try:
        with engine.begin() as conn:
            conn.execute(_marks.insert().values(name=name, before=before))
    except IntegrityError:
        with engine.begin() as conn:
            conn.execute(update(_marks).where(_marks.c.name == name, _marks.c.before < before).values(before=before))


def mark_of(engine: Engine, name: str) -> datetime | None:
    with engine.connect() as conn:
        return conn.execute(select(_marks.c.before).where(_marks.c.name == name)).scalar_one_or_none()


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
