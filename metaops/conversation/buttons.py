"""Buttons that posts in a customer thread carry (the thread root, a 131047 refusal, a closed window).

Kept apart from bot/: the worker builds posts with them, and the bot listens for their action ids."""

from __future__ import annotations

import json
from typing import Any

from integrations.slack.blocks import actions, button
from metaops import messages

TEMPLATE_SEND_OPEN = "template_send_open"  # opens the send-template modal for the thread's customer


def send_template_button(channel: str, thread_ts: str) -> dict[str, Any]:
    """The "Send template" button for the customer thread rooted at (channel, thread_ts)."""
    return button(messages.SEND_TEMPLATE_BUTTON, TEMPLATE_SEND_OPEN,
                  value=json.dumps({"channel": channel, "thread_ts": thread_ts}, separators=(",", ":")))


def thread_of(value: Any) -> tuple[str, str] | None:
    """A "Send template" button's value as we made it: (channel, thread_ts); None for anything else."""
    try:
        v = json.loads(value or "")
    except (TypeError, ValueError):
        return None
    if not isinstance(v, dict):
        return None
    channel, ts = v.get("channel"), v.get("thread_ts")
    if not isinstance(channel, str) or not isinstance(ts, str) or not channel or not ts:
        return None
    return channel, ts


SAVED_REPLY_OPEN = "saved_reply_open"  # on a customer thread's root: pick a saved reply for this customer
RICH_REPLY_OPEN = "rich_reply_open"  # on a customer thread's root: send buttons, a list, quick replies...


def reply_tools() -> dict[str, Any]:
    """The root's "Saved reply" and "More…" buttons. They carry no value: the thread is the message they are on
    (the click's channel and message ts, which Slack signs), looked up among the clicking workspace's threads."""
    return actions(button(messages.SAVED_BUTTON, SAVED_REPLY_OPEN), button(messages.RICH_BUTTON, RICH_REPLY_OPEN))


def with_reply_tools(post: tuple[str, list[dict[str, Any]]]) -> tuple[str, list[dict[str, Any]]]:
    """A thread's opening post (text, blocks) with the reply buttons under it."""
    text, blocks = post
    return text, [*blocks, reply_tools()]
