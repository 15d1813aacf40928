"""`/meta hours` settings: one row per workspace and business number, Page or Instagram account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from store.models import AwayHours


def get(engine: Engine, team_id: str, business_id: str) -> AwayHours | None:
    with Session(engine, expire_on_commit=False) as s:
        return s.get(AwayHours, (team_id, business_id))


def of_team(engine: Engine, team_id: str) -> dict[str, AwayHours]:
    """The workspace's settings by business id."""
    with Session(engine, expire_on_commit=False) as s:
        return {row.business_id: row for row in s.scalars(select(AwayHours).where(AwayHours.team_id == team_id))}


def save(engine: Engine, team_id: str, business_id: str, now: datetime, **values: Any) -> None:
    """Create or replace the settings (`values`: the columns besides the key and `updated_at`)."""
    with Session(engine) as s, s.begin():
        row = s.get(AwayHours, (team_id, business_id)) or AwayHours(team_id=team_id, business_id=business_id)
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = now
        s.add(row)
