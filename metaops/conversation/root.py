"""A customer thread's root kept up to date in place: lines the app owns (each a block with its own `block_id`)
replaced with chat.update, the rest of the root kept as it is."""

from __future__ import annotations

from integrations.slack import blocks
from integrations.slack.client import call
from metaops.runtime import Runtime


def replace_blocks(rt: Runtime, team_id: str, channel: str, root: str, block_ids: set[str],
                   new: list[blocks.Block]) -> None:
    """Drop the root's blocks whose `block_id` is in `block_ids`, append `new` (each carrying one of them)."""
    client = rt.slack.for_team(team_id)
    history = call(client.conversations_history, channel=channel, latest=root, inclusive=True, limit=1)
    message = next((m for m in history.get("messages") or [] if m.get("ts") == root), None)
    if message is None:
        return  # deleted, or not ours to see
    kept = [b for b in message.get("blocks") or [] if b.get("block_id") not in block_ids]
    if not kept and message.get("text"):
        kept = [blocks.section(message["text"])]  # a text-only root keeps its text once it has blocks
    text = message.get("text") or next((b.get("text", {}).get("text") for b in new if b.get("text")), "") or " "
    call(client.chat_update, channel=channel, ts=root, text=text, blocks=[*kept, *new])
