"""The reply outbox: a team member's message in a customer thread, stored while Slack's request is open
and kept until it is sent, refused or has failed for good. One row per Slack message (channel, ts)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Engine, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from store import dedupe
from store.models import ReplyOutbox

_table = cast(Table, ReplyOutbox.__table__)
PENDING, SENT, REFUSED, FAILED = "pending", "sent", "refused", "failed"
UNKNOWN = "unknown"  # Meta may or may not have sent it (read timeout, 5xx): never retried without a person's say


def add(engine: Engine, team_id: str, channel_id: str, thread_ts: str, slack_ts: str, user_id: str, text: str,
        now: datetime, files: list[dict] | None = None, interactive: dict | None = None) -> tuple[int, str]:
    """Store a reply (and the files shared with it: Slack id, name, mimetype, size; or, for a rich reply, what Meta
    gets in place of a text); the row's (id, state). A Slack retry of the same message finds the first row."""
    try:
        with engine.begin() as conn:
            row_id = conn.execute(insert(_table).values(
                team_id=team_id, channel_id=channel_id, thread_ts=thread_ts, slack_ts=slack_ts, user_id=user_id,
                text=text, files=files or None, interactive=interactive, state=PENDING, attempts=0, created_at=now,
            ).returning(_table.c.id)).scalar_one()
        return row_id, PENDING
    except IntegrityError:
        pass
    with engine.connect() as conn:
        row = conn.execute(select(_table.c.id, _table.c.state).where(
            _table.c.channel_id == channel_id, _table.c.slack_ts == slack_ts)).one()
    return row.id, row.state


def get(engine: Engine, outbox_id: int) -> ReplyOutbox | None:
    with engine.connect() as conn:
        row = conn.execute(select(_table).where(_table.c.id == outbox_id)).first()
    return ReplyOutbox(**row._mapping) if row else None


def pending(engine: Engine, older_than: datetime, limit: int) -> list[int]:
    """Replies stored before `older_than` and not yet sent, oldest first (their queueing may have failed)."""
    with engine.connect() as conn:
        return list(conn.execute(
            select(_table.c.id).where(_table.c.state == PENDING, _table.c.created_at < older_than)
            .order_by(_table.c.id).limit(limit)
        ).scalars())


def record_attempt(engine: Engine, outbox_id: int, error: str, final: bool = False) -> None:
    """A try that did not send: its reason; `final`, no try is left (the row is failed)."""
    values: dict = {"attempts": _table.c.attempts + 1, "last_error": error[:2000]}
    if final:
        values["state"] = FAILED
    with engine.begin() as conn:
        conn.execute(update(_table).where(_table.c.id == outbox_id, _table.c.state == PENDING).values(**values))


def finish(engine: Engine, outbox_id: int, state: str, now: datetime, error: str | None = None,
           dedupe_key: str | None = None) -> None:
    """The reply is sent or refused; `dedupe_key`, its claim, is marked done in the same commit."""
    values: dict = {"state": state, "attempts": _table.c.attempts + 1, "last_error": error[:2000] if error else None}
    if state == SENT:
        values["sent_at"] = now
    with engine.begin() as conn:
        if dedupe_key:
            dedupe.mark_done(conn, dedupe_key)
        conn.execute(update(_table).where(_table.c.id == outbox_id, _table.c.state == PENDING).values(**values))


def reopen(engine: Engine, outbox_id: int, dedupe_key: str) -> bool:
    """"Send again" on a reply whose outcome is unknown: pending once more, its dedupe claim forgotten so it can
    be sent, in one commit. True for the one caller that moved it; a second click (or Slack's retry) gets False."""
    with engine.begin() as conn:
        moved = conn.execute(update(_table).where(_table.c.id == outbox_id, _table.c.state == UNKNOWN)
                             .values(state=PENDING, last_error=None)).rowcount == 1
        if moved:
            dedupe.forget(conn, dedupe_key)
    return moved


def refuse_pending(engine: Engine, team_id: str, reason: str, now: datetime, channel_id: str | None = None,
                   slack_ts: str | None = None) -> int:
    """Refuse the workspace's replies still waiting to be sent (only the one at `channel_id`/`slack_ts` when given):
    they are never sent. Returns how many."""
    where = [_table.c.team_id == team_id, _table.c.state == PENDING]
    if channel_id is not None:
        where += [_table.c.channel_id == channel_id, _table.c.slack_ts == (slack_ts or "")]
    with engine.begin() as conn:
        return int(conn.execute(update(_table).where(*where).values(
            state=REFUSED, last_error=reason[:2000], attempts=_table.c.attempts + 1)).rowcount)
