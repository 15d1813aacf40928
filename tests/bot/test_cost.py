"""`/meta cost [DAYS]` (issue 23, point 5): per day, number and category, paid and free, from the pricing Meta's
statuses reported on replies and on campaign messages, with the rate card's estimate and a chart."""

from __future__ import annotations

from datetime import timedelta

import pytest

from metaops import messages
from store.models import Campaign, CampaignRecipient, ContactThread, OutboundMessage
from store.timestamps import utcnow
from tests.bot.test_metrics_chart import later, uploads
from tests.constants import PHONE_ID
from tests.helpers import connect_whatsapp

pytestmark = pytest.mark.both_databases  # grouped by UTC day in SQL: date() on both


def seed(rt) -> None:
    now = utcnow()
    with rt.db.session() as s:
        c = Campaign(team_id="T1", name="Spring", created_by="U_ADMIN", channel_id="C1", phone_number_id=PHONE_ID,
                     template_id="1", template_name="spring_sale", language="en", category="MARKETING",
                     state="done", summary={})
        s.add(c)
        s.flush()
        for line, phone, kind in ((2, "5491155550001", "regular"), (3, "4312345678", "regular"),
                                  (4, "15551230000", "regular"), (5, "5491155550002", "free_entry_point")):
            s.add(CampaignRecipient(campaign_id=c.id, line=line, phone=phone, values={}, state="sent",
                                    message_id=f"wamid.C{line}", sent_at=now, pricing_type=kind,
                                    pricing_category="marketing"))
        s.add(ContactThread(team_id="T1", business_id=PHONE_ID, contact="5491155550003", platform="whatsapp",
                            channel_id="C1", root_ts="1.0"))
        s.add(OutboundMessage(id="wamid.R1", team_id="T1", platform="whatsapp", channel_id="C1", thread_ts="1.0",
                              slack_ts="1.1", status="read", pricing_model="PMP", pricing_type="free_customer_service",
                              pricing_category="service", created_at=now))
        s.add(OutboundMessage(id="wamid.OLD", team_id="T1", platform="whatsapp", channel_id="C1", thread_ts="1.0",
                              slack_ts="1.2", status="read", pricing_model="PMP", pricing_type="regular",
                              pricing_category="utility", created_at=now - timedelta(days=30)))


def test_cost_per_day_number_and_category_with_a_chart(client, rt, fake_slack, fake_graph):
    connect_whatsapp(rt, token=fake_graph.issue_token())
    seed(rt)
    answer = later(client, fake_slack, "cost 7", user="U_MEMBER")["text"]
    day = f"{utcnow():%Y-%m-%d}"
    assert f"{day}  marketing                          3       1" in answer
    assert f"{day}  service                            0       1" in answer
    assert "utility" not in answer  # 30 days ago: outside the period
    assert f"`{PHONE_ID}` 3 paid / 2 free" in answer
    assert "*3* paid message(s), estimated *USD 0.12* from the rate card; 1 in markets" in answer
    [(asked, png)] = uploads(fake_slack)
    assert asked["filename"] == "whatsapp-cost-7d.png" and png.startswith(b"\x89PNG")


def test_cost_usage_and_empty(client, rt, fake_slack, fake_graph):
    connect_whatsapp(rt, token=fake_graph.issue_token())
    assert later(client, fake_slack, "cost 0")["text"] == messages.COST_USAGE.format(max=90)
    assert later(client, fake_slack, "cost")["text"] == messages.COST_EMPTY.format(days=7)


def test_the_home_tab_shows_this_months_total(client, rt, fake_slack, fake_graph):
    from tests.bot.test_home import open_home, text_of

    connect_whatsapp(rt, token=fake_graph.issue_token())
    assert messages.HOME_COST_NONE in text_of(open_home(client, fake_slack, "U_MEMBER"))
    seed(rt)  # three paid campaign messages this month (two priced), two free; a paid reply 30 days ago
    text = text_of(open_home(client, fake_slack, "U_MEMBER", 2))
    assert f"WhatsApp cost, {utcnow():%B %Y}" in text
    old = utcnow() - timedelta(days=30)
    if old.month == utcnow().month:  # the 31st: the old reply (Argentina, utility 0.0289) is this month's too
        assert "*4* paid message(s) (marketing 3, utility 1), about *USD 0.15* from the rate card" in text
    else:
        assert "*3* paid message(s) (marketing 3), about *USD 0.12* from the rate card" in text
    assert "*2* free" in text
