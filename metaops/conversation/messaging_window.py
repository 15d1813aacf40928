"""Messenger's and Instagram's reply windows: a reply within 24 hours of the customer's last message goes as a
`RESPONSE`; between 24 hours and 7 days it goes tagged `HUMAN_AGENT` (every reply from a thread is typed by a
person); after 7 days Meta takes nothing, so nothing is sent and the thread says why.

The customer's last message is noted in Redis when it is delivered (`customer_wrote`), kept a day past the
7 days; a customer whose time is not known (written before this release, or Redis lost it) gets the tag, which
Meta takes within the whole 7 days, and Meta decides after that."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from integrations.meta.pages import HUMAN_AGENT
from metaops import defaults, messages
from metaops.runtime import Runtime

KEY = "metaops:dm:inbound:{asset}:{sender}"  # Unix seconds of the sender's last message to that Page or account
KEEP = 24 * 3600  # how long past HUMAN_AGENT_WINDOW the time is kept, seconds
PLATFORMS = ("messenger", "instagram")


@dataclass(frozen=True)
class Window:
    tag: str | None  # None: a plain RESPONSE
    closed_at: datetime | None = None  # set: nothing may be sent any more


def customer_wrote(rt: Runtime, asset_id: str, sender: str) -> None:
    rt.redis.set(KEY.format(asset=asset_id, sender=sender), rt.now().timestamp(),
                 ex=defaults.HUMAN_AGENT_WINDOW + KEEP)


def window(rt: Runtime, asset_id: str, sender: str) -> Window:
    """How a reply to `sender` through `asset_id` goes now."""
    seen = rt.redis.get(KEY.format(asset=asset_id, sender=sender))
    if seen is None:
        return Window(HUMAN_AGENT)
    last = datetime.fromtimestamp(float(seen), UTC).replace(tzinfo=None)
    age = rt.now() - last
    if age < timedelta(seconds=defaults.REPLY_WINDOW):
        return Window(None)
    if age < timedelta(seconds=defaults.HUMAN_AGENT_WINDOW):
        return Window(HUMAN_AGENT)
    return Window(None, last + timedelta(seconds=defaults.HUMAN_AGENT_WINDOW))


def closed_text(closed_at: datetime) -> str:
    return messages.DM_WINDOW_CLOSED.format(time=f"{closed_at:%H:%M}", day=f"{closed_at:%b} {closed_at.day}")
