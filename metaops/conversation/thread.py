"""A customer conversation's Slack thread: found or opened (root lookup, one opener at a time, the root
remembered), and every post into it at the channel's pace, marked so a takeover never shows it twice. Inbound
delivery and the outbound features (template sends, the message shortcut) both post through here."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager

from integrations.meta.payload import Item, Person, person
from metaops import defaults
from metaops.conversation import buttons, landed
from metaops.conversation.naming import Post
from metaops.conversation.router import Router
from metaops.queue import leases
from metaops.runtime import Runtime

log = logging.getLogger(__name__)
REPLY_TOOLS_ON = ("whatsapp", "messenger", "instagram")  # customer conversations (not comment threads)


def thread_key(router: Router, item: Item) -> str | None:
    """The thread key of a WhatsApp item: its group, else its customer; None when Meta named nobody."""
    if item.data.get("group_id"):
        return f"group:{item.data['group_id']}"
    customer = router.customer(item.business_id, person(item))
    if customer is None:
        log.warning("WhatsApp %s %s names no customer (no BSUID, no phone)", item.kind, item.key)
        return None
    return customer.thread_key


def known(router: Router, item: Item) -> Person:
    """The item's person, completed from what we know of the customer (a failed status carries only an id)."""
    p = person(item)
    c = router.customer(item.business_id, p) if p.bsuid or p.phone else None
    if c is None:
        return p
    return Person(bsuid=c.bsuid or p.bsuid, phone=c.phone or p.phone, parent_bsuid=p.parent_bsuid,
                  username=c.username or p.username, name=c.profile_name or p.name)


def paced_post(rt: Runtime, router: Router, team_id: str, channel: str, text: str, blocks: list[dict],
               thread_ts: str | None = None) -> str:
    """chat.postMessage at the channel's pace (pace.py): a token first, else ChannelHeld and the event waits."""
    router.take_slot(team_id, channel)
    return landed.post(rt, team_id, channel, text, blocks, thread_ts, router.posting)


def thread_lock(rt: Runtime, business_id: str, contact: str, channel: str) -> AbstractContextManager[None]:
    """One worker at a time opens a contact's thread in a channel (a lease: a dead holder's lapses within seconds)."""
    return leases.locked(rt.redis, f"metaops:thread:{business_id}:{contact}:{channel}", defaults.THREAD_LOCK_TIMEOUT)


def post_in_thread(rt: Runtime, router: Router, team_id: str, channel: str, business_id: str,
                   contact: str | None, text: str, blocks: list[dict], platform: str = "whatsapp",
                   opening: Post | None = None) -> str:
    """Post in the contact's thread; the first post for a contact becomes the thread's root. A root names its
    customer: a post that does not (one the business sent) gives `opening`, posted instead when it opens the
    thread. With no contact (Meta named nobody) the post stands alone rather than joining a thread of strangers."""
    if contact is None:
        return paced_post(rt, router, team_id, channel, text, blocks)
    root = router.root(business_id, contact, channel)
    if root:
        return paced_post(rt, router, team_id, channel, text, blocks, thread_ts=root)
    # Creating a thread: one worker at a time per contact, or two roots could be posted.
    with thread_lock(rt, business_id, contact, channel):
        root = router.root(business_id, contact, channel, cached=False)
        if root is None and opening is not None:
            text, blocks = opening
        if root is None and platform in REPLY_TOOLS_ON:  # a customer's root: Saved reply and More… under it
            blocks = buttons.with_reply_tools((text, blocks))[1]
        ts = paced_post(rt, router, team_id, channel, text, blocks, thread_ts=root)
        if root is None:
            router.remember_root(team_id, business_id, contact, channel, ts, platform)
        return ts
