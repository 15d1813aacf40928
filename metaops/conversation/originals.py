"""A customer's message and the Slack post that shows it: remembered when posted, so a later edit, deletion or
reaction (or a call's end) is shown on that post (chat.update: a line under the message's own block) instead of
as a new post. A joined post shows several messages, each its own block, so a mark names its message's block."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection

from integrations.slack import limits
from integrations.slack.blocks import context_block
from integrations.slack.client import call, message_at
from metaops.runtime import Runtime
from store import message_posts
from store.message_posts import Posted


def block_id(message_id: str) -> str:
    """The block id of a message's block: short and fixed whatever Meta's id looks like."""
    return "msg." + hashlib.sha256(message_id.encode()).hexdigest()[:24]


def remember(conn: Connection, business_id: str, message_ids: Iterable[Any], team_id: str, channel: str, ts: str,
             thread_ts: str | None) -> None:
    """The post `ts` (in the thread at `thread_ts`; None: alone) shows the messages `message_ids` (Meta's ids; None
    or "" where a post stands for no message of theirs), each in its own block; in the caller's transaction."""
    where = None if thread_ts in (None, ts) else thread_ts
    message_posts.remember(conn, business_id, {str(m): Posted(team_id, channel, ts, where, block_id(str(m)))
                                               for m in message_ids if m not in (None, "")})


def mark(rt: Runtime, business_id: str, message_id: Any, name: str, text: str | None) -> bool:
    """`text` under the message's block as its mark `name` (an earlier mark of that name replaced; None removes
    it). False when the post is not known, gone, or has no room: the caller then says it in the thread."""
    posted = message_posts.find(rt.db.engine, business_id, str(message_id)) if message_id not in (None, "") \
        else None
    if posted is None:
        return False
    client = rt.slack.for_team(posted.team_id)
    message = message_at(client, posted.channel_id, posted.slack_ts, posted.thread_ts)
    own = [i for i, b in enumerate((message or {}).get("blocks") or [])
           if str(b.get("block_id", "")).split(":")[0] == posted.block_id]
    if message is None or not own:
        return False
    mark_id = f"{posted.block_id}:{name}"
    blocks = [b for b in message["blocks"] if b.get("block_id") != mark_id]
    if text is not None:
        after = max(i for i, b in enumerate(blocks) if str(b.get("block_id", "")).split(":")[0] == posted.block_id)
        blocks.insert(after + 1, {**context_block(text), "block_id": mark_id})
    if len(blocks) > limits.BLOCKS_PER_MESSAGE:
        return False
    call(client.chat_update, channel=posted.channel_id, ts=posted.slack_ts, text=message.get("text") or text or "",
         blocks=blocks)
    return True


def tag(blocks: list[dict], message_id: Any) -> list[dict]:
    """A message's post blocks named as its own (the first its block, the rest its parts), for `mark`."""
    if message_id in (None, ""):
        return blocks
    own = block_id(str(message_id))
    return [{**b, "block_id": own if i == 0 else f"{own}:part{i}"} for i, b in enumerate(blocks)]
