"""The campaign's live progress message in its channel (posted once, then `chat.update` at most every
defaults.CAMPAIGN_PROGRESS_EVERY seconds, Slack's pace for one message) with Pause / Resume / Cancel buttons, and
lines said in the channel (a stop, the final report)."""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_sdk.errors import SlackApiError

from integrations.slack.blocks import actions, button, context_block, section
from integrations.slack.client import SlackRateLimited, call, post_message
from integrations.slack.mrkdwn import escape
from metaops import defaults, messages
from metaops.campaigns import backlog, final, hold, records
from metaops.campaigns.tally import Tally, tally
from metaops.runtime import Runtime
from store.models import Campaign

log = logging.getLogger(__name__)
SHOWN_KEY = "metaops:campaign:{id}:shown"  # when the progress message was last updated
REFRESH_KEY = "metaops:campaign:{id}:refresh"  # a refresh job is queued for the statuses that came since
REFRESH_JOB = "metaops.jobs.refresh_campaign"
BAR = 20  # characters of the progress bar
PAUSE, RESUME, CANCEL = "campaign_pause", "campaign_resume", "campaign_cancel"


def blocks(c: Campaign, t: Tally, waiting: backlog.Backlog | None = None) -> tuple[str, list[dict[str, Any]]]:
    filled = round(BAR * t.done / t.total) if t.total else BAR
    text = messages.CAMPAIGN_PROGRESS.format(
        name=escape(c.name), template=escape(c.template_name), state=messages.CAMPAIGN_STATES.get(c.state, c.state),
        bar="█" * filled + "░" * (BAR - filled), done=t.done, total=t.total, sent=t.sent, delivered=t.delivered,
        read=t.read, failed=t.failed, replied=t.replied, unknown=t.unknown, waiting=t.waiting)
    out = [section(text)]
    if t.reasons:
        out.append(context_block(messages.CAMPAIGN_FAILED_REASONS.format(reasons="; ".join(
            f"{escape(why)} ×{n}" for why, n in t.reasons.most_common(3)))))
    if c.reason:
        out.append(context_block(messages.CAMPAIGN_REASON.format(reason=escape(c.reason))))
    out.extend(backlog.lines(c, waiting or backlog.Backlog()))
    held = hold.line(c, t)
    out += [held] if held else []
    if c.summary.get("retried"):
        out.append(context_block(messages.CAMPAIGN_RETRIED_NOTE.format(n=c.summary["retried"])))
    value = str(c.id)
    if c.state in ("scheduled", "sending"):
        out.append(actions(button(messages.CAMPAIGN_PAUSE, PAUSE, value), _cancel(value), *hold.buttons(c, t)))
    elif c.state == "paused":
        out.append(actions(button(messages.CAMPAIGN_RESUME, RESUME, value, style="primary"), _cancel(value),
                           *hold.buttons(c, t)))
    return text, out


def _cancel(value: str) -> dict[str, Any]:
    return button(messages.CAMPAIGN_CANCEL, CANCEL, value, style="danger")


def show(rt: Runtime, campaign_id: int, force: bool = False) -> None:
    """Post or update the progress message; at most every CAMPAIGN_PROGRESS_EVERY seconds unless `force`. Never
    fails the send (the numbers are stored; only Slack's picture lags)."""
    key = SHOWN_KEY.format(id=campaign_id)
    if not force and not rt.redis.set(key, "1", nx=True, ex=defaults.CAMPAIGN_PROGRESS_EVERY):
        return
    c = records.by_id(rt, campaign_id)
    waiting = backlog.of(rt, c)
    text, shown = blocks(c, tally(rt, campaign_id), waiting)
    client = rt.slack.for_team(c.team_id)
    try:
        if c.progress_ts:
            call(client.chat_update, channel=c.channel_id, ts=c.progress_ts, text=text, blocks=shown)
        else:
            ts = post_message(client, c.channel_id, text, shown)
            records.set_progress_ts(rt, campaign_id, ts)
    except (SlackApiError, SlackRateLimited) as e:
        log.info("campaign %s progress not shown: %s", campaign_id, type(e).__name__)
    if force:
        rt.redis.set(key, "1", ex=defaults.CAMPAIGN_PROGRESS_EVERY)
    if waiting.waiting:  # shown again until none waits, after sending too
        later(rt, campaign_id)


def refresh(rt: Runtime, campaign_id: int) -> None:
    """The refresh job: the progress message updated (its key let go first, so what comes meanwhile queues the
    next refresh)."""
    rt.redis.delete(REFRESH_KEY.format(id=campaign_id))
    show(rt, campaign_id, force=True)


def later(rt: Runtime, campaign_id: int) -> None:
    """Statuses and replies changed the numbers: one refresh job within CAMPAIGN_PROGRESS_EVERY seconds, however
    many came (Slack's pace for one message). Never raises: the numbers are stored either way."""
    from metaops.queue import enqueue

    try:
        if rt.redis.set(REFRESH_KEY.format(id=campaign_id), "1", nx=True, ex=defaults.CAMPAIGN_PROGRESS_EVERY):
            enqueue.submit(rt.queue, REFRESH_JOB, defaults.CAMPAIGN_PROGRESS_EVERY, args=(campaign_id,))
    except Exception as e:  # noqa: BLE001 - see above
        log.info("campaign %s refresh not queued: %s", campaign_id, type(e).__name__)


def say(rt: Runtime, campaign_id: int, text: str) -> None:
    """A line in the campaign's channel, under its progress message; once more after Slack's wait when the channel
    is at Slack's pace (a note must not be lost to a burst of posts)."""
    c = records.by_id(rt, campaign_id)
    for attempt in (1, 2):
        try:
            post_message(rt.slack.for_team(c.team_id), c.channel_id, text, [section(text)], thread_ts=c.progress_ts)
            return
        except SlackRateLimited as e:
            if attempt == 1:
                time.sleep(e.wait(1, defaults.CAMPAIGN_NOTE_WAIT))
                continue
            log.info("campaign %s note not posted: %s", campaign_id, type(e).__name__)
        except SlackApiError as e:
            log.info("campaign %s note not posted: %s", campaign_id, type(e).__name__)
            return


def finish(rt: Runtime, campaign_id: int) -> None:
    """Every row sent: the progress message's last picture, then the final report once the statuses settled."""
    show(rt, campaign_id, force=True)
    final.when_settled(rt, campaign_id)
