"""Which customer message a Slack post shows: (channel, Slack ts) -> Meta's message id, and the reaction the business
shows on it at Meta now (WhatsApp keeps one per message and sender)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Engine, Table, select, update

from store.db import dialect_insert, per_dialect
from store.models import CustomerPost

_table = cast(Table, CustomerPost.__table__)
_INSERT = per_dialect(lambda dialect: dialect_insert(dialect, _table).on_conflict_do_nothing(
    index_elements=["channel_id", "slack_ts"]))


def remember(conn: Connection, team_id: str, channel_id: str, slack_ts: str, thread_ts: str, message_id: str,
             now: datetime) -> None:
    """The post at (channel, slack_ts) shows the customer's message `message_id` (a repeat changes nothing), in the
    caller's transaction."""
    conn.execute(_INSERT[conn.dialect.name], {"team_id": team_id, "channel_id": channel_id, "slack_ts": slack_ts,
                                              "thread_ts": thread_ts, "message_id": message_id, "created_at": now})


def find(engine: Engine, team_id: str, channel_id: str, slack_ts: str) -> CustomerPost | None:
    """The workspace's customer post at (channel, ts); None for any other message (or another workspace's)."""
    with engine.connect() as conn:
        row = conn.execute(select(_table).where(_table.c.channel_id == channel_id, _table.c.slack_ts == slack_ts,
                                                _table.c.team_id == team_id)).first()
    return CustomerPost(**row._mapping) if row is not None else None


def set_reaction(engine: Engine, post_id: int, reaction: str | None) -> None:
    with engine.begin() as conn:
        conn.execute(update(_table).where(_table.c.id == post_id).values(reaction=reaction))
