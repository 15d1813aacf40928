"""How many of a campaign's replies wait to be shown, and until when: when threads arrive faster than our pace
per Slack channel (conversation/pace.py), their events wait, in order, on the channel's parked list (delivery/
holds.py) and the release job posts them at the channel's pace. The campaign's progress message says how many wait
in the campaign's reply channels and by when they will all be shown (progress.py); nothing is posted per reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from integrations.slack.blocks import context_block
from metaops import messages
from metaops.campaigns import replies
from metaops.delivery import holds
from metaops.runtime import Runtime
from store.models import Campaign


@dataclass(frozen=True)
class Backlog:
    waiting: int = 0  # events parked on the campaign's reply channels
    until: datetime | None = None  # when the last of them should be shown (UTC)


def of(rt: Runtime, c: Campaign) -> Backlog:
    """Each channel shows its own waiting events after its hold, at SLACK_PACE_RATE posts a second (several
    messages of one thread may go in one post, so this is the latest it takes); the channels work side by side."""
    rate = rt.settings.SLACK_PACE_RATE
    waiting, longest = 0, 0.0
    for channel in dict.fromkeys(replies.channels(c)):
        n = holds.parked_count(rt.redis, c.team_id, channel)
        if n:
            waiting += n
            longest = max(longest, holds.wait_left(rt.redis, c.team_id, channel) + (n / rate if rate > 0 else 0))
    return Backlog(waiting, rt.now() + timedelta(seconds=longest) if waiting else None)


def lines(c: Campaign, waiting: Backlog) -> list[dict[str, Any]]:
    """The progress message's lines: where replies open threads (when not in its own channel), and how many wait to
    be shown, until when (in the reader's time zone)."""
    out = []
    where = replies.channels(c)
    if where != [c.channel_id]:
        out.append(context_block(messages.CAMPAIGN_REPLIES_IN.format(channels=", ".join(f"<#{x}>" for x in where))))
    if waiting.waiting and waiting.until is not None:
        at = int(waiting.until.replace(tzinfo=UTC).timestamp())
        out.append(context_block(messages.CAMPAIGN_REPLIES_WAITING.format(
            n=waiting.waiting, at=at, fallback=waiting.until.strftime("%H:%M UTC"))))
    return out
