"""A customer thread's root carries lines of its own besides the message that opened the thread: the reply window
(reply_window.py), who holds the conversation (holder.py), the conversation's state and its buttons
(state_root.py), what it has cost so far (cost_root.py).
Each is a block with a block_id of its own; changing one keeps everything else on the root as it is
(chat.update with the root's other blocks as Slack has them). One change at a time per root (a lock), so two changes
at once never drop each other's line; the lines keep one order (TAIL), whoever wrote last."""

from __future__ import annotations

from integrations.slack import blocks as kit
from integrations.slack.blocks import Block
from integrations.slack.client import call
from metaops import defaults
from metaops.queue import leases
from metaops.runtime import Runtime

WINDOW_BLOCK = "reply_window"  # the "Reply window open until …" line
HOLDER_BLOCK = "holder"  # who holds the conversation: the team or Meta's AI agent (holder.py)
HOLDER_ACTIONS_BLOCK = "holder_actions"  # its Take over / Give back button
STATE_BLOCK = "conversation_state"  # the state line
COST_BLOCK = "conversation_cost"  # what Meta bills for the conversation so far
ACTIONS_BLOCK = "conversation_actions"  # the state's buttons
# the root's own lines, in order
TAIL = (WINDOW_BLOCK, HOLDER_BLOCK, HOLDER_ACTIONS_BLOCK, STATE_BLOCK, COST_BLOCK, ACTIONS_BLOCK)


def set_blocks(rt: Runtime, team_id: str, channel: str, root: str, lines: list[Block]) -> bool:
    """Put `lines` (blocks with block_ids of TAIL) on the root, replacing the blocks with those ids. False when the
    root is not there to change (deleted, or not ours to see)."""
    ids = {b.get("block_id") for b in lines}
    with leases.locked(rt.redis, f"metaops:root:{channel}:{root}", defaults.ROOT_LOCK_WAIT):
        client = rt.slack.for_team(team_id)
        history = call(client.conversations_history, channel=channel, latest=root, inclusive=True, limit=1)
        message = next((m for m in history.get("messages") or [] if m.get("ts") == root), None)
        if message is None:
            return False
        kept = [b for b in message.get("blocks") or [] if b.get("block_id") not in ids]
        if not [b for b in kept if b.get("block_id") not in TAIL] and message.get("text"):
            kept.insert(0, kit.section(message["text"]))  # a text-only root keeps its text once it has blocks
        body = [b for b in kept if b.get("block_id") not in TAIL]
        tail = sorted([b for b in kept if b.get("block_id") in TAIL] + lines, key=lambda b: TAIL.index(b["block_id"]))
        call(client.chat_update, channel=channel, ts=root, text=message.get("text") or "", blocks=body + tail)
        return True
