"""The names our RQ jobs are queued under.

RQ stores a job's function as a dotted path and imports it when the job runs. Every job we queue names a
function of this module, and each is a thin wrapper, so the code behind it can move between modules
without stranding jobs already waiting in Redis. Renaming or removing one of these is a migration: keep
the old name until no job under it can be waiting (longer than the longest retry).
"""

from __future__ import annotations

from typing import Any

import metaops.delivery.drain
import metaops.delivery.retention
from metaops.away import sender as away
from metaops.campaigns import check as campaign_check
from metaops.campaigns import final as campaign_final
from metaops.campaigns import progress as campaign_progress
from metaops.campaigns import sender as campaign_sender
from metaops.conversation import member_reactions, replies, reply_window, state, state_root
from metaops.delivery import history_import, periodic
from metaops.runtime import current
from metaops.surfaces import home, submissions, workflow_steps


def drain(partition: int | None = None) -> int:
    """Process one partition's queued events in order, in batches (metaops.delivery.drain). Without a partition
    (jobs queued by releases before partitions): move the old single list into the partitions."""
    return metaops.delivery.drain.drain(partition)


def release_channel(team_id: str, channel: str) -> int:
    """Take up the events parked on a Slack channel that was rate-limited (metaops.delivery.holds)."""
    return metaops.delivery.drain.release_channel(team_id, channel)


def process_event(event_id: int) -> None:
    """One event in a job of its own, with RQ's Retry."""
    metaops.delivery.drain.process_event(event_id)


def sweep() -> int:
    """Queue again the events that were stored but never processed."""
    return periodic.sweep()


def check_tokens() -> int:
    """Every connection's token checked, refreshed or alerted about."""
    return periodic.check_tokens()


def check_graph_version() -> int:
    """The Graph API version in use checked against the day Meta stops serving it."""
    return periodic.check_graph_version()


def retention() -> dict[str, int]:
    """Daily: processed events and per-message records past RETENTION_DAYS deleted (metaops.delivery.retention)."""
    return metaops.delivery.retention.purge(current())


def send_reply(outbox_id: int | str, event: dict[str, Any] | None = None) -> str:
    """A team member's message in a customer thread, stored in the reply outbox, sent to the customer
    (metaops.conversation.replies). Jobs queued before the outbox name (team_id, event): stored first, then sent."""
    if event is not None:
        return replies.send_event(str(outbox_id), event)
    return replies.send(int(outbox_id))


def sweep_outbox() -> int:
    """Queue the stored replies whose send job never reached Redis (or was lost with it)."""
    return replies.sweep_outbox()


def window_nudges() -> int:
    """Every WINDOW_NUDGE_INTERVAL: one note in each unanswered WhatsApp customer's thread whose 24-hour reply window
    closes within the hour (metaops.conversation.reply_window)."""
    return reply_window.nudge()


def submit_view(submission: dict[str, Any]) -> str:
    """A modal's submission (template new/edit, post, webhook configure) sent to Meta once per view id, the
    outcome shown in the modal or posted to the user (metaops.surfaces.submissions)."""
    return submissions.run(submission, current())


def check_campaign(form: dict[str, Any]) -> str:
    """A submitted campaign form checked (file, recipients, cost), the review shown in its modal
    (metaops.campaigns.check)."""
    return campaign_check.run(form, current())


def send_campaign(campaign_id: int) -> str:
    """One slice of a campaign's sending (metaops.campaigns.sender)."""
    return campaign_sender.run(current(), campaign_id)


def refresh_campaign(campaign_id: int) -> None:
    """A campaign's progress message updated with the statuses and replies that came, and how many replies wait to
    be shown (metaops.campaigns.progress); a sent campaign's final report when they settled it
    (metaops.campaigns.final)."""
    campaign_progress.refresh(current(), campaign_id)
    campaign_final.when_settled(current(), campaign_id)


def report_campaign(campaign_id: int) -> str:
    """A sent campaign's final report, when its statuses settled (metaops.campaigns.final)."""
    return campaign_final.when_settled(current(), campaign_id)


def resume_campaigns() -> int:
    """Every CAMPAIGN_SWEEP_INTERVAL: campaigns due to send whose job is gone get one again."""
    return campaign_sender.resume_all(current())


def refresh_home(team_id: str, user_id: str) -> None:
    """Publish a user's Home tab again after a change they made (metaops.surfaces.home)."""
    home.publish(current(), team_id, user_id)


def run_workflow_step(step: dict[str, Any]) -> str:
    """A Workflow Builder step (function_executed) run once per execution id and completed or failed with its
    execution's token (metaops.surfaces.workflow_steps)."""
    return workflow_steps.run(step, current())


def import_history(business_id: str) -> int:
    """A number's WhatsApp Business app history posted into its customers' threads, batch by batch, at Slack's pace
    (metaops.delivery.history_import); hands over to a new job when it must wait."""
    return history_import.run(current(), business_id)


def refused_pickle(reason: str) -> None:
    """Stands in for a job pickled by an earlier release whose payload could not be read safely
    (metaops.queue.pickled_jobs): it sits in the failed registry and, if requeued, fails again with the reason."""
    raise RuntimeError(reason)


def send_away(team_id: str, platform: str, business_id: str, contact: str, channel: str, thread_ts: str,
              wrote_at: str) -> str:
    """The away message to a customer who wrote while the number or Page is closed (metaops.away.sender)."""
    return away.send(team_id, platform, business_id, contact, channel, thread_ts, wrote_at)


def refresh_root(team_id: str, channel: str, root: str) -> str:
    """A customer thread's root shows its conversation's state as stored now (metaops.conversation.state_root)."""
    return state_root.refresh_job(team_id, channel, root)


def conversation_note(team_id: str, channel: str, root: str, text: str) -> None:
    """A note in a customer thread about its conversation (reopened by the customer, snooze ended)."""
    state.post_note(team_id, channel, root, text)


def wake_snoozed() -> int:
    """Every SNOOZE_WAKE_INTERVAL: conversations whose snooze ended open again (metaops.conversation.state)."""
    return state.wake()


def send_member_reaction(team_id: str, channel: str, ts: str, user_id: str, name: str, added: bool) -> str:
    """A member's reaction on a customer's message in Slack, sent to (or removed from) that message at Meta
    (metaops.conversation.member_reactions)."""
    return member_reactions.send(team_id, channel, ts, user_id, name, added)
