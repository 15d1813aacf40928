"""Did a dead worker's post reach Slack? Each delivery post names the items it shows, twice: in Redis, right
before the post (where it goes: team, channel, thread), and in the post itself (Slack's message metadata). A
worker taking over the claim of one that died mid-post looks for that post in the thread before posting again,
so a kill between Slack's answer and marking the items done shows nothing twice (a joined post of a dozen
customer messages included)."""

from __future__ import annotations

import logging

from integrations.slack.client import find_metadata, post_message
from metaops import defaults
from metaops.runtime import Runtime

log = logging.getLogger(__name__)
EVENT_TYPE = "metaops_delivery"  # Slack message metadata of a delivery post; its payload's `keys`: the item keys
_MARK = "metaops:posting:{}"


def post(rt: Runtime, team_id: str, channel: str, text: str, blocks: list[dict], thread_ts: str | None,
         keys: list[str]) -> str:
    """chat.postMessage for the items `keys` (none: a post no claim stands for), marked as above."""
    metadata = None
    if keys:
        pipe = rt.redis.pipeline(transaction=False)
        for key in keys:
            pipe.set(_MARK.format(key), f"{team_id} {channel} {thread_ts or '-'}", ex=defaults.POSTING_MARK_TTL)
        pipe.execute()
        metadata = {"event_type": EVENT_TYPE, "event_payload": {"keys": " ".join(keys)}}
    return post_message(rt.slack.for_team(team_id), channel, text, blocks, thread_ts=thread_ts, metadata=metadata)


def landed(rt: Runtime, key: str) -> bool:
    """True when a post for `key` is in Slack: its worker died after posting, before marking it done."""
    raw = rt.redis.get(_MARK.format(key))
    if raw is None:
        return False  # its worker never started posting it
    team_id, channel, thread = (raw.decode() if isinstance(raw, bytes) else raw).split(" ")
    try:
        return find_metadata(rt.slack.for_team(team_id), channel, None if thread == "-" else thread, EVENT_TYPE,
                             "keys", key)
    except Exception as e:  # noqa: BLE001 - not known: post again (at most this once shown twice)
        log.warning("could not tell whether %s was posted (%s); posting it again", key, e)
        return False
