"""The thread map: (business number, contact, channel) -> the Slack thread's root ts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Engine, Table, insert, select, update

from store.models import ContactThread
from store.timestamps import utcnow

_table = cast(Table, ContactThread.__table__)


# A thread's last activity is written at most this often: a post reads the thread map, it rarely writes to it.
TOUCH_INTERVAL = timedelta(hours=1)


def root_ts(engine: Engine, business_id: str, contact: str, channel_id: str) -> str | None:
    """The root of the contact's thread in the channel (and the thread counts as active now)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(_table.c.id, _table.c.root_ts, _table.c.last_active_at).where(
                _table.c.business_id == business_id, _table.c.contact == contact, _table.c.channel_id == channel_id
            )
        ).first()
    if row is None:
        return None
    _touch(engine, row.id, row.last_active_at)
    return str(row.root_ts)


def remember(engine: Engine, team_id: str, business_id: str, contact: str, channel_id: str, ts: str,
             platform: str = "whatsapp", campaign_id: int | None = None) -> None:
    """`campaign_id`: a reply to that campaign opened the thread in one of the campaign's channels."""
    with engine.begin() as conn:
        conn.execute(
            insert(_table).values(
                team_id=team_id, business_id=business_id, contact=contact, channel_id=channel_id, root_ts=ts,
                platform=platform, created_at=utcnow(), last_active_at=utcnow(), campaign_id=campaign_id,
            )
        )


def campaign_thread_channel(engine: Engine, team_id: str, business_id: str, contact: str) -> str | None:
    """The channel of the contact's thread a campaign reply opened (the most recently active one), if any."""
    with engine.connect() as conn:
        found = conn.execute(
            select(_table.c.channel_id).where(
                _table.c.team_id == team_id, _table.c.business_id == business_id, _table.c.contact == contact,
                _table.c.campaign_id.is_not(None),
            ).order_by(_table.c.last_active_at.desc()).limit(1)
        ).scalar()
    return str(found) if found else None


def find_by_root(engine: Engine, channel_id: str, ts: str) -> ContactThread | None:
    """The customer thread a Slack message at (channel, thread ts) belongs to, for replies."""
    with engine.connect() as conn:
        row = conn.execute(select(_table).where(_table.c.channel_id == channel_id, _table.c.root_ts == ts)).first()
    if row is None:
        return None
    _touch(engine, row.id, row.last_active_at)
    return ContactThread(**row._mapping)


def _touch(engine: Engine, thread_id: int, last_active_at: datetime | None) -> None:
    now = utcnow()
    if last_active_at is not None and now - last_active_at < TOUCH_INTERVAL:
        return
    with engine.begin() as conn:
        conn.execute(update(_table).where(_table.c.id == thread_id).values(last_active_at=now))
