"""Conversation states, one row per customer thread root; every change is one conditional UPDATE, so two
requests at once (two members pressing Claim) never both win: the row says who did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, Update, and_, bindparam, func, insert, or_, select, update

from store.db import dialect_insert
from store.models import ConversationState, ConversationTiming

_table = cast(Table, ConversationState.__table__)
_timings = cast(Table, ConversationTiming.__table__)
OPEN, WAITING, SNOOZED, RESOLVED = "open", "waiting", "snoozed", "resolved"
STATUSES = (OPEN, WAITING, SNOOZED, RESOLVED)
FIRST_RESPONSE, RESOLVE = "first_response", "resolve"  # the kinds of timing kept


@dataclass(frozen=True)
class State:
    id: int
    team_id: str
    channel_id: str
    root_ts: str
    status: str
    owner: str | None
    snoozed_until: datetime | None
    change: str
    changed_by: str | None
    changed_at: datetime
    opened_at: datetime
    first_response_at: datetime | None
    waiting_since: datetime | None
    last_customer_at: datetime | None


def _state(row: Any) -> State:
    return State(**{k: row._mapping[k] for k in State.__dataclass_fields__})


def get(engine: Engine, channel_id: str, root_ts: str) -> State | None:
    with engine.connect() as conn:
        row = conn.execute(select(_table).where(_table.c.channel_id == channel_id,
                                                _table.c.root_ts == root_ts)).first()
    return _state(row) if row is not None else None


def ensure(engine: Engine, team_id: str, channel_id: str, root_ts: str, now: datetime) -> tuple[State, bool]:
    """The thread's state, created open (nobody's) when it has none yet; and whether this call created it."""
    found = get(engine, channel_id, root_ts)
    if found is not None:
        return found, False
    with engine.begin() as conn:
        row = conn.execute(dialect_insert(conn.dialect.name, _table).values(
            team_id=team_id, channel_id=channel_id, root_ts=root_ts, status=OPEN, change="opened", changed_at=now,
            opened_at=now).on_conflict_do_nothing(index_elements=["channel_id", "root_ts"]).returning(*_table.c)
        ).first()
    if row is not None:
        return _state(row), True
    made = get(engine, channel_id, root_ts)  # made at the same moment by another request
    assert made is not None
    return made, False


def _change(engine: Engine, state: State, condition: Any, **values: Any) -> bool:
    """UPDATE the row when `condition` still holds; True when it did (this request won)."""
    with engine.begin() as conn:
        done = conn.execute(update(_table).where(_table.c.id == state.id, condition).values(**values))
    return done.rowcount == 1


def claim(engine: Engine, state: State, user_id: str, now: datetime) -> bool:
    """`user_id` takes the conversation if nobody has it (or they have it already). False: another member does."""
    return _change(engine, state, or_(_table.c.owner.is_(None), _table.c.owner == user_id), owner=user_id,
                   change="claimed", changed_by=user_id, changed_at=now)


def assign(engine: Engine, state: State, user_id: str, by: str, now: datetime) -> bool:
    return _change(engine, state, _table.c.id == state.id, owner=user_id, change="assigned", changed_by=by,
                   changed_at=now)


def resolve(engine: Engine, state: State, by: str, now: datetime) -> float | None:
    """Resolved (unless it is already); returns the seconds it took since it opened, None when it was resolved."""
    if not _change(engine, state, _table.c.status != RESOLVED, status=RESOLVED, snoozed_until=None,
                   change="resolved", changed_by=by, changed_at=now, waiting_since=None):
        return None
    _timing(engine, state.team_id, RESOLVE, (now - state.opened_at).total_seconds(), now)
    return (now - state.opened_at).total_seconds()


def reopen(engine: Engine, state: State, by: str | None, change: str, now: datetime,
           since: datetime | None = None) -> bool:
    """Resolved or snoozed -> open again (a new open period when it was resolved). `since`: the customer's message
    that reopened it, from when they wait."""
    fresh = state.status == RESOLVED
    values: dict[str, Any] = {"status": OPEN, "snoozed_until": None, "change": change, "changed_by": by,
                              "changed_at": now}
    if fresh:
        values.update(opened_at=now, first_response_at=None)
    if since is not None:
        values.update(waiting_since=func.coalesce(_table.c.waiting_since, since), last_customer_at=since)
    return _change(engine, state, _table.c.status == state.status, **values)


def snooze(engine: Engine, state: State, until: datetime, by: str, now: datetime) -> bool:
    return _change(engine, state, _table.c.status != RESOLVED, status=SNOOZED, snoozed_until=until,
                   change="snoozed", changed_by=by, changed_at=now)


def _customer_wrote(statuses: tuple[str, ...]) -> Update:
    return update(_table).where(
        _table.c.team_id == bindparam("team"), _table.c.channel_id == bindparam("channel"),
        _table.c.root_ts == bindparam("root"), _table.c.status.in_(statuses),
    ).values(status=OPEN, last_customer_at=bindparam("now"),
             waiting_since=func.coalesce(_table.c.waiting_since, bindparam("now")))


_CUSTOMER_WROTE = {waiting: _customer_wrote((OPEN, WAITING) if waiting else (OPEN,)) for waiting in (True, False)}


def customer_wrote(conn: Connection, team_id: str, channel_id: str, root_ts: str, now: datetime,
                   waiting: bool = True) -> bool:
    """A customer's message in an open conversation (or one `waiting` on the customer): it is open, and they wait
    since their oldest unanswered message; in the caller's transaction. False when the conversation is not (or is
    not the workspace's)."""
    done = conn.execute(_CUSTOMER_WROTE[waiting], {"team": team_id, "channel": channel_id, "root": root_ts,
                                                   "now": now})
    return done.rowcount == 1


def member_replied(engine: Engine, state: State, user_id: str, now: datetime) -> tuple[bool, float | None]:
    """A member's reply went to the customer: it waits on the customer now (when open), nobody's becomes theirs.
    Returns (whether it was claimed by this reply, the first-response seconds when this is the first reply)."""
    claimed = _change(engine, state, _table.c.owner.is_(None), owner=user_id, change="claimed", changed_by=user_id,
                      changed_at=now)
    _change(engine, state, _table.c.status == OPEN, status=WAITING)
    _change(engine, state, _table.c.id == state.id, waiting_since=None)
    first = _change(engine, state, _table.c.first_response_at.is_(None), first_response_at=now)
    seconds = (now - state.opened_at).total_seconds() if first else None
    if seconds is not None:
        _timing(engine, state.team_id, FIRST_RESPONSE, seconds, now)
    return claimed, seconds


def due_snoozes(engine: Engine, now: datetime, limit: int) -> list[State]:
    with engine.connect() as conn:
        rows = conn.execute(select(_table).where(_table.c.status == SNOOZED, _table.c.snoozed_until <= now)
                            .order_by(_table.c.snoozed_until).limit(limit)).all()
    return [_state(r) for r in rows]


def of_owner(engine: Engine, team_id: str, user_id: str, limit: int) -> list[State]:
    """The conversations `user_id` holds that are not resolved, the longest waiting first."""
    with engine.connect() as conn:
        rows = conn.execute(select(_table).where(_table.c.team_id == team_id, _table.c.owner == user_id,
                                                 _table.c.status != RESOLVED)
                            .order_by(func.coalesce(_table.c.waiting_since, _table.c.changed_at)).limit(limit)).all()
    return [_state(r) for r in rows]


def unclaimed(engine: Engine, team_id: str, limit: int) -> list[State]:
    """Open conversations nobody holds, the customer waiting longest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(_table).where(_table.c.team_id == team_id, _table.c.owner.is_(None),
                                                 _table.c.status == OPEN)
                            .order_by(func.coalesce(_table.c.waiting_since, _table.c.opened_at)).limit(limit)).all()
    return [_state(r) for r in rows]


def counts(engine: Engine) -> dict[str, int]:
    """Every workspace's conversations now: open (open or waiting on the customer), claimed (of those, held by
    someone), snoozed."""
    live = _table.c.status.in_((OPEN, WAITING))
    with engine.connect() as conn:
        open_, claimed, snoozed = conn.execute(select(
            func.count().filter(live), func.count().filter(and_(live, _table.c.owner.is_not(None))),
            func.count().filter(_table.c.status == SNOOZED))).one()
    return {"open": int(open_ or 0), "claimed": int(claimed or 0), "snoozed": int(snoozed or 0)}


def _timing(engine: Engine, team_id: str, kind: str, seconds: float, at: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(insert(_timings).values(team_id=team_id, kind=kind, seconds=max(0.0, seconds), at=at))


def timings(engine: Engine, team_id: str, since: datetime) -> list[tuple[str, float, datetime]]:
    """(kind, seconds, when) of the workspace's timings since `since`, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(_timings.c.kind, _timings.c.seconds, _timings.c.at).where(
            _timings.c.team_id == team_id, _timings.c.at >= since).order_by(_timings.c.at)).all()
    return [(str(k), float(s), at) for k, s, at in rows]
