"""When a sent campaign's final report goes: once Meta's statuses for its messages have settled, so that its
counts are the ones Meta reported. That is when every message sent is read or failed, or when no status came for
defaults.CAMPAIGN_REPORT_QUIET seconds (a customer who turned read receipts off never sends `read`), or at the
latest defaults.CAMPAIGN_REPORT_WAIT seconds after the last send. Checked when sending ends, on each progress
refresh (the statuses' own), and by a delayed job; posted once (Campaign.reported_at)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from metaops import defaults
from metaops.campaigns import records
from metaops.queue import enqueue
from metaops.runtime import Runtime
from store.models import Campaign, CampaignRecipient
from store.timestamps import utcnow

JOB = "metaops.jobs.report_campaign"
QUEUED_KEY = "metaops:campaign:{id}:report"  # a delayed check is queued
SETTLED = ("read", "played", "failed")  # a message's last status


def when_settled(rt: Runtime, campaign_id: int) -> str:
    """The final report if the campaign is done and its statuses settled; else a check later."""
    c = records.by_id(rt, campaign_id)
    if c.state != "done" or c.reported_at is not None:
        return "not due"
    if not settled(rt, campaign_id):
        if rt.redis.set(QUEUED_KEY.format(id=campaign_id), "1", nx=True, ex=defaults.CAMPAIGN_REPORT_QUIET):
            enqueue.submit(rt.queue, JOB, defaults.CAMPAIGN_REPORT_QUIET + 1, args=(campaign_id,))
        return "waiting"
    if not _claim(rt, campaign_id, True):
        return "reported"
    from metaops.campaigns import report  # the report draws with matplotlib: loaded only when a campaign ends

    if not report.upload(rt, campaign_id):
        _claim(rt, campaign_id, False)  # Slack refused it: the next check posts it
        return "not posted"
    return "reported"


def settled(rt: Runtime, campaign_id: int) -> bool:
    r = CampaignRecipient
    unsettled = (r.state == "sent") & func.coalesce(r.status, "").not_in(SETTLED)
    with rt.db.session() as s:
        waiting, last_change, last_send = s.execute(
            select(func.count().filter(unsettled), func.max(r.updated_at), func.max(r.sent_at))
            .where(r.campaign_id == campaign_id)).one()
    now = utcnow()
    quiet = last_change is None or now - last_change >= timedelta(seconds=defaults.CAMPAIGN_REPORT_QUIET)
    late = last_send is not None and now - last_send >= timedelta(seconds=defaults.CAMPAIGN_REPORT_WAIT)
    return not waiting or quiet or late


def _claim(rt: Runtime, campaign_id: int, take: bool) -> bool:
    """Marks the report posted (take) or not (give back); False when another job took it first."""
    with rt.db.session() as s:
        done = s.execute(update(Campaign).where(Campaign.id == campaign_id, Campaign.reported_at.is_(None) if take
                                                else Campaign.reported_at.is_not(None))
                         .values(reported_at=utcnow() if take else None).execution_options(synchronize_session=False))
        return bool(getattr(done, "rowcount", 0))
