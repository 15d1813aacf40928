"""Where customers' messages were posted: (business id, Meta's message id) -> the Slack post and the block."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Engine, Table, delete, insert, select

from store.models import MessagePost
from store.timestamps import utcnow

_table = cast(Table, MessagePost.__table__)


@dataclass(frozen=True)
class Posted:
    team_id: str
    channel_id: str
    slack_ts: str
    thread_ts: str | None
    block_id: str


def remember(engine: Engine, business_id: str, message_id: str, where: Posted) -> None:
    """The latest post wins: a message shown again (a retry after a lost answer) is found where it is now."""
    with engine.begin() as conn:
        conn.execute(delete(_table).where(_table.c.business_id == business_id, _table.c.message_id == message_id))
        conn.execute(insert(_table).values(business_id=business_id, message_id=message_id, created_at=utcnow(),
                                           **where.__dict__))


def find(engine: Engine, business_id: str, message_id: str) -> Posted | None:
    with engine.connect() as conn:
        row = conn.execute(select(_table).where(_table.c.business_id == business_id,
                                                _table.c.message_id == message_id)).first()
    if row is None:
        return None
    m = row._mapping
    return Posted(m["team_id"], m["channel_id"], m["slack_ts"], m["thread_ts"], m["block_id"])
