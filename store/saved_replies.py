"""Saved replies: a workspace's shared ones (owner "") and each member's own, unique by name per owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Engine, Table, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from store.models import SavedReply

_table = cast(Table, SavedReply.__table__)
WORKSPACE = ""  # the owner of a workspace-wide saved reply


@dataclass(frozen=True)
class Saved:
    id: int
    team_id: str
    owner_id: str  # WORKSPACE, or the member's user id
    name: str
    text: str

    @property
    def shared(self) -> bool:
        return self.owner_id == WORKSPACE


class NameTaken(Exception):
    """The owner has a saved reply of that name already."""


def _saved(row: object) -> Saved:
    m = row._mapping  # type: ignore[attr-defined]
    return Saved(id=m["id"], team_id=m["team_id"], owner_id=m["owner_id"], name=m["name"], text=m["text"])


def visible(engine: Engine, team_id: str, user_id: str) -> list[Saved]:
    """The workspace's saved replies and the member's own, workspace-wide first, each by name."""
    with engine.connect() as conn:
        rows = conn.execute(select(_table).where(
            _table.c.team_id == team_id, or_(_table.c.owner_id == WORKSPACE, _table.c.owner_id == user_id))
            .order_by(_table.c.owner_id, _table.c.name, _table.c.id))
        return [_saved(r) for r in rows]


def get(engine: Engine, team_id: str, saved_id: int) -> Saved | None:
    """One of `team_id`'s saved replies; None for another workspace's or one that is gone."""
    with engine.connect() as conn:
        row = conn.execute(select(_table).where(_table.c.id == saved_id, _table.c.team_id == team_id)).first()
    return _saved(row) if row else None


def add(engine: Engine, team_id: str, owner_id: str, name: str, text: str, by: str, now: datetime) -> int:
    """A new saved reply's id. Raises NameTaken when the owner has one of that name."""
    try:
        with engine.begin() as conn:
            return int(conn.execute(insert(_table).values(
                team_id=team_id, owner_id=owner_id, name=name, text=text, created_by=by, updated_at=now,
            ).returning(_table.c.id)).scalar_one())
    except IntegrityError as e:
        raise NameTaken(name) from e


def edit(engine: Engine, team_id: str, saved_id: int, name: str, text: str, now: datetime) -> bool:
    """Rename and rewrite one; False when it is gone. Raises NameTaken when its owner has another of that name."""
    try:
        with engine.begin() as conn:
            return conn.execute(update(_table).where(_table.c.id == saved_id, _table.c.team_id == team_id)
                                .values(name=name, text=text, updated_at=now)).rowcount == 1
    except IntegrityError as e:
        raise NameTaken(name) from e


def remove(engine: Engine, team_id: str, saved_id: int) -> bool:
    with engine.begin() as conn:
        return conn.execute(delete(_table).where(_table.c.id == saved_id, _table.c.team_id == team_id)).rowcount == 1
