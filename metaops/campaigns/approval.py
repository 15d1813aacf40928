"""A checked campaign confirmed by its requester: started (at its time), or, over the threshold
(records.needs_approval), a request in the campaign's channel that another admin approves or rejects with its
buttons; the decision stays in the channel. Pause, resume and cancel from the progress message (and cancel the
rows held back over the messaging limit)."""

from __future__ import annotations

from datetime import UTC, datetime

from integrations.slack.blocks import actions, button, section
from integrations.slack.client import call, post_message
from integrations.slack.mrkdwn import escape
from metaops import messages
from metaops.campaigns import form, hold, progress, records, reply_channels, sender, template_pause
from metaops.exceptions import Refusal
from metaops.runtime import Runtime
from store.models import Campaign

APPROVE, REJECT = "campaign_approve", "campaign_reject"


def confirm(rt: Runtime, team_id: str, user_id: str, campaign_id: object) -> str:
    """The requester's confirmation of the review; what to tell them."""
    c = records.get(rt, team_id, campaign_id)
    if c.created_by != user_id:
        raise Refusal(messages.CAMPAIGN_NOT_YOURS)
    if records.needs_approval(c.summary):
        if not records.move(rt, c.id, ("draft",), "approval"):
            raise Refusal(messages.CAMPAIGN_ALREADY.format(state=messages.CAMPAIGN_STATES.get(c.state, c.state)))
        text = request_text(c)
        post_message(rt.slack.for_team(team_id), c.channel_id, text, [section(text), actions(
            button(messages.CAMPAIGN_APPROVE, APPROVE, str(c.id), style="primary"),
            button(messages.CAMPAIGN_REJECT, REJECT, str(c.id), style="danger"))])
        return messages.CAMPAIGN_ASKED.format(channel=c.channel_id)
    start(rt, c, ("draft",))
    return messages.CAMPAIGN_STARTED.format(name=escape(c.name), channel=c.channel_id)


def request_text(c: Campaign) -> str:
    s = c.summary
    return messages.CAMPAIGN_APPROVAL_REQUEST.format(
        user=c.created_by, name=escape(c.name), template=escape(c.template_name), to_send=s.get("to_send", 0),
        paid=s.get("paid", 0), cost=form.money(s.get("cost") or {}))


def decide(rt: Runtime, team_id: str, user_id: str, campaign_id: object, approve: bool) -> str:
    """A second admin's decision (the requester cannot decide on their own); the request's new text."""
    c = records.get(rt, team_id, campaign_id)
    if c.created_by == user_id:
        raise Refusal(messages.CAMPAIGN_OWN_APPROVAL)
    if approve:
        if not records.move(rt, c.id, ("approval",), "approved_pending", decided_by=user_id):
            raise Refusal(messages.CAMPAIGN_ALREADY.format(state=messages.CAMPAIGN_STATES.get(c.state, c.state)))
        try:
            start(rt, c, ("approved_pending",))
        except Refusal:  # its channels could not be made: the request waits for another approval
            records.move(rt, c.id, ("approved_pending",), "approval", decided_by=None)
            raise
        return messages.CAMPAIGN_APPROVED.format(request=request_text(c), user=user_id)
    if not records.move(rt, c.id, ("approval",), "rejected", decided_by=user_id):
        raise Refusal(messages.CAMPAIGN_ALREADY.format(state=messages.CAMPAIGN_STATES.get(c.state, c.state)))
    return messages.CAMPAIGN_REJECTED.format(request=request_text(c), user=user_id)


def start(rt: Runtime, c: Campaign, old: tuple[str, ...]) -> None:
    """Scheduled: its overflow channels made, the progress message posted, the send job queued for its time. A
    Refusal (a channel Slack would not create) leaves it as it was."""
    reply_channels.open_overflow(rt, c)
    if not records.move(rt, c.id, old, "scheduled"):
        raise Refusal(messages.CAMPAIGN_ALREADY.format(state=messages.CAMPAIGN_STATES.get(c.state, c.state)))
    progress.show(rt, c.id, force=True)
    delay = 0
    if c.send_at is not None:
        delay = int((c.send_at.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds())
    sender.queue(rt, c.id, delay)


def control(rt: Runtime, team_id: str, user_id: str, campaign_id: object, action: str) -> None:
    """Pause, resume or cancel from the progress message's buttons, or cancel the rows held back over the messaging
    limit; said in the channel. Resume also sends again the rows Meta refused while it paused the template."""
    c = records.get(rt, team_id, campaign_id)
    if action == hold.CANCEL_HELD:
        _cancel_held(rt, c, user_id)
        return
    moves = {progress.PAUSE: (("scheduled", "sending"), "paused"), progress.RESUME: (("paused",), "scheduled"),
             progress.CANCEL: (("scheduled", "sending", "paused"), "cancelled")}
    old, new = moves[action]
    refused = template_pause.still_refused(rt, c) if new == "scheduled" else None
    if refused:
        raise Refusal(refused)
    if not records.move(rt, c.id, old, new, reason=None):
        raise Refusal(messages.CAMPAIGN_ALREADY.format(state=messages.CAMPAIGN_STATES.get(c.state, c.state)))
    said = messages.CAMPAIGN_CONTROLLED.format(user=user_id, state=messages.CAMPAIGN_STATES[new])
    if new == "scheduled":
        retried = template_pause.retry(rt, c)
        said += messages.CAMPAIGN_RETRIED.format(n=retried) if retried else ""
        sender.queue(rt, c.id)
    progress.show(rt, c.id, force=True)
    progress.say(rt, c.id, said)


def _cancel_held(rt: Runtime, c: Campaign, user_id: str) -> None:
    n = hold.cancel_held(rt, c.id)
    if not n:
        raise Refusal(messages.CAMPAIGN_NOTHING_HELD)
    if c.state in ("scheduled", "sending"):  # the job waiting for the window ends the campaign now if nothing is left
        sender.queue(rt, c.id)
    progress.show(rt, c.id, force=True)
    progress.say(rt, c.id, messages.CAMPAIGN_HELD_DROPPED.format(user=user_id, n=n))


def update_request(rt: Runtime, team_id: str, channel: str, ts: str, text: str) -> None:
    call(rt.slack.for_team(team_id).chat_update, channel=channel, ts=ts, text=text, blocks=[section(text)])
