"""The part of a campaign over the portfolio's messaging limit is held back (issue 23): the review says how many
and from when; the campaign sends up to the limit, holds the rest (rows `held`, on the progress message with a
Cancel held button) and sends them when the rolling 24 hours make room, each recipient once; or an admin cancels
them."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from metaops import messages
from metaops.campaigns import sender
from store.models import Campaign, CampaignRecipient
from store.timestamps import utcnow
from tests.bot.test_listeners_campaigns import PROMO, confirm, press, review_of, text_of
from tests.constants import PHONE_ID, WABA
from tests.helpers import connect_whatsapp, run_worker, until

pytestmark = pytest.mark.both_databases  # the window's count (distinct customers, oldest send) is SQL on each
EARLIER = 10  # customers an earlier campaign reached 2 hours ago
ROWS = 45  # this campaign's: 40 fit in what the window leaves, 5 are held back


@pytest.fixture
def connected(rt, fake_graph, fake_slack):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    fake_graph.templates = [dict(PROMO)]
    fake_graph.phones[WABA][0]["whatsapp_business_manager_messaging_limit"] = "TIER_50"
    two_hours_ago = utcnow() - timedelta(hours=2)
    with rt.db.session() as s:
        c = Campaign(team_id="T1", name="Earlier", created_by="U_ADMIN", channel_id="C_CONNECT",
                     phone_number_id=PHONE_ID, template_id=PROMO["id"], template_name=PROMO["name"], language="pt_BR",
                     category="MARKETING", state="done", summary={}, reported_at=two_hours_ago)
        s.add(c)
        s.flush()
        for i in range(EARLIER):
            s.add(CampaignRecipient(campaign_id=c.id, line=i + 2, phone=f"54911000{i:05d}", values={}, state="sent",
                                    message_id=f"wamid.EARLIER{i}", status="read", sent_at=two_hours_ago,
                                    replied=False))
    rows = "".join(f"54911555{i:05d},C{i},10%\n" for i in range(ROWS))
    fake_slack.share_file("F0LIMIT01", "many.csv", "text/csv", ("phone,body_1,body_2\n" + rows).encode())
    return two_hours_ago


def sends(fake_graph) -> Counter[str]:
    return Counter(s["to"] for s in fake_graph.sent if s.get("type") == "template")


def progress_message(fake_slack) -> dict:
    posted = next(m for m in fake_slack.messages if "Campaign Spring sale" in m["text"])
    return {**posted, "blocks": [e for e in fake_slack.edits if e["ts"] == posted["ts"]][-1]["blocks"]}


def campaign(rt) -> Campaign:
    with rt.db.session() as s:
        c = s.scalars(select(Campaign).where(Campaign.name == "Spring sale")).one()
        s.expunge(c)
        return c


def row_states(rt) -> Counter[str]:
    c = campaign(rt)
    with rt.db.session() as s:
        return Counter(s.scalars(select(CampaignRecipient.state).where(CampaignRecipient.campaign_id == c.id)))


def held_back(client, rt, fake_slack, fake_graph) -> None:
    review = review_of(client, rt, fake_slack, file="F0LIMIT01")
    shown = text_of(review)
    assert "Messaging limit: 50 customers a day; this campaign uses 90% of it; 10 reached in the last 24 hours" \
        in shown
    assert re.search(r"\*5\* held back: over the messaging limit; they go from <!date\^\d+\^", shown)
    confirm(client, review)
    run_worker(rt)
    assert len(sends(fake_graph)) == ROWS - 5
    assert row_states(rt) == {"sent": 40, "held": 5}
    c = campaign(rt)
    assert c.state == "sending" and c.held_until is not None
    assert abs((c.held_until - (utcnow() + timedelta(hours=22))).total_seconds()) < 60  # the earlier sends age out
    shown = str(progress_message(fake_slack)["blocks"])
    assert "5 held back: over the messaging limit; they go from <!date^" in shown and "Cancel held" in shown
    assert "40 / 45" in str(progress_message(fake_slack)["blocks"])
    assert sender.resume_all(rt) == 0  # the clock's sweep leaves it to its time


def test_over_the_limit_is_held_and_sent_when_the_window_makes_room(client, rt, connected, fake_slack, fake_graph):
    held_back(client, rt, fake_slack, fake_graph)
    run_worker(rt)  # nothing due: the job waits for held_until
    assert len(sends(fake_graph)) == 40
    day_ago = utcnow() - timedelta(hours=24, minutes=1)  # a day passes: the earlier campaign's sends age out
    with rt.db.session() as s:
        s.execute(update(CampaignRecipient).where(CampaignRecipient.message_id.like("wamid.EARLIER%"))
                  .values(sent_at=day_ago, updated_at=day_ago))
        s.execute(update(Campaign).where(Campaign.name == "Spring sale").values(held_until=utcnow()))
    assert sender.resume_all(rt) == 1
    run_worker(rt)
    assert row_states(rt) == {"sent": 45}
    assert campaign(rt).state == "done"
    counted = sends(fake_graph)
    assert len(counted) == ROWS and max(counted.values()) == 1  # every recipient once
    assert "held back" not in str(progress_message(fake_slack)["blocks"])


def test_only_what_the_window_frees_goes(client, rt, connected, fake_slack, fake_graph):
    held_back(client, rt, fake_slack, fake_graph)
    with rt.db.session() as s:  # 3 of the 10 earlier customers age out: room for 3 of the 5 held
        ids = list(s.scalars(select(CampaignRecipient.id).where(CampaignRecipient.message_id.like("wamid.EARLIER%"))
                             .limit(3)))
        day_ago = utcnow() - timedelta(hours=25)
        s.execute(update(CampaignRecipient).where(CampaignRecipient.id.in_(ids)).values(sent_at=day_ago,
                                                                                      updated_at=day_ago))
        s.execute(update(Campaign).where(Campaign.name == "Spring sale").values(held_until=utcnow()))
    sender.resume_all(rt)
    run_worker(rt)
    assert row_states(rt) == {"sent": 43, "held": 2}
    assert len(sends(fake_graph)) == 43 and campaign(rt).state == "sending"


def test_an_admin_cancels_the_held_rows(client, rt, connected, fake_slack, fake_graph):
    held_back(client, rt, fake_slack, fake_graph)
    message = progress_message(fake_slack)
    press(client, fake_slack, message, "campaign_cancel_held", user="U_MEMBER")  # not an admin: refused
    assert fake_slack.responses()[-1]["text"] == messages.NOT_ALLOWED
    assert row_states(rt)["held"] == 5
    press(client, fake_slack, message, "campaign_cancel_held")
    assert until(lambda: row_states(rt) == {"sent": 40, "cancelled": 5})
    run_worker(rt)  # the job it queued ends the campaign: nothing is left to send
    assert campaign(rt).state == "done" and len(sends(fake_graph)) == 40
    assert any("cancelled the 5 recipient(s) held back" in m["text"] for m in fake_slack.messages)
    assert "5 held back over the messaging limit were cancelled" in str(progress_message(fake_slack)["blocks"])
    press(client, fake_slack, message, "campaign_cancel_held")  # pressed again: nothing is held any more
    assert until(lambda: any(r.get("text") == messages.CAMPAIGN_NOTHING_HELD for r in fake_slack.responses()))
