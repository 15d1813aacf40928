"""The thread map: (business number, contact, channel) -> the Slack thread's root ts."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Engine, Table, insert, select

from store.models import ContactThread
from store.timestamps import utcnow

_table = cast(Table, ContactThread.__table__)


def root_ts(engine: Engine, business_id: str, contact: str, channel_id: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(
            select(_table.c.root_ts).where(
                _table.c.business_id == business_id, _table.c.contact == contact, _table.c.channel_id == channel_id
            )
        ).scalar_one_or_none()


def remember(engine: Engine, team_id: str, business_id: str, contact: str, channel_id: str, ts: str,
             platform: str = "whatsapp") -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(_table).values(
                team_id=team_id, business_id=business_id, contact=contact, channel_id=channel_id, root_ts=ts,
                platform=platform, created_at=utcnow(),
            )
        )


def find_by_root(engine: Engine, channel_id: str, ts: str) -> ContactThread | None:
    """The customer thread a Slack message at (channel, thread ts) belongs to, for replies."""
    with engine.connect() as conn:
        row = conn.execute(select(_table).where(_table.c.channel_id == channel_id, _table.c.root_ts == ts)).first()
    return ContactThread(**row._mapping) if row else None
