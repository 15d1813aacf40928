"""A campaign's final report in its channel: a chart of the outcomes and a CSV with every recipient's (line, customer,
outcome, Meta's status and reason, replied)."""

from __future__ import annotations

import csv
import io
import logging

from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from integrations.slack.client import SlackRateLimited, call
from metaops import messages
from metaops.campaigns import records
from metaops.campaigns.tally import tally
from metaops.runtime import Runtime
from metaops.surfaces import charts
from store.models import CampaignRecipient

log = logging.getLogger(__name__)
COLUMNS = ("line", "phone", "bsuid", "outcome", "status", "reason", "replied", "message_id", "pricing_category")


def recipients_csv(rt: Runtime, campaign_id: int) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(COLUMNS)
    r = CampaignRecipient
    with rt.db.session() as s:
        for row in s.scalars(select(r).where(r.campaign_id == campaign_id).order_by(r.line)).yield_per(1000):
            w.writerow((row.line, row.phone or "", row.bsuid or "", row.state, row.status or "", row.error or "",
                        "yes" if row.replied else "no", row.message_id or "", row.pricing_category or ""))
    return out.getvalue().encode("utf-8")


def chart(rt: Runtime, campaign_id: int, title: str) -> bytes:
    t = tally(rt, campaign_id)
    return charts.counts([(messages.CHART_SENT, t.sent), (messages.CHART_DELIVERED, t.delivered),
                          (messages.CHART_READ, t.read), (messages.CAMPAIGN_CHART_REPLIED, t.replied),
                          (messages.CAMPAIGN_CHART_FAILED, t.failed), (messages.CAMPAIGN_CHART_UNKNOWN, t.unknown)],
                         title)


def upload(rt: Runtime, campaign_id: int) -> bool:
    """The chart and the CSV, in one message in the campaign's channel; False when Slack refused it."""
    c = records.by_id(rt, campaign_id)
    title = messages.CAMPAIGN_REPORT_TITLE.format(name=c.name)
    slug = "".join(ch if ch.isalnum() else "-" for ch in c.name.lower())[:40] or "campaign"
    files = [{"content": chart(rt, campaign_id, title), "filename": f"campaign-{slug}.png", "title": title},
             {"content": recipients_csv(rt, campaign_id), "filename": f"campaign-{slug}-recipients.csv",
              "title": messages.CAMPAIGN_REPORT_CSV.format(name=c.name)}]
    try:
        call(rt.slack.for_team(c.team_id).files_upload_v2, channel=c.channel_id, file_uploads=files,
             initial_comment=messages.CAMPAIGN_REPORT.format(name=c.name), thread_ts=c.progress_ts)
    except (SlackApiError, SlackRateLimited) as e:
        log.warning("campaign %s report not uploaded: %s", campaign_id, type(e).__name__)
        return False
    return True
