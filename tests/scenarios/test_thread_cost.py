"""What a conversation has cost so far, on its thread root (issue 23, point 5): the statuses Meta sends for the
team's replies carry their pricing; the root's cost line counts the billed ones by category with the rate card's
estimate for the customer's market, and the free ones. Signed webhooks and Slack events, the real worker, the fakes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from store.models import OutboundMessage
from tests.helpers import connect_whatsapp, fixture, post_webhook, run_worker, slack_event, wa_message, wa_payload

pytestmark = pytest.mark.both_databases  # grouped by UTC day in SQL: date() on both
ARGENTINA = "5491155550001"  # on the shipped rate card: marketing USD 0.0618
UNITED_STATES = "15551234567"  # North America is not


def _thread(client, rt, fake_slack, fake_graph, phone: str) -> str:
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    post_webhook(client, wa_payload([wa_message("wamid.IN1", phone, "Hi, is it in stock?")]))
    run_worker(rt)
    [root] = fake_slack.messages
    return str(root["ts"])


def _reply(client, rt, thread: str, n: int) -> str:
    slack_event(client, {"type": "message", "channel": "C_CONNECT", "user": "U_ADMIN", "text": f"Answer {n}",
                         "ts": f"1700000100.00020{n}", "thread_ts": thread, "team": "T1"})
    run_worker(rt)
    with rt.db.session() as s:
        return str(s.scalars(select(OutboundMessage.id).where(OutboundMessage.slack_ts == f"1700000100.00020{n}"))
                   .one())


def _status(client, rt, message_id: str, kind: str, category: str, status: str = "delivered") -> None:
    post_webhook(client, fixture("whatsapp/status_delivered_priced.json", id=message_id, status=status,
                                 pricing={"type": kind, "category": category}))
    run_worker(rt)


def _blocks(fake_slack, ts: str) -> list[dict[str, Any]]:
    [m] = [m for m in fake_slack.messages if m["ts"] == ts]
    return json.loads(m["blocks"]) if isinstance(m.get("blocks"), str) else m.get("blocks") or []


def cost_line(fake_slack, ts: str) -> str | None:
    lines = [b for b in _blocks(fake_slack, ts) if b.get("block_id") == "conversation_cost"]
    assert len(lines) <= 1
    return str(lines[0]["elements"][0]["text"]) if lines else None


def test_the_root_counts_billed_and_free_messages_with_the_rate_cards_estimate(client, rt, fake_slack, fake_graph):
    root = _thread(client, rt, fake_slack, fake_graph, ARGENTINA)
    first = _reply(client, rt, root, 1)
    assert cost_line(fake_slack, root) is None  # no status has priced anything yet

    _status(client, rt, first, "regular", "marketing")
    line = cost_line(fake_slack, root)
    assert line == ":moneybag: So far Meta bills *1* message(s) of this conversation (marketing 1), about USD 0.06 " \
                   "(rate card)"

    second = _reply(client, rt, root, 2)
    _status(client, rt, second, "free_customer_service", "service")
    assert cost_line(fake_slack, root) == line + " · 1 free"
    ids = [b.get("block_id") for b in _blocks(fake_slack, root)]
    assert ids.index("conversation_state") < ids.index("conversation_cost") < ids.index("conversation_actions")
    assert "Hi, is it in stock?" in json.dumps(_blocks(fake_slack, root)[0])  # the customer's message stays first


def test_statuses_that_change_nothing_billed_leave_the_root_alone(client, rt, fake_slack, fake_graph):
    root = _thread(client, rt, fake_slack, fake_graph, ARGENTINA)
    message_id = _reply(client, rt, root, 1)
    _status(client, rt, message_id, "regular", "utility")
    edits = len(fake_slack.edits)
    _status(client, rt, message_id, "regular", "utility", status="read")  # the same pricing again
    post_webhook(client, fixture("whatsapp/status_read.json", id=message_id))  # no pricing at all
    run_worker(rt)
    assert len(fake_slack.edits) == edits
    assert cost_line(fake_slack, root) == ":moneybag: So far Meta bills *1* message(s) of this conversation " \
                                          "(utility 1), about USD 0.03 (rate card)"


def test_a_market_not_on_the_rate_card_is_counted_and_said(client, rt, fake_slack, fake_graph):
    root = _thread(client, rt, fake_slack, fake_graph, UNITED_STATES)
    _status(client, rt, _reply(client, rt, root, 1), "regular", "marketing")
    assert cost_line(fake_slack, root) == ":moneybag: So far Meta bills *1* message(s) of this conversation " \
                                          "(marketing 1); part of it not on the rate card"


def test_only_free_messages(client, rt, fake_slack, fake_graph):
    root = _thread(client, rt, fake_slack, fake_graph, UNITED_STATES)
    _status(client, rt, _reply(client, rt, root, 1), "free_customer_service", "service")
    assert cost_line(fake_slack, root) == ":free: So far Meta bills nothing in this conversation (1 free message(s))"
