"""Delivering webhook items to Slack: which channel, which thread, what post."""

from __future__ import annotations

from collections.abc import Callable

from bot import notify
from bot.slack import post_message
from integrations.meta.payload import Item
from metaops import defaults
from metaops.exceptions import NoChannel
from metaops.runtime import Runtime
from store import threads, workspaces

Deliver = Callable[[Runtime, str, Item], None]


def whatsapp_message(rt: Runtime, team_id: str, item: Item) -> None:
    text, blocks = notify.whatsapp_message(item)
    post_in_thread(rt, team_id, _channel(rt, team_id, "messages"), item.business_id, str(item.data.get("from")),
                   text, blocks)


def whatsapp_failed(rt: Runtime, team_id: str, item: Item) -> None:
    text, blocks = notify.whatsapp_failed(item)
    post_message(rt.slack.for_team(team_id), _channel(rt, team_id, "alerts"), text, blocks)


def handler_for(item: Item) -> Deliver | None:
    """The delivery for an item, or None when the item needs no post (sent/delivered/read, unknown kinds)."""
    if item.kind == "message":
        return whatsapp_message
    if item.kind == "status" and item.data.get("status") == "failed":
        return whatsapp_failed
    return None


def post_in_thread(rt: Runtime, team_id: str, channel: str, business_id: str, contact: str, text: str,
                   blocks: list[dict]) -> str:
    """Post in the contact's thread; the first post for a contact becomes the thread's root."""
    client = rt.slack.for_team(team_id)
    root = threads.root_ts(rt.db.engine, business_id, contact, channel)
    if root:
        return post_message(client, channel, text, blocks, thread_ts=root)
    # Creating a thread: one worker at a time per contact, or two roots could be posted.
    lock = rt.redis.lock(f"metaops:thread:{business_id}:{contact}:{channel}",
                         timeout=defaults.THREAD_LOCK_TIMEOUT, blocking_timeout=defaults.THREAD_LOCK_TIMEOUT)
    with lock:
        root = threads.root_ts(rt.db.engine, business_id, contact, channel)
        ts = post_message(client, channel, text, blocks, thread_ts=root)
        if root is None:
            threads.remember(rt.db.engine, team_id, business_id, contact, channel, ts)
        return ts


def _channel(rt: Runtime, team_id: str, kind: str) -> str:
    channel = workspaces.channel_for(rt.db.engine, team_id, kind)
    if not channel:
        raise NoChannel(f"no channel for {kind} in team {team_id}")
    return channel
