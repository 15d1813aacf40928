"""Delivering webhook items to Slack: which channel, which thread, what post."""

from __future__ import annotations

from collections.abc import Callable

from bot import notify
from bot.slack import post_message
from integrations.meta.payload import Item
from metaops import defaults, templates
from metaops.routing import Router
from metaops.runtime import Runtime

Deliver = Callable[[Runtime, Router, str, Item], None]


def whatsapp_message(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    text, blocks = notify.whatsapp_message(item)
    post_in_thread(rt, router, team_id, router.channel(team_id, "messages"), item.business_id,
                   str(item.data.get("from")), text, blocks)


def whatsapp_failed(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    text, blocks = notify.whatsapp_failed(item)
    post_message(rt.slack.for_team(team_id), router.channel(team_id, "alerts"), text, blocks)


def template_update(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """Status changes go to `templates`; category and quality changes to `alerts`. The stored template follows."""
    templates.apply_update(rt, item.asset_id, item.data, item.kind)
    post, kind = TEMPLATE_POSTS[item.kind]
    text, blocks = post(item.data)
    post_message(rt.slack.for_team(team_id), router.channel(team_id, kind), text, blocks)


TEMPLATE_POSTS = {
    "message_template_status_update": (notify.template_status, "templates"),
    "template_category_update": (notify.template_category, "alerts"),
    "message_template_quality_update": (notify.template_quality, "alerts"),
}


def handler_for(item: Item) -> Deliver | None:
    """The delivery for an item, or None when the item needs no post (sent/delivered/read, unknown kinds)."""
    if item.kind == "message":
        return whatsapp_message
    if item.kind == "status" and item.data.get("status") == "failed":
        return whatsapp_failed
    if item.kind in TEMPLATE_POSTS:
        return template_update
    return None


def post_in_thread(rt: Runtime, router: Router, team_id: str, channel: str, business_id: str, contact: str,
                   text: str, blocks: list[dict]) -> str:
    """Post in the contact's thread; the first post for a contact becomes the thread's root."""
    client = rt.slack.for_team(team_id)
    root = router.root(business_id, contact, channel)
    if root:
        return post_message(client, channel, text, blocks, thread_ts=root)
    # Creating a thread: one worker at a time per contact, or two roots could be posted.
    lock = rt.redis.lock(f"metaops:thread:{business_id}:{contact}:{channel}",
                         timeout=defaults.THREAD_LOCK_TIMEOUT, blocking_timeout=defaults.THREAD_LOCK_TIMEOUT)
    with lock:
        root = router.root(business_id, contact, channel, cached=False)
        ts = post_message(client, channel, text, blocks, thread_ts=root)
        if root is None:
            router.remember_root(team_id, business_id, contact, channel, ts)
        return ts
