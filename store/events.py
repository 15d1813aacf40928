"""Stored webhook events: the lean insert the webhook route makes, and their life afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine, Table, bindparam, func, insert, or_, select, update

from store import dedupe
from store.models import WebhookEvent

try:
    import fcntl
except ImportError:  # not on Windows
    fcntl = None  # type: ignore[assignment]

_table = cast(Table, WebhookEvent.__table__)
_INSERT_COLUMNS = ("body", "received_at", "state", "attempts", "unrouted")


def insert_event(engine: Engine, body: bytes, now: datetime) -> int:
    """Store one raw webhook body in one statement; `engine` is the autocommit one (Database.ingest).
    Returns the event id. See `insert_events`."""
    return insert_events(engine, [body], now)[0]


def insert_events(engine: Engine, bodies: list[bytes], now: datetime) -> list[int]:
    """Store raw webhook bodies in one multi-row INSERT ... RETURNING, one statement and so one commit on the
    autocommit engine (Database.ingest): all of them are stored or none. Returns their ids in the order of
    `bodies`.

    The hot path of the webhook: the statement goes straight to the driver (compiled once per dialect and
    row count), which costs about a third of the CPU of a Core execute. Ids come from the table's sequence
    (PostgreSQL) or rowid (SQLite), assigned in VALUES order, so the sorted ids match `bodies` whatever order
    RETURNING lists them in. The pool does not ping: a pooled connection that died (the database restarted)
    is found by the insert itself, and then every idle pooled connection, dead with it, is dropped and the
    insert tried once more on a new connection."""
    if not bodies:
        return []
    key = (engine.dialect.name, len(bodies))
    sql = _compiled.get(key)
    if sql is None:
        rows: list[dict[str, Any]] = [{c: bindparam(f"{c}_{i}") for c in _INSERT_COLUMNS} for i in range(len(bodies))]
        compiled = insert(_table).values(rows).returning(_table.c.id).compile(dialect=engine.dialect)
        sql = _compiled[key] = (str(compiled), compiled.positiontup)
    text_, order = sql
    values: dict[str, Any] = {}
    for i, body in enumerate(bodies):
        values.update({f"body_{i}": body, f"received_at_{i}": now, f"state_{i}": "received", f"attempts_{i}": 0,
                       f"unrouted_{i}": 0})
    params = tuple(values[k] for k in order) if order else values
    for last_try in (False, True):
        conn = engine.raw_connection()
        try:
            cur = conn.cursor()
            with _writers_in_turn(engine):
                cur.execute(text_, params)
                ids = sorted(row[0] for row in cur.fetchall())
            if len(ids) != len(bodies):
                raise RuntimeError(f"INSERT ... RETURNING returned {len(ids)} rows for {len(bodies)}")
            return ids
        except engine.dialect.loaded_dbapi.Error as e:
            if last_try or not engine.dialect.is_disconnect(e, conn.dbapi_connection, None):
                raise
            conn.invalidate(e)
            engine.dispose()  # its other idle connections died with the server too
        finally:
            conn.close()
    raise AssertionError("unreachable")


_compiled: dict[tuple[str, int], tuple[str, list[str] | None]] = {}


@contextmanager
def _writers_in_turn(engine: Engine) -> Iterator[None]:
    """On a SQLite file, the inserts of all web processes take turns on a lock file next to it
    (`<file>-ingest.lock`): a writer waiting on SQLite's own lock polls it with sleeps of 1, 2, 5, 10 ms and
    more, while one blocked here is woken the moment the lock is free. Each call opens the file anew, so
    threads of one process exclude each other too. Elsewhere (PostgreSQL, :memory:, no fcntl): nothing."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or fcntl is None:
        yield
        return
    fd = os.open(f"{path}-ingest.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


@dataclass(frozen=True)
class Pending:
    """An event still to process, as a drain reads it: its raw body and when the webhook stored it (naive UTC)."""

    body: bytes
    received_at: datetime


def pending(engine: Engine, event_ids: list[int]) -> dict[int, Pending]:
    """Those of `event_ids` still to process (not done, failed or unknown), in one read: a drain's batch."""
    if not event_ids:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(select(_table.c.id, _table.c.body, _table.c.received_at)
                            .where(_table.c.id.in_(event_ids), _table.c.state == "received"))
        return {int(row.id): Pending(bytes(row.body), row.received_at) for row in rows}


def load_pending(engine: Engine, event_id: int) -> bytes | None:
    """The raw body of an event still to process; None when it is done, failed or unknown."""
    with engine.connect() as conn:
        return conn.execute(
            select(_table.c.body).where(_table.c.id == event_id, _table.c.state == "received")
        ).scalar_one_or_none()


def unsettled(engine: Engine, event_ids: list[int]) -> set[int]:
    """Those of `event_ids` still to process (not done, not failed, not deleted)."""
    if not event_ids:
        return set()
    with engine.connect() as conn:
        return set(conn.execute(
            select(_table.c.id).where(_table.c.id.in_(event_ids), _table.c.state == "received")).scalars())


def received_at(engine: Engine, event_id: int) -> datetime | None:
    """When the webhook stored the event (naive UTC)."""
    with engine.connect() as conn:
        return conn.execute(select(_table.c.received_at).where(_table.c.id == event_id)).scalar_one_or_none()


def record_attempt(
    engine: Engine, event_id: int, error: str, retry_at: datetime | None, final: bool = False
) -> None:
    """Count a failed attempt and keep its reason. `retry_at`: when the next try is scheduled;
    `final`: no try is left (the job is in RQ's failed registry)."""
    values: dict = {"attempts": _table.c.attempts + 1, "last_error": error[:2000], "next_attempt_at": retry_at}
    if final:
        values["state"] = "failed"
    with engine.begin() as conn:
        conn.execute(update(_table).where(_table.c.id == event_id).values(**values))


def mark_done(engine: Engine, event_id: int, unrouted: int, now: datetime, dedupe_key: str | None = None) -> None:
    """The event is processed; `dedupe_key`, its last delivered item, is marked done in the same commit."""
    with engine.begin() as conn:
        if dedupe_key:
            dedupe.mark_done(conn, dedupe_key)
        conn.execute(
            update(_table)
            .where(_table.c.id == event_id)
            .values(state="done", unrouted=unrouted, processed_at=now, attempts=_table.c.attempts + 1,
                    next_attempt_at=None)
        )


def stranded(engine: Engine, older_than: datetime, limit: int) -> list[int]:
    """Events stored but not processed, oldest first (their queueing may have failed)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(_table.c.id)
            .where(
                _table.c.state == "received",
                _table.c.received_at < older_than,
                or_(_table.c.next_attempt_at.is_(None), _table.c.next_attempt_at < older_than),
            )
            .order_by(_table.c.id)
            .limit(limit)
        )
        return [r[0] for r in rows]


def counts(engine: Engine) -> dict[str, int]:
    """Events per state, and entries nobody connected (shown on the setup page)."""
    with engine.connect() as conn:
        rows = conn.execute(select(_table.c.state, func.count()).group_by(_table.c.state)).all()
        by_state: dict[str, int] = dict(rows)
        unrouted = conn.execute(select(func.coalesce(func.sum(_table.c.unrouted), 0))).scalar_one()
    return {**{k: int(v) for k, v in by_state.items()}, "unrouted_entries": int(unrouted)}


def requeue_failed(engine: Engine) -> list[int]:
    """Failed events back to `received` (their tries ran out, e.g. during a Slack outage); returns their ids."""
    with engine.begin() as conn:
        ids = [r[0] for r in conn.execute(select(_table.c.id).where(_table.c.state == "failed").order_by(_table.c.id))]
        if ids:
            conn.execute(update(_table).where(_table.c.id.in_(ids)).values(state="received", next_attempt_at=None))
    return ids


def bodies(engine: Engine, event_ids: list[int]) -> dict[int, bytes]:
    """The raw bodies of these events, by id (missing ids left out)."""
    if not event_ids:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(select(_table.c.id, _table.c.body).where(_table.c.id.in_(event_ids)))
        return {int(row.id): bytes(row.body) for row in rows}
