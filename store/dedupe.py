"""Dedupe keys: each deliverable item is claimed once, atomically, by a unique row in the database.

A claim is taken before the Slack post and marked done after it; a failed post releases it. A claim
whose worker died mid-post is retaken as soon as its owner is known dead (`alive` says so), or once its
lease has run out, so a crash loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Connection, Engine, Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from store.models import DedupeKey

_table = cast(Table, DedupeKey.__table__)


class ClaimBusy(Exception):
    """Another worker holds the claim and its lease is running: try again after `retry_after` seconds
    (by then it was delivered, or its worker died and the claim can be taken over)."""

    def __init__(self, key: str, retry_after: int) -> None:
        super().__init__(f"{key} is being delivered by another worker; retry in {retry_after}s")
        self.retry_after = retry_after


def claim(engine: Engine, key: str, event_id: int | None, now: datetime, lease: int, owner: str | None = None,
          alive: Callable[[str], bool] | None = None, recheck: int = 30,
          landed: Callable[[str], bool] | None = None) -> bool:
    """True: deliver `key` now (claimed for `owner`). False: it was delivered already. Raises ClaimBusy while
    another worker's claim is fresh and its owner alive (skipping it would lose the item if that worker dies),
    asking to try again within `recheck` seconds. Before taking over a claim whose worker died (or whose lease
    ran out), `landed` may say that worker's post reached Slack after all: then the claim is done, not retaken."""
    try:
        with engine.begin() as conn:
            conn.execute(insert(_table).values(key=key, event_id=event_id, state="claimed", claimed_at=now,
                                               owner=owner))
        return True
    except IntegrityError:
        pass
    with engine.begin() as conn:
        row = conn.execute(select(_table.c.state, _table.c.claimed_at, _table.c.owner)
                           .where(_table.c.key == key)).first()
    if row is None:  # released between our insert and this read: try once more
        return claim(engine, key, event_id, now, lease, owner, alive, recheck, landed)
    if row.state != "claimed":
        return False
    dead = bool(row.owner and row.owner != owner and alive is not None and not alive(row.owner))
    if not dead and row.claimed_at > now - timedelta(seconds=lease):
        left = (row.claimed_at + timedelta(seconds=lease) - now).total_seconds()
        raise ClaimBusy(key, max(1, min(int(left) + 1, recheck)))
    posted = landed is not None and landed(key)  # asked outside any transaction: it may call Slack
    # Take the stale claim over (or mark it done) only if nobody else did meanwhile: compare-and-set on claimed_at.
    with engine.begin() as conn:
        taken = conn.execute(
            update(_table)
            .where(_table.c.key == key, _table.c.state == "claimed", _table.c.claimed_at == row.claimed_at)
            .values(**({"state": "done"} if posted else {"claimed_at": now, "event_id": event_id, "owner": owner}))
        )
    return taken.rowcount == 1 and not posted


def done(engine: Engine, key: str) -> None:
    with engine.begin() as conn:
        mark_done(conn, key)


def mark_done(conn: Connection, key: str) -> None:
    """Within the caller's transaction."""
    conn.execute(update(_table).where(_table.c.key == key).values(state="done"))


def release(engine: Engine, key: str) -> None:
    """Give a claim back after a failed delivery, so a retry can deliver it."""
    with engine.begin() as conn:
        conn.execute(delete(_table).where(_table.c.key == key, _table.c.state == "claimed"))


def forget(conn: Connection, key: str) -> None:
    """Within the caller's transaction: the key is gone, done or not, so the item may be delivered again (a person
    asked for it: "Send again")."""
    conn.execute(delete(_table).where(_table.c.key == key))
