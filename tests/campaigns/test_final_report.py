"""A sent campaign's final report goes once Meta's statuses settled (issue 23), so that its counts are Meta's: at
once when every message is read or failed; otherwise after CAMPAIGN_REPORT_QUIET seconds without a status (a
customer with read receipts off never sends `read`); and only once."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from metaops import defaults
from metaops.campaigns import final
from store.models import Campaign, CampaignRecipient
from store.timestamps import utcnow
from tests.bot.test_listeners_campaigns import confirm, connected, review_of, sent_ids  # noqa: F401 - fixture
from tests.helpers import post_webhook, run_due_scheduled, run_worker
from tests.helpers.meta import wa_payload

pytestmark = pytest.mark.both_databases  # when statuses settled is one SQL query (a count FILTER, the latest change)


def reports(fake_slack) -> list:
    return [f for f in fake_slack.files if "C_CONNECT" in (f.get("channel_id"), f.get("channel"))]


def campaign_id(rt) -> int:
    with rt.db.session() as s:
        return int(s.scalars(select(Campaign.id)).one())


def test_delivered_but_never_read_reports_after_the_quiet_time(client, rt, connected, fake_slack):  # noqa: F811
    confirm(client, review_of(client, rt, fake_slack))
    run_worker(rt)
    post_webhook(client, wa_payload([], statuses=[
        {"id": s["id"], "status": "delivered", "timestamp": "1700000100", "recipient_id": s["to"]}
        for s in sent_ids(rt)]))
    run_worker(rt)
    time.sleep(defaults.CAMPAIGN_PROGRESS_EVERY + 0.2)
    run_due_scheduled(rt)
    run_worker(rt)
    assert not reports(fake_slack)  # delivered, not read: more statuses may come
    quiet_ago = utcnow() - timedelta(seconds=defaults.CAMPAIGN_REPORT_QUIET + 1)  # the quiet time passes
    with rt.db.session() as s:
        s.execute(update(CampaignRecipient).values(updated_at=quiet_ago))
    assert final.when_settled(rt, campaign_id(rt)) == "reported"
    assert len(reports(fake_slack)) == 1
    assert final.when_settled(rt, campaign_id(rt)) == "not due"  # posted once
    assert len(reports(fake_slack)) == 1


def test_a_report_slack_refused_is_posted_by_the_next_check(client, rt, connected, fake_slack):  # noqa: F811
    confirm(client, review_of(client, rt, fake_slack))
    run_worker(rt)
    fake_slack.fail_next("/api/files.completeUploadExternal", _refused())
    post_webhook(client, wa_payload([], statuses=[
        {"id": s["id"], "status": "read", "timestamp": "1700000100", "recipient_id": s["to"]}
        for s in sent_ids(rt)]))
    run_worker(rt)
    time.sleep(defaults.CAMPAIGN_PROGRESS_EVERY + 0.2)
    run_due_scheduled(rt)
    run_worker(rt)  # every message read: the refresh posts the report, and Slack refuses it
    assert [c.path for c in fake_slack.calls].count("/api/files.completeUploadExternal") == 1  # tried, refused
    assert not reports(fake_slack)
    with rt.db.session() as s:
        assert s.scalars(select(Campaign.reported_at)).one() is None
    assert final.when_settled(rt, campaign_id(rt)) == "reported"
    assert len(reports(fake_slack)) == 1


def _refused():
    from tests.fakes.http import Reply

    return Reply(200, {"ok": False, "error": "internal_error"})
