"""Back-off per Slack channel: a 429 holds only the items bound for that channel (team + channel).

When Slack rate-limits a channel, the channel is held until its Retry-After, and every event with an item
for it is parked, in order, on the channel's own list; a `release_channel` job takes them up once the hold
ends. Items for other channels, in the same partition or not, keep flowing. A channel stays held while
its list has events, so nothing newer overtakes what waits there.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from redis import Redis
from rq import Queue

from metaops import defaults
from metaops.delivery import inbox

log = logging.getLogger(__name__)
RELEASE = "metaops.jobs.release_channel"


class ChannelHeld(Exception):
    """An item is bound for a channel that Slack rate-limited: its event waits for the channel."""

    def __init__(self, team_id: str, channel: str, wait: int) -> None:
        super().__init__(f"Slack rate limited channel {channel} of team {team_id}: its posts wait {wait}s")
        self.team_id, self.channel, self.wait = team_id, channel, wait


def _hold_key(team_id: str, channel: str) -> str:
    return f"metaops:hold:{team_id}:{channel}"


def _list_key(team_id: str, channel: str) -> str:
    return f"metaops:held:{team_id}:{channel}"


def _release_flag(team_id: str, channel: str) -> str:
    return f"metaops:release:{team_id}:{channel}"


def hold(r: Redis, team_id: str, channel: str, seconds: int) -> None:
    r.set(_hold_key(team_id, channel), 1, ex=max(1, seconds))


def wait_left(r: Redis, team_id: str, channel: str) -> int:
    """Seconds the channel's hold still runs (0: not held by a rate limit)."""
    return max(0, int(r.ttl(_hold_key(team_id, channel))))


def is_held(r: Redis, team_id: str, channel: str, releasing: bool = False) -> int:
    """0 when posts may go to the channel now, else seconds to wait (at least 1 while events are parked on
    it: they go first). `releasing`: asked by the job that takes up the parked events."""
    left = wait_left(r, team_id, channel)
    if left or releasing:
        return left
    return 1 if r.llen(_list_key(team_id, channel)) else 0


def park(r: Redis, queue: Queue, team_id: str, channel: str, event_id: int, wait: int) -> None:
    """Put an event on the held channel's list and make sure a release job runs after the hold."""
    r.rpush(_list_key(team_id, channel), event_id)
    schedule_release(r, queue, team_id, channel, wait)


def schedule_release(r: Redis, queue: Queue, team_id: str, channel: str, wait: int) -> None:
    if r.set(_release_flag(team_id, channel), 1, nx=True, ex=wait + defaults.DRAIN_FLAG_TTL):
        inbox.submit(queue, RELEASE, wait, args=(team_id, channel))


def next_parked(r: Redis, team_id: str, channel: str) -> int | None:
    head = r.lindex(_list_key(team_id, channel), 0)
    return int(head) if head is not None else None


def pop_parked(r: Redis, team_id: str, channel: str) -> None:
    r.lpop(_list_key(team_id, channel))


def finish_release(r: Redis, team_id: str, channel: str) -> bool:
    """The release job found the list empty: drop its flag. True when events were parked meanwhile and the
    job should go on (it took the flag again)."""
    r.delete(_release_flag(team_id, channel))
    return bool(r.llen(_list_key(team_id, channel))) and bool(
        r.set(_release_flag(team_id, channel), 1, nx=True, ex=defaults.DRAIN_FLAG_TTL))


def renew_release(r: Redis, team_id: str, channel: str) -> None:
    r.expire(_release_flag(team_id, channel), timedelta(seconds=defaults.DRAIN_FLAG_TTL))
