"""The member's queues: the conversations they hold (not resolved) and the unclaimed open ones whose customer waits
longest, each linked, with its state, since when the customer waits and how long the 24-hour reply window has
left. `/meta inbox` answers with it (ephemeral, any channel) and the Home tab shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient

from integrations.slack.blocks import Block, header, section
from integrations.slack.client import permalink
from metaops import defaults
from metaops import inbox_messages as texts
from metaops.conversation import state_root
from metaops.runtime import Runtime
from store import conversations
from store.conversations import State


@dataclass(frozen=True)
class Entry:
    state: State
    url: str | None


@dataclass
class Queues:
    now: datetime
    mine: list[Entry] = field(default_factory=list)
    unclaimed: list[Entry] = field(default_factory=list)


def gather(rt: Runtime, team_id: str, user_id: str, client: WebClient) -> Queues:
    q = Queues(now=rt.now())
    for s in conversations.of_owner(rt.db.engine, team_id, user_id, defaults.INBOX_SHOWN):
        q.mine.append(Entry(s, permalink(client, s.channel_id, s.root_ts)))
    for s in conversations.unclaimed(rt.db.engine, team_id, defaults.INBOX_SHOWN):
        q.unclaimed.append(Entry(s, permalink(client, s.channel_id, s.root_ts)))
    return q



def line(entry: Entry, now: datetime) -> str:
    s = entry.state
    link = texts.INBOX_LINK.format(url=entry.url, channel=s.channel_id) if entry.url else \
        texts.INBOX_NO_LINK.format(channel=s.channel_id)
    waiting = texts.INBOX_WAITING.format(ts=int(s.waiting_since.replace(tzinfo=UTC).timestamp()),
                                         fallback=f"{s.waiting_since:%Y-%m-%d %H:%M} UTC") if s.waiting_since else ""
    return texts.INBOX_LINE.format(link=link, status=state_root.status_text(s), waiting=waiting,
                                   window=window(s, now))


def window(s: State, now: datetime) -> str:
    """How long the customer's 24-hour window has left ("" when they never wrote since it was kept)."""
    if s.last_customer_at is None:
        return ""
    left = s.last_customer_at + timedelta(seconds=defaults.REPLY_WINDOW) - now
    if left <= timedelta(0):
        return texts.INBOX_WINDOW_CLOSED
    hours, minutes = divmod(int(left.total_seconds()) // 60, 60)
    return texts.INBOX_WINDOW.format(left=f"{hours} h {minutes:02d} min" if hours else f"{minutes} min")


def blocks(q: Queues) -> list[Block]:
    """The two queues as sections (one line per conversation)."""
    mine = "\n".join(line(e, q.now) for e in q.mine) or texts.INBOX_NONE_MINE
    unclaimed = "\n".join(line(e, q.now) for e in q.unclaimed) or texts.INBOX_NONE_UNCLAIMED
    return [section(texts.INBOX_MINE.format(count=len(q.mine)) + "\n" + mine),
            section(texts.INBOX_UNCLAIMED + "\n" + unclaimed)]


def home_blocks(q: Queues) -> list[Block]:
    return [header(texts.HOME_INBOX), *blocks(q)]


def text(q: Queues) -> str:
    """The plain fallback of `/meta inbox`'s answer."""
    return f"{texts.INBOX_TITLE}: {len(q.mine)} claimed by you, {len(q.unclaimed)} unclaimed waiting"
