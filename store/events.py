"""Stored webhook events: the lean insert the webhook route makes, and their life afterwards."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Engine, Table, bindparam, func, insert, or_, select, update

from store import dedupe
from store.models import WebhookEvent

_table = cast(Table, WebhookEvent.__table__)
_INSERT_COLUMNS = ("body", "received_at", "state", "attempts", "unrouted")
_INSERT = insert(_table).values({c: bindparam(c) for c in _INSERT_COLUMNS}).returning(_table.c.id)


def insert_event(engine: Engine, body: bytes, now: datetime) -> int:
    """Store one raw webhook body in one statement; `engine` is the autocommit one (Database.ingest).
    Returns the event id.

    The hot path of the webhook: the statement goes straight to the driver (compiled once per dialect),
    which costs about a third of the CPU of a Core execute. The pool does not ping: a pooled connection that
    died (the database restarted) is found by the insert itself, and then every idle pooled connection, dead
    with it, is dropped and the insert tried once more on a new connection."""
    sql = _compiled.get(engine.dialect.name)
    if sql is None:
        compiled = _INSERT.compile(dialect=engine.dialect)
        sql = _compiled[engine.dialect.name] = (str(compiled), compiled.positiontup)
    text_, order = sql
    values = {"body": body, "received_at": now, "state": "received", "attempts": 0, "unrouted": 0}
    params = tuple(values[k] for k in order) if order else values
    for last_try in (False, True):
        conn = engine.raw_connection()
        try:
            cur = conn.cursor()
            cur.execute(text_, params)
            row = cur.fetchone()
            if row is None:
                raise RuntimeError("INSERT ... RETURNING returned no row")
            return row[0]
        except engine.dialect.loaded_dbapi.Error as e:
            if last_try or not engine.dialect.is_disconnect(e, conn.dbapi_connection, None):
                raise
            conn.invalidate(e)
            engine.dispose()  # its other idle connections died with the server too
        finally:
            conn.close()
    raise AssertionError("unreachable")


_compiled: dict[str, tuple[str, list[str] | None]] = {}


def load_pending(engine: Engine, event_id: int) -> bytes | None:
    """The raw body of an event still to process; None when it is done, failed or unknown."""
    with engine.connect() as conn:
        return conn.execute(
            select(_table.c.body).where(_table.c.id == event_id, _table.c.state == "received")
        ).scalar_one_or_none()


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
