"""The conversation's state on its thread root: one line (the state, who changed it last and when) and the buttons
that change it, rendered from the database and put on the root by a job, at Slack's pace; the same job draws the
root's cost line (cost_root.py).

Any change marks the root (`refresh`): a Redis flag set once (SET NX) queues one `refresh_root` job; the job takes
the flag off before it reads the state, so a change made while it runs queues the next job, and many changes in a
burst cost one chat.update. Slack answering 429 puts the job off by its Retry-After."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from integrations.slack.blocks import Block, actions, button, context_block, option, static_select, users_select
from integrations.slack.errors import SlackRateLimited
from metaops import defaults
from metaops import inbox_messages as texts
from metaops.conversation import cost_root, snooze
from metaops.conversation import root as root_lines
from metaops.queue import enqueue
from metaops.runtime import Runtime, current
from store import conversations
from store.conversations import OPEN, RESOLVED, SNOOZED, WAITING, State

log = logging.getLogger(__name__)
REFRESH_JOB = "metaops.jobs.refresh_root"
_DIRTY = "metaops:root-dirty:{channel}:{root}"
# action ids of the root's buttons (bot/events/conversation.py); a button's value is the root's ts
CLAIM_ACTION, ASSIGN_ACTION = "conversation_claim", "conversation_assign"
RESOLVE_ACTION, REOPEN_ACTION, SNOOZE_ACTION = "conversation_resolve", "conversation_reopen", "conversation_snooze"


def when(at: datetime) -> str:
    """A moment as Slack shows it in each reader's time zone (UTC in the fallback)."""
    ts = int(at.replace(tzinfo=UTC).timestamp())
    return texts.STATE_WHEN.format(ts=ts, fallback=f"{at:%Y-%m-%d %H:%M}")


def status_text(state: State) -> str:
    if state.status == RESOLVED:
        return texts.STATE_RESOLVED
    if state.status == SNOOZED and state.snoozed_until is not None:
        return texts.STATE_SNOOZED.format(until=when(state.snoozed_until))
    if state.status == WAITING:
        return texts.STATE_WAITING_OWNER.format(owner=state.owner) if state.owner else texts.STATE_WAITING
    return texts.STATE_CLAIMED.format(owner=state.owner) if state.owner else texts.STATE_OPEN


def line(state: State) -> str:
    """The root's state line: the state, then its last change, who made it and when."""
    what = texts.CHANGES.get(state.change, state.change)
    change = texts.STATE_BY.format(what=what.capitalize(), user=state.changed_by, when=when(state.changed_at)) \
        if state.changed_by else texts.STATE_BY_APP.format(what=what.capitalize(), when=when(state.changed_at))
    return f"{status_text(state)}  ·  {change}"


def render(state: State) -> list[Block]:
    """The state line and the buttons for what can be done from this state."""
    root = state.root_ts
    if state.status == RESOLVED:
        elements = [button(texts.BUTTON_REOPEN, REOPEN_ACTION, value=root)]
    else:
        elements = [button(texts.BUTTON_CLAIM, CLAIM_ACTION, value=root, style=None if state.owner else "primary"),
                    users_select(ASSIGN_ACTION, texts.ASSIGN_PLACEHOLDER),
                    button(texts.BUTTON_RESOLVE, RESOLVE_ACTION, value=root)]
        if state.status == SNOOZED:
            elements.append(button(texts.BUTTON_REOPEN, REOPEN_ACTION, value=root))
        if state.status in (OPEN, WAITING):
            elements.append(static_select(SNOOZE_ACTION, [option(t, v) for t, v in snooze.CHOICES],
                                          placeholder=texts.SNOOZE_PLACEHOLDER))
    return [{**context_block(line(state)), "block_id": root_lines.STATE_BLOCK},
            {**actions(*elements), "block_id": root_lines.ACTIONS_BLOCK}]


def refresh(rt: Runtime, team_id: str, channel: str, root: str, delay: int = 0) -> None:
    """The root's line must follow its state: one refresh job queued unless one is waiting already. Never raises
    (Redis down: the line catches up at the next change)."""
    try:
        if rt.redis.set(_DIRTY.format(channel=channel, root=root), 1, nx=True, ex=delay + defaults.QUEUED_FLAG_TTL):
            enqueue.submit(rt.queue, REFRESH_JOB, delay, args=(team_id, channel, root))
    except Exception as e:  # noqa: BLE001 - the state is stored; only the root's picture of it lags
        log.warning("root %s in %s not queued for its state line (%s)", root, channel, type(e).__name__)


def refresh_job(team_id: str, channel: str, root: str) -> str:
    """The job: the root shows the state and the cost (cost_root.py) as stored now."""
    rt = current()
    rt.redis.delete(_DIRTY.format(channel=channel, root=root))
    state = conversations.get(rt.db.engine, channel, root)
    if state is not None and state.team_id != team_id:
        return "no conversation"
    lines = (render(state) if state is not None else []) + cost_root.render(rt, team_id, channel, root)
    if not lines:
        return "no conversation"
    try:
        shown = root_lines.set_blocks(rt, team_id, channel, root, lines)
    except SlackRateLimited as e:
        refresh(rt, team_id, channel, root, delay=e.wait(defaults.RATE_LIMIT_FALLBACK, defaults.RATE_LIMIT_MAX_WAIT))
        return "rate limited"
    return "shown" if shown else "root gone"
