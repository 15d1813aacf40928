"""The away message: queued when a customer writes to a number, Page or Instagram account while it is closed, sent
once per conversation per closed period, within Meta's rules, and shown in the customer's thread.

Delivery calls `customer_wrote` once the customer's message is posted in their thread; with the asset's away
message on and the asset closed at that moment, it queues the `send_away` job (never failing the delivery). The
job looks again (still closed?), then claims `away:<team>:<asset>:<contact>:<start of the closed period>` in
`dedupe_keys`, the database claim the replies use: a retried or re-queued job, a second worker, a crash and a
takeover find it taken, so one closed period gets one away message per conversation. Meta's rules:

- WhatsApp: free text only while the customer's 24-hour window is open (the customer just wrote, so it is unless the
  job ran late); when it is closed, the approved template chosen in `/meta hours`, or nothing and the thread says
  why.
- Messenger and Instagram: only within 24 hours of the customer's message, as a `RESPONSE` (never a message tag:
  `HUMAN_AGENT` is for people), else nothing and the thread says why.

It goes through the replies' own adapters and addressing (`replies.recipient`, the Page's token), is recorded as an
outbound message of the thread so Meta's statuses move the reactions on its line (sent, delivered, read; a later
`failed` is explained there), and never counts as the team's answer (the thread stays unanswered). With replies off
(alerts-only) nothing is sent."""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from integrations.meta import pages, whatsapp
from integrations.meta.errors import GraphError, OutcomeUnknown, TokenInvalid, Unavailable
from integrations.slack import blocks
from integrations.slack.client import post_message
from integrations.slack.errors import SlackRateLimited
from integrations.slack.mrkdwn import escape
from metaops import claims, defaults, messages
from metaops.assets import connections
from metaops.away import config, fallback, schedule
from metaops.conversation import page_token, receipts, replies, reply_window
from metaops.conversation.router import Router
from metaops.exceptions import NotConnected, Refusal
from metaops.queue import enqueue
from metaops.runtime import Runtime, current
from metaops.templates import send_template
from store import customers, dedupe, threads
from store.models import OutboundMessage, Workspace

log = logging.getLogger(__name__)
JOB = "metaops.jobs.send_away"
LINE_BLOCK = "away_line"  # block_id of the thread's away line


def customer_wrote(rt: Runtime, router: Router, team_id: str, kind: str, platform: str, business_id: str,
                   contact: str | None) -> bool:
    """A customer's message was posted in their thread (in the channel of notification `kind`): queue the away job
    when the asset is closed now. True when queued. Never raises: the delivery around it is done either way."""
    if not contact or contact.startswith("group:"):
        return False
    try:
        setting = router.away(team_id, business_id)
        if setting is None or not setting.enabled or closed(rt, setting) is None:
            return False
        channel = router.thread_channel(team_id, kind, business_id, contact)
        thread_ts = router.root(business_id, contact, channel)
        if not thread_ts:
            return False
        rt.queue.enqueue_call(JOB, kwargs={
            "team_id": team_id, "platform": platform, "business_id": business_id, "contact": contact,
            "channel": channel, "thread_ts": thread_ts, "wrote_at": rt.now().isoformat()},
            timeout=defaults.JOB_TIMEOUT, result_ttl=0, failure_ttl=defaults.FAILURE_TTL,
            retry=enqueue.retry_for(rt.settings.JOB_RETRY_INTERVALS))
        return True
    except Exception as e:  # noqa: BLE001 - an away message is a courtesy; the customer's message is delivered
        log.warning("away message for %s not queued (%s)", business_id, type(e).__name__)
        return False


def closed(rt: Runtime, setting: config.Setting) -> schedule.Closed | None:
    return schedule.closed_period(setting.hours, rt.now(), defaults.AWAY_LOOK_DAYS)


def claim_key(team_id: str, business_id: str, contact: str, period: schedule.Closed, version: str) -> str:
    """One key per conversation per closed period (a period with no opening in sight: since the hours were saved)."""
    since = period.since.isoformat() if period.since else f"saved {version}"
    key = f"away:{team_id}:{business_id}:{contact}:{since}"
    return key if len(key) <= 255 else "away:" + hashlib.sha256(key.encode()).hexdigest()


def send(team_id: str, platform: str, business_id: str, contact: str, channel: str, thread_ts: str,
         wrote_at: str) -> str:
    """The `send_away` job. Returns what happened, for the logs."""
    rt = current()
    setting = config.setting(rt.db.engine, team_id, business_id)
    period = closed(rt, setting) if setting is not None and setting.enabled else None
    thread = threads.find_by_root(rt.db.engine, channel, thread_ts)
    if setting is None or period is None or thread is None or thread.team_id != team_id:
        return "open, off or no thread"
    with rt.db.session() as s:
        ws = s.get(Workspace, team_id)
        if ws is not None and not ws.replies_enabled:
            return "replies off"
    key = claim_key(team_id, business_id, contact, period, setting.version)
    if not claims.claim(rt, key):  # raises ClaimBusy while a live worker has it: the job's retry looks again
        return "already sent this period"
    try:
        message_id, line = _deliver(rt, thread, setting, period, datetime.fromisoformat(wrote_at))
    except OutcomeUnknown as e:  # Meta may have sent it: never again
        dedupe.done(rt.db.engine, key)
        _say(rt, thread, messages.AWAY_UNKNOWN.format(reason=e.user_text()))
        return "unknown"
    except Unavailable:
        dedupe.release(rt.db.engine, key)  # Meta never got it: the job's retry sends it
        raise
    except (GraphError, NotConnected, Refusal) as e:
        if isinstance(e, TokenInvalid):
            connections.token_failed(rt, team_id, e)
        dedupe.done(rt.db.engine, key)  # Meta said no: asking again would not change that
        reason = e.user_text() if isinstance(e, GraphError) else str(e)
        _say(rt, thread, messages.AWAY_REFUSED.format(reason=reason))
        return "refused"
    except Exception:
        dedupe.release(rt.db.engine, key)
        raise
    dedupe.done(rt.db.engine, key)
    slack_ts = _say(rt, thread, line)
    if message_id and slack_ts:
        receipts.react(rt.slack.for_team(team_id), channel, slack_ts, receipts.SENT_REACTION)
        with rt.db.session() as s:  # Meta's statuses for it move the reactions on its line
            s.merge(OutboundMessage(id=message_id, team_id=team_id, platform=thread.platform, channel_id=channel,
                                    thread_ts=thread_ts, slack_ts=slack_ts, created_at=rt.now()))
    return "sent" if message_id else "skipped"


def _deliver(rt: Runtime, thread: Any, setting: config.Setting, period: schedule.Closed,
             wrote_at: datetime) -> tuple[str | None, str]:
    """Send what Meta's rules allow now: (Meta's message id or None when nothing could go, the thread's line)."""
    until = _until(setting.hours.tz, period.until)
    if thread.platform != "whatsapp":
        if rt.now() - wrote_at >= timedelta(seconds=defaults.REPLY_WINDOW):
            return None, messages.AWAY_SKIPPED_WINDOW
        page_id, token = page_token.page_for(rt, thread.team_id, thread.platform, thread.business_id)
        sent = pages.send_text(rt.graph, token, page_id, thread.contact, setting.message)
        return sent, messages.AWAY_SENT.format(text=escape(_excerpt(setting.message)), until=until)
    token = connections.token_of(rt, thread.team_id)
    to = replies.recipient(rt, thread.contact)
    if reply_window.closed_since(rt, thread.contact) is None:
        sent = whatsapp.send_text(rt.graph, token, thread.business_id, to, setting.message)
        return sent, messages.AWAY_SENT.format(text=escape(_excerpt(setting.message)), until=until)
    if not setting.template_id:
        return None, messages.AWAY_SKIPPED
    t = send_template.template_of(rt, thread.team_id, thread.business_id, setting.template_id)
    customer = customers.from_thread_key(rt.db.engine, thread.contact)
    if not fallback.usable(t) or (t.category == "MARKETING" and customer is not None and customer.marketing_opt_out):
        raise Refusal(messages.AWAY_TEMPLATE_UNUSABLE.format(name=t.name))
    sent = whatsapp.send_template(rt.graph, token, thread.business_id, to, t.name, t.language, [])
    return sent, messages.AWAY_SENT_TEMPLATE.format(name=escape(t.name), until=until)


def _until(tz: str, until: datetime | None) -> str:
    if until is None:
        return messages.AWAY_UNTIL_UNKNOWN
    local = until.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(tz))
    return messages.AWAY_UNTIL.format(day=f"{local:%a %b} {local.day}", time=f"{local:%H:%M}", tz=tz)


def _excerpt(text: str, limit: int = 140) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _say(rt: Runtime, thread: Any, text: str) -> str | None:
    """The short line in the customer's thread; its ts. A busy channel's 429 is waited out (AWAY_LINE_TRIES). Never
    raises: the away message's fate is decided already, and a retried job would not say it again."""
    client = rt.slack.for_team(thread.team_id)
    for attempt in range(defaults.AWAY_LINE_TRIES):
        try:
            return post_message(client, thread.channel_id, text, thread_ts=thread.root_ts,
                                blocks=[{**blocks.context_block(text), "block_id": LINE_BLOCK}])
        except SlackRateLimited as e:
            if attempt < defaults.AWAY_LINE_TRIES - 1:
                time.sleep(e.wait(1, defaults.RATE_LIMIT_FALLBACK))
        except Exception as e:  # noqa: BLE001 - see above
            log.warning("away line not posted in %s (%s)", thread.channel_id, type(e).__name__)
            return None
    log.warning("away line not posted in %s: the channel stayed rate limited", thread.channel_id)
    return None
