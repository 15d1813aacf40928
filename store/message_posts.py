"""Where customers' messages were posted: (business id, Meta's message id) -> the Slack post and the block."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Connection, Engine, Table, select

from store.db import DialectInsert, dialect_insert, per_dialect
from store.models import MessagePost
from store.timestamps import utcnow

_table = cast(Table, MessagePost.__table__)
_WHERE = ("team_id", "channel_id", "slack_ts", "thread_ts", "block_id", "created_at")  # what a repost replaces


@dataclass(frozen=True)
class Posted:
    team_id: str
    channel_id: str
    slack_ts: str
    thread_ts: str | None
    block_id: str


def _upsert(dialect: str) -> DialectInsert:
    insert = dialect_insert(dialect, _table)
    return insert.on_conflict_do_update(index_elements=["business_id", "message_id"],
                                        set_={c: insert.excluded[c] for c in _WHERE})


_UPSERT = per_dialect(_upsert)


def remember(conn: Connection, business_id: str, posts: dict[str, Posted]) -> None:
    """Where each message (Meta's id -> its post) is shown, in the caller's transaction. The latest post wins: a
    message shown again (a retry after a lost answer) is found where it is now."""
    if not posts:
        return
    now = utcnow()
    conn.execute(_UPSERT[conn.dialect.name], [{"business_id": business_id, "message_id": message_id,
                                               "created_at": now, **where.__dict__}
                                              for message_id, where in posts.items()])


def find(engine: Engine, business_id: str, message_id: str) -> Posted | None:
    with engine.connect() as conn:
        row = conn.execute(select(_table).where(_table.c.business_id == business_id,
                                                _table.c.message_id == message_id)).first()
    if row is None:
        return None
    m = row._mapping
    return Posted(m["team_id"], m["channel_id"], m["slack_ts"], m["thread_ts"], m["block_id"])
