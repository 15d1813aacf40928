"""A number's WhatsApp Business app history: what Meta sent (`history_syncs`, `history_messages`), and which of it
an import has posted, batch by batch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Engine, Table, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.models import HistoryMessage, HistorySync
from store.timestamps import utcnow

_messages = cast(Table, HistoryMessage.__table__)
_syncs = cast(Table, HistorySync.__table__)
_CHUNK = 500  # message ids looked up per statement


@dataclass(frozen=True)
class Incoming:
    """One message of a chunk, as the store keeps it."""

    message_id: str
    thread: str
    outgoing: bool
    sent_at: float | None  # Unix seconds (None: when the chunk arrived)
    data: dict[str, Any]


@dataclass(frozen=True)
class Row:
    id: int
    message_id: str
    thread: str
    outgoing: bool
    sent_at: datetime
    data: dict[str, Any]
    batch: str | None


@dataclass(frozen=True)
class Summary:
    """A number's history as `/meta history` shows it."""

    business_id: str
    display_number: str | None
    phase: int | None
    progress: int | None
    chunks: int
    declined: bool
    decline_reason: str | None
    import_state: str | None
    total: int
    imported: int
    threads: int


def sync_row(s: Session, business_id: str, team_id: str, waba_id: str, display: str | None) -> HistorySync:
    """The number's sync row, created when its first history webhook arrives."""
    row = s.get(HistorySync, business_id)
    if row is None:
        row = HistorySync(business_id=business_id, team_id=team_id, waba_id=waba_id, chunks=0)
        s.add(row)
    row.team_id, row.waba_id = team_id, waba_id
    row.display_number = display or row.display_number
    return row


def record_chunk(engine: Engine, business_id: str, team_id: str, waba_id: str, display: str | None,
                 phase: int | None, progress: int | None, messages: list[Incoming]) -> int:
    """A history chunk: its phase and progress on the number, its messages kept once per id. Returns how many
    messages were new."""
    with Session(engine) as s, s.begin():
        row = sync_row(s, business_id, team_id, waba_id, display)
        row.chunks = (row.chunks or 0) + 1
        row.phase, row.progress = _most(row.phase, phase), _most(row.progress, progress)
    for attempt in (1, 2):
        try:
            return _insert_new(engine, business_id, messages)
        except IntegrityError:  # the same message stored meanwhile (another chunk naming it): look again
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _insert_new(engine: Engine, business_id: str, messages: list[Incoming]) -> int:
    unique = {m.message_id: m for m in messages}
    with engine.begin() as conn:
        known: set[str] = set()
        ids = list(unique)
        for i in range(0, len(ids), _CHUNK):
            known.update(conn.execute(select(_messages.c.message_id).where(
                _messages.c.business_id == business_id, _messages.c.message_id.in_(ids[i:i + _CHUNK]))).scalars())
        now = utcnow()
        rows = [{"business_id": business_id, "message_id": m.message_id, "thread": m.thread, "outgoing": m.outgoing,
                 "sent_at": _when(m.sent_at, now), "data": m.data, "received_at": now}
                for m in unique.values() if m.message_id not in known]
        if rows:
            conn.execute(insert(_messages), rows)
        for m in unique.values():  # a message known already, sent again with its media's details
            if m.message_id in known and _media_id(m.data):
                conn.execute(update(_messages).where(
                    _messages.c.business_id == business_id, _messages.c.message_id == m.message_id,
                    _messages.c.imported_at.is_(None)).values(data=m.data))
    return len(rows)


def set_noted(engine: Engine, business_id: str, at: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(update(_syncs).where(_syncs.c.business_id == business_id).values(noted_at=at))


def set_declined(engine: Engine, business_id: str, team_id: str, waba_id: str, display: str | None,
                 reason: str | None, at: datetime | None) -> bool:
    """The business declined to share: recorded; `at` set once its note is posted. True: it was known declined."""
    with Session(engine) as s, s.begin():
        row = sync_row(s, business_id, team_id, waba_id, display)
        known = row.declined_at is not None
        row.decline_reason = reason or row.decline_reason
        row.declined_at = row.declined_at or at
        return known


def get(engine: Engine, business_id: str) -> HistorySync | None:
    with Session(engine, expire_on_commit=False) as s:
        return s.get(HistorySync, business_id)


def of_team(engine: Engine, team_id: str) -> list[Summary]:
    """Every number of the workspace whose history Meta sent (or declined to), with its counts."""
    with Session(engine) as s:
        syncs = list(s.scalars(select(HistorySync).where(HistorySync.team_id == team_id)
                               .order_by(HistorySync.business_id)))
        out = []
        for sync in syncs:
            total, imported, threads = s.execute(select(
                func.count(), func.count(_messages.c.imported_at), func.count(func.distinct(_messages.c.thread)))
                .where(_messages.c.business_id == sync.business_id)).one()
            out.append(Summary(sync.business_id, sync.display_number, sync.phase, sync.progress, sync.chunks,
                               sync.declined_at is not None, sync.decline_reason, sync.import_state, int(total),
                               int(imported), int(threads)))
        return out


def start_import(engine: Engine, business_id: str, user_id: str, channel: str, at: datetime) -> None:
    """An admin asked: the import runs (again, for what is still waiting, with a new progress message)."""
    with engine.begin() as conn:
        conn.execute(update(_syncs).where(_syncs.c.business_id == business_id).values(
            import_state="importing", import_by=user_id, import_channel=channel, import_started_at=at,
            import_done_at=None, progress_ts=None, progress_at=None))


def set_progress(engine: Engine, business_id: str, ts: str | None, at: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(update(_syncs).where(_syncs.c.business_id == business_id).values(progress_at=at, **(
            {"progress_ts": ts} if ts else {})))


def finish_import(engine: Engine, business_id: str, at: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(update(_syncs).where(_syncs.c.business_id == business_id).values(
            import_state="done", import_done_at=at))


def counts(engine: Engine, business_id: str, since: datetime | None = None) -> tuple[int, int, int]:
    """(messages, imported, customer threads imported into) of the number; `since`: of the import begun then
    (messages imported before it left out)."""
    imported_now = _messages.c.imported_at >= since if since else _messages.c.imported_at.isnot(None)
    mine = and_(_messages.c.business_id == business_id, _messages.c.imported_at.is_(None) | imported_now)
    with engine.connect() as conn:
        total, imported, threads = conn.execute(select(
            func.count(), func.count(_messages.c.imported_at),
            func.count(func.distinct(_messages.c.thread)).filter(_messages.c.imported_at.isnot(None)))
            .where(mine)).one()
    return int(total), int(imported), int(threads)


def waiting_batch(engine: Engine, business_id: str) -> list[Row]:
    """The batch chosen before a post that may not have been marked imported (a crash, a held channel): its
    rows, in order; empty when none."""
    with engine.connect() as conn:
        first = conn.execute(select(_messages.c.batch).where(
            _messages.c.business_id == business_id, _messages.c.imported_at.is_(None), _messages.c.batch.isnot(None))
            .order_by(_messages.c.id).limit(1)).scalar_one_or_none()
        if first is None:
            return []
        return _rows(conn.execute(select(_messages).where(_messages.c.business_id == business_id,
                                                          _messages.c.batch == first, _messages.c.imported_at.is_(None))
                                  .order_by(_messages.c.sent_at, _messages.c.id)))


def next_candidates(engine: Engine, business_id: str, most: int) -> list[Row]:
    """The oldest waiting messages of the first customer still waiting, of one UTC day, in order (at most
    `most`)."""
    waiting = and_(_messages.c.business_id == business_id, _messages.c.imported_at.is_(None),
                   _messages.c.batch.is_(None))
    with engine.connect() as conn:
        head = conn.execute(select(_messages.c.thread, _messages.c.sent_at).where(waiting)
                            .order_by(_messages.c.thread, _messages.c.sent_at, _messages.c.id).limit(1)).first()
        if head is None:
            return []
        day = head.sent_at.replace(hour=0, minute=0, second=0, microsecond=0)
        return _rows(conn.execute(select(_messages).where(
            waiting, _messages.c.thread == head.thread, _messages.c.sent_at >= day,
            _messages.c.sent_at < day + timedelta(days=1)).order_by(_messages.c.sent_at, _messages.c.id).limit(most)))


def choose_batch(engine: Engine, rows: list[Row]) -> str:
    """Name the rows' post (its dedupe key) before posting it. Returns the key."""
    key = f"wa:history:{rows[0].id}"
    with engine.begin() as conn:
        conn.execute(update(_messages).where(_messages.c.id.in_([r.id for r in rows]), _messages.c.batch.is_(None))
                     .values(batch=key))
    return key


def mark_imported(engine: Engine, batch: str, at: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(update(_messages).where(_messages.c.batch == batch, _messages.c.imported_at.is_(None))
                     .values(imported_at=at))


def _rows(result: Any) -> list[Row]:
    return [Row(r.id, r.message_id, r.thread, r.outgoing, r.sent_at, r.data, r.batch) for r in result]


def _media_id(data: dict[str, Any]) -> bool:
    part = data.get(str(data.get("type"))) if isinstance(data, dict) else None
    return isinstance(part, dict) and bool(part.get("id"))


def _most(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def _when(seconds: float | None, default: datetime) -> datetime:
    if seconds is None:
        return default
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
