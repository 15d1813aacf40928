"""A template Meta pauses mid-campaign (issue 23): the send Meta refuses (132015) pauses the campaign and the channel
is told why; Meta's webhook says the same; Resume is refused while the template is paused; once Meta's webhook says
it is active again, Resume sends again the rows Meta refused while it was paused (those only, not other failures),
and every recipient is sent exactly once overall."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from metaops import messages
from store.models import Campaign, CampaignRecipient
from tests.bot.test_listeners_campaigns import PROMO, confirm, press, review_of
from tests.constants import PHONE_ID, WABA
from tests.fakes.meta_graph import VERSION, graph_error
from tests.helpers import connect_whatsapp, post_webhook, run_worker, until

RECIPIENTS = [f"54911555{i:05d}" for i in range(6)]


@pytest.fixture
def connected(rt, fake_graph, fake_slack):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    fake_graph.templates = [dict(PROMO)]
    rows = "".join(f"{p},C{i},10%\n" for i, p in enumerate(RECIPIENTS))
    fake_slack.share_file("F0PAUSE01", "list.csv", "text/csv", ("phone,body_1,body_2\n" + rows).encode())
    return rt


def template_webhook(event: str, **extra: Any) -> dict[str, Any]:
    """Meta's message_template_status_update for the campaign's template."""
    return {"object": "whatsapp_business_account", "entry": [{"id": WABA, "time": 1700000000, "changes": [{
        "field": "message_template_status_update", "value": {
            "event": event, "message_template_id": int(PROMO["id"]), "message_template_name": PROMO["name"],
            "message_template_language": PROMO["language"], "reason": None, **extra}}]}]}


PAUSED = template_webhook("PAUSED", other_info={
    "title": "FIRST_PAUSE", "description": "Your template was paused for 3 hours because of low quality."})


def set_status(fake_graph, status: str) -> None:
    next(t for t in fake_graph.templates if t["id"] == PROMO["id"])["status"] = status


def sends(fake_graph) -> Counter[str]:
    return Counter(s["to"] for s in fake_graph.sent if s.get("type") == "template")


def progress_message(fake_slack) -> dict:
    posted = next(m for m in fake_slack.messages if "Campaign Spring sale" in m["text"])
    return {**posted, "blocks": [e for e in fake_slack.edits if e["ts"] == posted["ts"]][-1]["blocks"]}


def rows(rt) -> dict[str, CampaignRecipient]:
    with rt.db.session() as s:
        found = {str(r.phone): r for r in s.scalars(select(CampaignRecipient))}
        s.expunge_all()
    return found


def state(rt) -> str:
    with rt.db.session() as s:
        return str(s.scalars(select(Campaign.state)).one())


def said(fake_slack, text: str) -> bool:
    return until(lambda: any(r.get("text") == text for r in fake_slack.responses()))


def test_paused_mid_campaign_then_resumed_sends_everyone_once(client, rt, connected, fake_slack, fake_graph):
    # the first send Meta refuses for good (not the template's fault): never retried
    fake_graph.fail_next(f"/{VERSION}/{PHONE_ID}/messages", graph_error(131009, "(#131009) Parameter value is not "
                                                                                 "valid", 400))

    def pause_after_two(sent: dict[str, Any], message_id: str) -> None:
        if len(sends(fake_graph)) == 2:
            set_status(fake_graph, "PAUSED")  # Meta pauses the template after the second message it took

    fake_graph.after_send = pause_after_two
    confirm(client, review_of(client, rt, fake_slack, file="F0PAUSE01"))
    run_worker(rt)
    assert state(rt) == "paused" and sum(sends(fake_graph).values()) == 2
    by_phone = rows(rt)
    assert by_phone[RECIPIENTS[0]].error_code == 131009
    assert [by_phone[p].state for p in RECIPIENTS] == ["failed", "sent", "sent", "failed", "pending", "pending"]
    assert by_phone[RECIPIENTS[3]].error_code == 132015
    assert any("stopped sending" in m["text"] and "Meta paused the template" in m["text"]
               for m in fake_slack.messages)
    stops = len([m for m in fake_slack.messages if "stopped sending" in m["text"]])

    post_webhook(client, PAUSED)  # Meta's webhook of the same pause: stored, said once
    run_worker(rt)
    assert len([m for m in fake_slack.messages if "stopped sending" in m["text"]]) == stops
    press(client, fake_slack, progress_message(fake_slack), "campaign_resume")  # still paused at Meta: refused
    assert said(fake_slack, messages.CAMPAIGN_TEMPLATE_STILL.format(template=PROMO["name"], state="paused"))
    run_worker(rt)
    assert state(rt) == "paused" and sum(sends(fake_graph).values()) == 2

    set_status(fake_graph, "APPROVED")
    post_webhook(client, template_webhook("APPROVED"))
    run_worker(rt)
    assert any("active again" in m["text"] and "Resume" in m["text"] for m in fake_slack.messages)
    press(client, fake_slack, progress_message(fake_slack), "campaign_resume", user="U_OWNER")
    assert until(lambda: any("go again" in m["text"] for m in fake_slack.messages))
    assert any("1 recipient(s) Meta refused while the template was paused go again" in m["text"]
               for m in fake_slack.messages)
    run_worker(rt)
    assert state(rt) == "done"
    counted = sends(fake_graph)
    assert set(counted) == set(RECIPIENTS[1:]) and max(counted.values()) == 1  # everyone once; the 131009 never
    by_phone = rows(rt)
    assert by_phone[RECIPIENTS[0]].state == "failed" and by_phone[RECIPIENTS[0]].error_code == 131009
    assert all(by_phone[p].state == "sent" for p in RECIPIENTS[1:])
    assert "1 recipient(s) Meta refused while the template was paused were sent again after Resume" in \
        str(progress_message(fake_slack)["blocks"])


def test_meta_pausing_the_template_pauses_a_scheduled_campaign(client, rt, connected, fake_slack, fake_graph):
    confirm(client, review_of(client, rt, fake_slack, file="F0PAUSE01", when=int(time.time()) + 3600))
    set_status(fake_graph, "PAUSED")
    post_webhook(client, PAUSED)
    run_worker(rt)
    assert state(rt) == "paused"
    with rt.db.session() as s:
        reason = s.scalars(select(Campaign.reason)).one()
    assert reason == messages.CAMPAIGN_TEMPLATE_PAUSED.format(
        reason="Your template was paused for 3 hours because of low quality.")
    assert any("stopped sending" in m["text"] and "low quality" in m["text"] for m in fake_slack.messages)
    assert not sends(fake_graph)
    post_webhook(client, template_webhook("DISABLED"))  # then disabled: Resume stays refused
    run_worker(rt)
    press(client, fake_slack, progress_message(fake_slack), "campaign_resume")
    assert said(fake_slack, messages.CAMPAIGN_TEMPLATE_STILL.format(template=PROMO["name"], state="disabled"))
    assert state(rt) == "paused"
