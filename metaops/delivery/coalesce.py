"""Messages of one customer thread that waited on a channel behind its pace, posted as one Slack message.

The release job (drain.release_channel) takes the head of a channel's parked list and the later entries of the
same thread that may join it (holds.same_thread): each is one plain WhatsApp customer message. They are posted
as one message in the thread, each message a block with its time, and every item's dedupe key is marked done in
one commit right after the post. Customers never share a post, their messages keep their order, and a thread
without a root yet is left to the usual path (its first message opens the thread on its own).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from integrations.meta import payload
from integrations.meta.payload import Item
from integrations.slack import limits
from integrations.slack.blocks import context_block, section
from integrations.slack.errors import SlackRateLimited
from metaops import claims, counters, defaults, messages
from metaops.conversation import customer_posted, landed, naming, originals, thread
from metaops.conversation.pace import ChannelHeld
from metaops.conversation.router import Router
from metaops.delivery import handlers, holds, render
from metaops.delivery.holds import Parked
from metaops.runtime import Runtime
from store import dedupe, events

log = logging.getLogger(__name__)


@dataclass
class _Message:
    entry: Parked
    item: Item | None  # None: the event is no longer pending (done, failed): it only leaves the list


def deliver_together(rt: Runtime, router: Router, team_id: str, channel: str, group: list[Parked]) -> list[Parked]:
    """Post the messages of `group` (one thread, in order, head first) as one message. Returns the entries taken
    up, in order (posted, or found delivered already), to be removed from the list; empty: nothing was done and
    the head goes the usual way. Raises ChannelHeld (no token now, or a 429) with nothing delivered."""
    found = _load(rt, router, team_id, group)
    if not found or found[0].item is None:
        return []
    head = found[0].item
    contact = thread.thread_key(router, head)
    if contact is None:
        return []
    root = router.root(head.business_id, contact, channel)
    if root is None:
        return []  # the first message opens the thread on its own
    sender = thread.known(router, head)
    lines: list[tuple[_Message, dict]] = []
    for m in found:
        if m.item is not None:
            if thread.thread_key(router, m.item) != contact:
                break  # the customer's ids moved meanwhile: the rest waits for its own turn
            lines.append((m, _line(m.item)))
            if len(lines) > 1 and len(limits.fit_blocks(_blocks(sender, [b for _, b in lines]))) > 1:
                lines.pop()  # one Slack message at most: the rest goes in the next slot
                break
    taken = [m.entry for m in (found[:found.index(lines[-1][0]) + 1] if lines else found[:1])]
    if len(lines) < 2:
        return []  # nothing to join: the usual path
    router.take_slot(team_id, channel)  # ChannelHeld when the channel has no token now
    claimed: list[_Message] = []
    blocks: list[dict] = []
    try:
        for m, block in lines:
            assert m.item is not None
            try:
                if not claims.claim(rt, m.item.key, m.entry.event_id):
                    continue  # delivered already (a worker died before marking its event): not again
            except dedupe.ClaimBusy:
                taken = taken[:taken.index(m.entry)]  # another worker has it: it and what follows stay in line
                break
            claimed.append(m)
            blocks.append(block)
        if claimed:
            text = messages.WA_JOINED.format(who=naming.who(sender).replace("*", ""), count=len(claimed))
            ts = landed.post(rt, team_id, channel, text, _blocks(sender, blocks), root,
                             [m.item.key for m in claimed if m.item is not None])
            last = claimed[-1].item
            assert last is not None
            # a member's reaction on the joined post goes to its latest message
            customer_posted.posted(rt, team_id, head.business_id, channel, root, ts,
                                   [m.item.data.get("id") for m in claimed if m.item is not None],
                                   last.data.get("type"))
    except SlackRateLimited as e:
        _release(rt, claimed)
        wait = e.wait(defaults.RATE_LIMIT_FALLBACK, defaults.RATE_LIMIT_MAX_WAIT)
        holds.hold(rt.redis, team_id, channel, wait)
        router.mark_held(team_id, channel, wait)
        counters.incr(rt.redis, "slack_rate_limited")
        raise ChannelHeld(team_id, channel, wait) from e
    except BaseException:
        _release(rt, claimed)
        raise
    _done(rt, claimed, taken)
    return taken


def _load(rt: Runtime, router: Router, team_id: str, group: list[Parked]) -> list[_Message]:
    """The group's events that are still one plain message of this team, in order (stopping at any other)."""
    found: list[_Message] = []
    for entry in group:
        body = events.load_pending(rt.db.engine, entry.event_id)
        if body is None:
            found.append(_Message(entry, None))
            continue
        try:
            items = list(payload.items(json.loads(body)))
        except ValueError:
            break
        if len(items) != 1 or handlers.thread_note(router, items[0]) != (entry.thread, True) or \
                router.owner_of(items[0].asset_id) != team_id:
            break
        found.append(_Message(entry, items[0]))
    return found


def _line(item: Item) -> dict:
    """One customer message: its time (in the reader's time zone) and what it says."""
    try:
        ts = int(str(item.data.get("timestamp")))
    except ValueError:
        ts = int(datetime.now(UTC).timestamp())
    utc = datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")
    line = section(messages.WA_JOINED_LINE.format(ts=ts, utc=utc, body=render.describe(item.data)))
    return originals.tag([line], item.data.get("id"))[0]


def _blocks(sender: payload.Person, lines: list[dict]) -> list[dict]:
    return [context_block(messages.WA_JOINED_WHO.format(who=naming.who(sender), count=len(lines))), *lines]


def _release(rt: Runtime, claimed: list[_Message]) -> None:
    for m in claimed:
        if m.item is not None:
            dedupe.release(rt.db.engine, m.item.key)


def _done(rt: Runtime, claimed: list[_Message], taken: list[Parked]) -> None:
    """Every posted item's dedupe key done in one commit, then each event taken up marked done."""
    with rt.db.engine.begin() as conn:
        for m in claimed:
            assert m.item is not None
            dedupe.mark_done(conn, m.item.key)
    tally = counters.Tally()
    now = rt.now()
    for m in claimed:
        assert m.item is not None
        tally.add("items_delivered", kind=m.item.kind)
        received = events.received_at(rt.db.engine, m.entry.event_id)
        if received is not None:
            tally.observe((now - received).total_seconds())
    pending = {m.entry.event_id for m in claimed}
    for entry in taken:
        if entry.event_id in pending or events.load_pending(rt.db.engine, entry.event_id) is not None:
            events.mark_done(rt.db.engine, entry.event_id, 0, now)
    counters.flush(rt.redis, tally)
