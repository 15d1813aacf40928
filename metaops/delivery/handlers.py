"""Delivering webhook items to Slack: which handler, which channel, which thread, what post.

Every kind Meta sends has a handler here; a kind with none gets one short "unsupported event" note per
workspace (and is kept in webhook_events like everything else)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from integrations.meta.payload import Item
from integrations.slack.client import post_message
from metaops import defaults, replies, templates
from metaops.delivery import media, render
from metaops.delivery.routing import Router
from metaops.runtime import Runtime

log = logging.getLogger(__name__)
Deliver = Callable[[Runtime, Router, str, Item], None]


def whatsapp_message(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    text, blocks = render.whatsapp_message(item)
    post_in_thread(rt, router, team_id, router.channel(team_id, "messages"), item.business_id,
                   str(item.data.get("from")), text, blocks)


def whatsapp_media(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """The file of a media message, uploaded into the thread its message was posted in."""
    channel = router.channel(team_id, "messages")
    root = router.root(item.business_id, str(item.data.get("from")), channel)
    media.upload_whatsapp_media(rt, team_id, channel, root, item.data)


def whatsapp_failed(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    # The thread note first: it records itself as posted, so a retry after a failed alert never repeats it.
    replies.failed_status(rt, item.data)  # a reply sent from a thread: say so in that thread too
    text, blocks = render.whatsapp_failed(item)
    post_message(rt.slack.for_team(team_id), router.channel(team_id, "alerts"), text, blocks)


def template_update(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """Status changes go to `templates`; category and quality changes to `alerts`. The stored template follows."""
    templates.apply_update(rt, item.asset_id, item.data, item.kind)
    post, kind = TEMPLATE_POSTS[item.kind]
    _post(rt, router, team_id, kind, post(item.data))


TEMPLATE_POSTS = {
    "message_template_status_update": (render.template_status, "templates"),
    "template_category_update": (render.template_category, "alerts"),
    "message_template_quality_update": (render.template_quality, "alerts"),
}
ACCOUNT_FIELDS = ("account_update", "account_review_update", "account_alerts", "business_capability_update",
                  "phone_number_name_update", "security")


def account_update(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    post = render.phone_quality(item.data) if item.kind == "phone_number_quality_update" else \
        render.account_update(item.kind, item.data)
    _post(rt, router, team_id, "alerts", post)


def number_error(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    _post(rt, router, team_id, "alerts", render.number_error(item))


def direct_message(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """Messenger and Instagram Direct: one thread per sender per Page or account."""
    platform, kind, post = (("messenger", "facebook", render.facebook_dm) if item.object == "page" else
                            ("instagram", "instagram", render.instagram_dm))
    sender = str((item.contact or {}).get("id"))
    who = render.escape(replies.sender_name(rt, platform, item.asset_id, sender))
    text, blocks = post(router.asset_name(item.asset_id), who, item.data)
    post_in_thread(rt, router, team_id, router.channel(team_id, kind), item.asset_id, sender, text, blocks,
                   platform=platform)


def page_feed(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    _post(rt, router, team_id, "facebook", render.facebook_feed(router.asset_name(item.asset_id), item.data))


def instagram_change(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    account = router.asset_name(item.asset_id)
    post = render.instagram_mention(account, item.data) if item.kind == "mentions" else \
        render.instagram_comment(account, item.data)
    _post(rt, router, team_id, "instagram", post)


def unsupported(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """Once per kind and workspace (for a month); the event itself is kept whatever happens."""
    kind = f"{item.object}/{item.kind}"
    log.info("unsupported webhook kind %s for team %s", kind, team_id)
    if rt.redis.set(f"metaops:unsupported:{team_id}:{kind}", 1, nx=True, ex=defaults.UNSUPPORTED_NOTE_TTL):
        _post(rt, router, team_id, "alerts", render.unsupported(kind))


def handler_for(item: Item) -> Deliver | None:
    """The delivery for an item, or None when it needs no post (our own echoes, receipts, statuses that only
    update what we stored: those are applied by `apply_quietly`)."""
    if item.object == "whatsapp_business_account":
        if item.kind == "message":
            return whatsapp_message
        if item.kind == "media":
            return whatsapp_media
        if item.kind == "status":
            return whatsapp_failed if item.data.get("status") == "failed" else None
        if item.kind in TEMPLATE_POSTS:
            return template_update
        if item.kind in ACCOUNT_FIELDS or item.kind == "phone_number_quality_update":
            return account_update
        if item.kind == "error":
            return number_error
    elif item.object == "page":
        if item.kind in ("dm", "postback", "dm_reaction"):
            return direct_message
        if item.kind == "feed":
            return page_feed
        if item.kind in ("echo", "receipt"):
            return None
    elif item.object == "instagram":
        if item.kind in ("dm", "postback", "dm_reaction"):
            return direct_message
        if item.kind in ("comments", "live_comments", "mentions"):
            return instagram_change
        if item.kind in ("echo", "receipt"):
            return None
    return unsupported


def apply_quietly(rt: Runtime, item: Item) -> None:
    """Items that change what we stored without a post: delivery statuses of replies sent from Slack."""
    if item.object == "whatsapp_business_account" and item.kind == "status" and item.data.get("status") != "failed":
        replies.record_status(rt, item.data)


def _post(rt: Runtime, router: Router, team_id: str, kind: str, post: render.Post) -> None:
    text, blocks = post
    post_message(rt.slack.for_team(team_id), router.channel(team_id, kind), text, blocks)


def post_in_thread(rt: Runtime, router: Router, team_id: str, channel: str, business_id: str, contact: str,
                   text: str, blocks: list[dict], platform: str = "whatsapp") -> str:
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
            router.remember_root(team_id, business_id, contact, channel, ts, platform)
        return ts
