"""Customer threads waiting for the team: a thread whose last message is the customer's.

Kept cheaply in one Redis sorted set per workspace (`metaops:unanswered:{team}`): member "channel:root ts",
score the Unix time the customer started waiting. Delivery adds a thread when it posts a customer's message
(ZADD NX: a second message keeps the first waiting time); a reply sent from the thread, or a message sent from
the WhatsApp Business app on the same number, takes it out. Losing Redis loses only this list, never a message:
every call here logs and gives up rather than fail the delivery or the reply around it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, cast

from metaops.runtime import Runtime

if TYPE_CHECKING:
    from metaops.conversation.router import Router

log = logging.getLogger(__name__)
KEY = "metaops:unanswered:{team}"


def key(team_id: str) -> str:
    return KEY.format(team=team_id)


def customer_wrote(rt: Runtime, router: Router, team_id: str, kind: str, business_id: str,
                   contact: str | None) -> None:
    """After a customer's message was posted in their thread (the channel of `kind`)."""
    if not contact:
        return  # posted on its own, in no thread
    try:
        channel = router.thread_channel(team_id, kind, business_id, contact)
        root = router.root(business_id, contact, channel)
        if root:
            rt.redis.zadd(key(team_id), {f"{channel}:{root}": rt.now().timestamp()}, nx=True)
    except Exception as e:  # noqa: BLE001 - the message is posted; only the Home tab's count misses it
        log.warning("unanswered thread not recorded for %s (%s)", team_id, type(e).__name__)


def business_wrote(rt: Runtime, router: Router, team_id: str, kind: str, business_id: str,
                   contact: str | None) -> None:
    """After a message the business sent outside Slack (the WhatsApp Business app) was posted in the thread."""
    if not contact:
        return
    try:
        channel = router.thread_channel(team_id, kind, business_id, contact)
        root = router.root(business_id, contact, channel)
        if root:
            answered(rt, team_id, channel, root)
    except Exception as e:  # noqa: BLE001 - see customer_wrote
        log.warning("answered thread not recorded for %s (%s)", team_id, type(e).__name__)


def answered(rt: Runtime, team_id: str, channel: str, thread_ts: str) -> None:
    """A team member's reply went to the customer of the thread rooted at (channel, thread_ts)."""
    try:
        rt.redis.zrem(key(team_id), f"{channel}:{thread_ts}")
    except Exception as e:  # noqa: BLE001 - the reply is sent; only the Home tab's count is off
        log.warning("answered thread not recorded for %s (%s)", team_id, type(e).__name__)


@dataclass(frozen=True)
class Waiting:
    channel: str
    thread_ts: str
    since: float  # Unix time the customer started waiting


def count(rt: Runtime, team_id: str) -> int:
    return int(rt.redis.zcard(key(team_id)))


def oldest(rt: Runtime, team_id: str, n: int) -> list[Waiting]:
    """The `n` threads waiting longest, oldest first."""
    out = []
    # withscores=True answers (member, score) pairs; redis-py's stub types every form of ZRANGE's reply at once
    pairs = cast("list[tuple[bytes | str, float]]", rt.redis.zrange(key(team_id), 0, max(0, n - 1), withscores=True))
    for member, score in pairs:
        channel, _, ts = (member.decode() if isinstance(member, bytes) else str(member)).partition(":")
        if channel and ts:
            out.append(Waiting(channel, ts, float(score)))
    return out


def forget_older(rt: Runtime, before: datetime) -> int:
    """Retention: threads waiting since before `before` leave every workspace's list (their thread map rows go
    too). Returns how many left."""
    left = 0
    for name in rt.redis.scan_iter(match=KEY.format(team="*"), count=100):
        left += int(rt.redis.zremrangebyscore(name, "-inf", f"({before.timestamp()}"))
    return left
