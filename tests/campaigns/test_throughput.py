"""Meta's throughput (issue 23): past it Meta answers 130429 and takes nothing; the campaign waits and sends the
refused row again, so every recipient is still sent exactly once."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from store.models import Campaign, CampaignRecipient
from tests.bot.test_listeners_campaigns import confirm, connected, review_of  # noqa: F401 - fixture
from tests.helpers import run_worker


def test_past_metas_throughput_rows_wait_and_go_once(client, rt, connected, fake_slack, fake_graph):  # noqa: F811
    fake_graph.throughput = 1  # one message a second for this number
    confirm(client, review_of(client, rt, fake_slack))
    run_worker(rt)
    assert fake_graph.throttled >= 1  # Meta refused some: 130429
    sent = Counter(s["to"] for s in fake_graph.sent if s.get("type") == "template")
    assert sorted(sent) == ["15551230000", "4312345678", "5491155550001"] and max(sent.values()) == 1
    with rt.db.session() as s:
        assert s.scalars(select(Campaign.state)).one() == "done"
        assert {r.state for r in s.scalars(select(CampaignRecipient))} == {"sent"}
