"""Back-off per Slack channel: a 429 holds only the items bound for that channel (team + channel).

When Slack rate-limits a channel, the channel is held until its Retry-After, and every event with an item
for it is parked, in order, on the channel's own list; a `release_channel` job takes them up once the hold
ends. Items for other channels, in the same partition or not, keep flowing. A channel stays held while
its list has events, so nothing newer overtakes what waits there.

A channel's release flag is QUEUED while its release job waits and names the job's process while it runs (a
lease, leases.py). Channels with parked events are kept in a set, and parked event ids in another (the sweep
leaves those alone): `recover` finds every channel whose release died with its worker, or was lost, and queues
a new one.

Our own pace (pace.py) uses the same parking: a channel without a token holds its events for a short hold until
the next token. Each parked entry may name the customer thread its event posts in (`Parked.thread`) and whether
the event is one plain customer message (`Parked.joinable`): the release job posts such messages of one thread,
waiting on the list, as one Slack message (drain.release_channel).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from redis import Redis
from rq import Queue

from metaops.queue import enqueue, leases

log = logging.getLogger(__name__)
RELEASE = "metaops.jobs.release_channel"
CHANNELS = "metaops:held-channels"  # "team channel" of every channel with parked events (maybe a few more)
PARKED = "metaops:parked-events"  # ids of the events waiting on some channel's list


@dataclass(frozen=True)
class Parked:
    """One entry of a channel's parked list: the event, and (when known) its thread and whether it may join
    the other messages of that thread in one post."""

    event_id: int
    thread: str | None = None
    joinable: bool = False
    raw: bytes | str = b""

    @staticmethod
    def parse(raw: bytes | str) -> Parked:
        text = raw.decode() if isinstance(raw, bytes) else raw
        parts = text.split(" ", 2)  # "id" (thread unknown, or parked before threads were noted), "id N -" (posts
        if len(parts) < 3:  # in no customer thread), "id J thread" (joinable), "id T thread"
            return Parked(int(parts[0]), raw=raw)
        return Parked(int(parts[0]), "" if parts[1] == "N" else parts[2], parts[1] == "J", raw)


def _entry(event_id: int, thread: str | None, joinable: bool) -> str:
    """`thread`: None unknown (or several), "" none."""
    if thread is None:
        return str(event_id)
    return f"{event_id} N -" if thread == "" else f"{event_id} {'J' if joinable else 'T'} {thread}"


def _hold_key(team_id: str, channel: str) -> str:
    return f"metaops:hold:{team_id}:{channel}"


def _list_key(team_id: str, channel: str) -> str:
    return f"metaops:held:{team_id}:{channel}"


def release_flag(team_id: str, channel: str) -> str:
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


def park(r: Redis, queue: Queue, team_id: str, channel: str, event_id: int, wait: int, thread: str | None = None,
         joinable: bool = False) -> None:
    """Put an event on the held channel's list and make sure a release job runs after the hold."""
    pipe = r.pipeline(transaction=False)
    pipe.rpush(_list_key(team_id, channel), _entry(event_id, thread, joinable))
    pipe.sadd(CHANNELS, f"{team_id} {channel}")
    pipe.sadd(PARKED, event_id)
    pipe.execute()
    schedule_release(r, queue, team_id, channel, wait)


def schedule_release(r: Redis, queue: Queue, team_id: str, channel: str, wait: int) -> None:
    """A release job after `wait` seconds, unless one is queued or running."""
    if leases.mark_queued(r, release_flag(team_id, channel), wait):
        enqueue.submit(queue, RELEASE, wait, args=(team_id, channel))


def release_later(r: Redis, queue: Queue, team_id: str, channel: str, wait: int) -> None:
    """The running release job hands the channel over to a new one, `wait` seconds from now."""
    leases.queue_for(r, release_flag(team_id, channel), wait)
    enqueue.submit(queue, RELEASE, wait, args=(team_id, channel))


def recover(r: Redis, queue: Queue) -> int:
    """A release job for every channel with parked events whose release is neither queued nor running (its worker
    died, or its job was lost). Returns how many were queued."""
    queued = 0
    for member in r.smembers(CHANNELS):
        team_id, _, channel = (member.decode() if isinstance(member, bytes) else member).partition(" ")
        if not r.llen(_list_key(team_id, channel)):
            r.srem(CHANNELS, member)
            if r.llen(_list_key(team_id, channel)):  # parked meanwhile: keep it
                r.sadd(CHANNELS, member)
            continue
        wait = wait_left(r, team_id, channel)
        if leases.requeue_abandoned(r, release_flag(team_id, channel), wait):
            log.info("channel %s of team %s had parked events and no live release: release queued", channel, team_id)
            enqueue.submit(queue, RELEASE, wait, args=(team_id, channel))
            queued += 1
    return queued


def drop_team(r: Redis, team_id: str) -> int:
    """Let go of every event parked on the workspace's channels (it removed the app): the lists and holds are
    deleted and the events leave the parked set, so the sweep takes them up again and routes them afresh (to no
    one, or to a workspace that connected the asset since). Returns how many were parked."""
    dropped = 0
    for member in r.smembers(CHANNELS):
        text = member.decode() if isinstance(member, bytes) else member
        team, _, channel = text.partition(" ")
        if team != team_id:
            continue
        ids = [Parked.parse(raw).event_id for raw in r.lrange(_list_key(team, channel), 0, -1)]
        pipe = r.pipeline(transaction=False)
        pipe.delete(_list_key(team, channel), _hold_key(team, channel))
        if ids:
            pipe.srem(PARKED, *ids)
        pipe.srem(CHANNELS, member)
        pipe.execute()
        dropped += len(ids)
    return dropped


def drop_settled(r: Redis, unsettled: Callable[[list[int]], set[int]], chunk: int = 500) -> int:
    """Retention: ids left in the parked set whose event is done, failed or deleted (a release that died between
    posting and tidying up) leave it. `unsettled` answers which of some ids are still to process. Returns how many
    left."""
    dropped = 0
    cursor = 0
    while True:
        cursor, raw = r.sscan(PARKED, cursor, count=chunk)
        ids = [int(x) for x in raw]
        settled = sorted(set(ids) - unsettled(ids)) if ids else []
        if settled:
            dropped += int(r.srem(PARKED, *settled))
        if cursor == 0:
            return dropped


def parked_among(r: Redis, event_ids: list[int]) -> set[int]:
    """Those of `event_ids` waiting on a channel's list."""
    if not event_ids:
        return set()
    found = r.smismember(PARKED, event_ids)
    return {i for i, yes in zip(event_ids, found, strict=True) if yes}


def parked_count(r: Redis, team_id: str, channel: str) -> int:
    """How many events wait on the channel's list."""
    return int(r.llen(_list_key(team_id, channel)))


def next_parked(r: Redis, team_id: str, channel: str) -> int | None:
    head = r.lindex(_list_key(team_id, channel), 0)
    return Parked.parse(head).event_id if head is not None else None


def parked(r: Redis, team_id: str, channel: str, count: int) -> list[Parked]:
    """The first `count` entries of the channel's list, in order."""
    return [Parked.parse(raw) for raw in r.lrange(_list_key(team_id, channel), 0, count - 1)]


def same_thread(entries: list[Parked], most: int) -> list[Parked]:
    """The head entry and the later entries of its thread that may be posted with it (at most `most`), in order:
    only when the head is one plain customer message; the search passes other threads' entries and those that post
    in no thread, and stops at an entry of that thread that may not join (a media message, an identity change: it
    must be posted in between) or one whose thread is unknown (it may post in this one)."""
    head = entries[0]
    if not head.joinable or head.thread is None:
        return [head]
    taken = [head]
    for e in entries[1:]:
        if len(taken) >= most or e.thread is None:
            break
        if e.thread == head.thread:
            if not e.joinable:
                break
            taken.append(e)
    return taken


def remove_parked(r: Redis, team_id: str, channel: str, entries: list[Parked]) -> None:
    """Take these entries (taken up by the release job) off the channel's list, wherever they are in it."""
    pipe = r.pipeline(transaction=False)
    for e in entries:
        # redis-py annotates lrem's value as str, yet sends bytes as they are (any EncodableT): raw is what LRANGE gave
        pipe.lrem(_list_key(team_id, channel), 1, cast(str, e.raw))
    pipe.srem(PARKED, *[e.event_id for e in entries])
    pipe.execute()


def pop_parked(r: Redis, team_id: str, channel: str) -> None:
    # Without a count LPOP answers one element; redis-py's stub also lists the list that a count brings
    raw = cast("bytes | str | None", r.lpop(_list_key(team_id, channel)))
    if raw is not None:
        r.srem(PARKED, Parked.parse(raw).event_id)


def start_release(r: Redis, team_id: str, channel: str) -> bool:
    """The release job takes the channel. False: a live release has it already."""
    return leases.own(r, release_flag(team_id, channel))


def still_releasing(r: Redis, team_id: str, channel: str) -> bool:
    """The release job still holds the channel (its lease did not lapse in a stall)."""
    return leases.holds(r, release_flag(team_id, channel))


def finish_release(r: Redis, team_id: str, channel: str) -> bool:
    """The release job found the list empty: let the channel go. True when events were parked meanwhile and the
    job should go on (it took the channel again)."""
    leases.release(r, release_flag(team_id, channel))
    return bool(r.llen(_list_key(team_id, channel))) and leases.own(r, release_flag(team_id, channel))
