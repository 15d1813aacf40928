"""Comment threads: one Slack thread per Facebook or Instagram post, and which comment a reply there answers.

Kept in the thread map (`contact_threads`), so no table of their own:
- the post's thread: contact "post:<post id>", its root ts, platform `fb_comments` or `ig_comments`;
- each comment posted in it: contact "comment:<thread root ts>:<comment id>:<reply target id>", `root_ts` the
  ts of the comment's own Slack message (never a thread's root: Slack threads are flat, so no reply names it as
  its `thread_ts`). The reply target is the comment itself, or the top-level comment a reply-to-a-reply
  belongs to (Meta nests replies one level deep). The row is written before the message is posted (its buttons
  carry the row's id), so `root_ts` stays empty until Slack gives the ts;
- a reply written with a comment's Reply button: contact "answer:<reply's Slack ts>:<reply target id>".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Engine, Row, Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from store.models import ContactThread
from store.timestamps import utcnow

_table = cast(Table, ContactThread.__table__)
PLATFORMS = ("fb_comments", "ig_comments")


@dataclass(frozen=True)
class Comment:
    id: int  # the row's id: what a button carries
    team_id: str
    asset_id: str  # the Page or the Instagram account
    platform: str
    channel_id: str
    thread_ts: str  # the post thread's root
    ts: str  # the comment's own Slack message
    comment_id: str  # Meta's id of the comment (hide, delete)
    target_id: str  # the comment a public reply goes under


def post_key(post_id: str) -> str:
    return f"post:{post_id}"


def remember_comment(engine: Engine, team_id: str, asset_id: str, platform: str, channel_id: str, thread_ts: str,
                     comment_id: str, target_id: str) -> int:
    """A comment about to be posted in its post's thread: its row id (the same row when the comment comes again,
    e.g. a retried event). Its message's ts is set by `posted` once Slack has it."""
    contact = f"comment:{thread_ts}:{comment_id}:{target_id}"
    where = (_table.c.business_id == asset_id, _table.c.contact == contact, _table.c.channel_id == channel_id)
    try:
        with engine.begin() as conn:
            return int(conn.execute(insert(_table).values(
                team_id=team_id, business_id=asset_id, contact=contact, channel_id=channel_id, root_ts="",
                platform=platform, created_at=utcnow()).returning(_table.c.id)).scalar_one())
    except IntegrityError:
        with engine.connect() as conn:
            return int(conn.execute(select(_table.c.id).where(*where)).scalar_one())


def posted(engine: Engine, row_id: int, ts: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(_table).where(_table.c.id == row_id).values(root_ts=ts))


def get(engine: Engine, row_id: int) -> Comment | None:
    """A comment by its row id (a button's value); None for anything else, whatever the value says."""
    with engine.connect() as conn:
        row = conn.execute(select(_table).where(_table.c.id == row_id)).first()
    return _comment(row) if row is not None else None


def latest(engine: Engine, channel_id: str, asset_id: str, thread_ts: str) -> Comment | None:
    """The newest comment still posted in a post's thread."""
    with engine.connect() as conn:
        row = conn.execute(select(_table).where(
            _table.c.channel_id == channel_id, _table.c.business_id == asset_id,
            _table.c.contact.startswith(f"comment:{thread_ts}:", autoescape=True)).order_by(_table.c.id.desc())
        ).first()
    return _comment(row) if row is not None else None


def forget(engine: Engine, row_id: int) -> None:
    """A deleted comment: no reply goes to it, no button reaches it any more."""
    with engine.begin() as conn:
        conn.execute(delete(_table).where(_table.c.id == row_id, _table.c.contact.startswith("comment:")))


def forget_comment(engine: Engine, channel_id: str, asset_id: str, thread_ts: str, comment_id: str) -> bool:
    """A comment removed at Meta; False when it was not here (already deleted from Slack, or never posted)."""
    with engine.begin() as conn:
        return bool(conn.execute(delete(_table).where(
            _table.c.channel_id == channel_id, _table.c.business_id == asset_id,
            _table.c.contact.startswith(f"comment:{thread_ts}:{comment_id}:", autoescape=True))).rowcount)


def remember_answer(engine: Engine, team_id: str, asset_id: str, platform: str, channel_id: str, ts: str,
                    target_id: str) -> None:
    """A reply written with a comment's Reply button (its Slack message at `ts`) goes under `target_id`."""
    with engine.begin() as conn:
        conn.execute(insert(_table).values(team_id=team_id, business_id=asset_id, contact=f"answer:{ts}:{target_id}",
                                           channel_id=channel_id, root_ts=ts, platform=platform, created_at=utcnow()))


def answer_target(engine: Engine, channel_id: str, asset_id: str, ts: str) -> str | None:
    """The comment a reply sent with a Reply button answers; None for a reply written in the thread."""
    with engine.connect() as conn:
        contact = conn.execute(select(_table.c.contact).where(
            _table.c.channel_id == channel_id, _table.c.business_id == asset_id,
            _table.c.contact.startswith(f"answer:{ts}:", autoescape=True))).scalar_one_or_none()
    return contact.split(":", 2)[2] if contact else None


def _comment(row: Row[Any]) -> Comment | None:
    m = row._mapping
    parts = str(m["contact"]).split(":")
    if len(parts) != 4 or parts[0] != "comment":
        return None
    _, thread_ts, comment_id, target_id = parts
    return Comment(id=m["id"], team_id=m["team_id"], asset_id=m["business_id"], platform=m["platform"],
                   channel_id=m["channel_id"], thread_ts=thread_ts, ts=m["root_ts"], comment_id=comment_id,
                   target_id=target_id)
