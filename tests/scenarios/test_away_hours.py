"""Away messages (issue 22, point 4) through Meta's and Slack's wire formats: signed webhooks, the real worker, the
fakes, and the runtime's clock set by the test. Once per conversation per closed period, whatever retries or a dead
worker do; never outside Meta's rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from metaops import jobs
from metaops.away import config
from metaops.away.schedule import Hours
from metaops.templates import catalog
from store.models import Customer, DedupeKey, OutboundMessage
from tests.constants import PHONE_ID
from tests.helpers import connect_page, connect_whatsapp, post_webhook, run_worker, wa_message, wa_payload

WEEKDAYS = {d: ((9 * 60, 17 * 60),) for d in range(5)}
TEXT = "Thanks for writing! We are closed and answer from 9:00."
GREETING = {"id": "900000000000001", "name": "closed_now", "language": "en_US", "category": "UTILITY",
            "status": "APPROVED", "components": [{"type": "BODY", "text": "We are closed; we answer from 9:00."}]}


@pytest.fixture
def now(rt):
    """The runtime's clock, held and moved by the test: Monday 2026-06-08 20:00 UTC (22:00 in Paris)."""
    held = [datetime(2026, 6, 8, 20, 0)]
    rt.now = lambda: held[0]
    return held


def set_hours(rt, business_id, hours, message=TEXT, template_id=None, enabled=True):
    found = config.asset(rt, "T1", business_id)
    assert found is not None
    config.save(rt, "T1", found, "U_ADMIN", enabled, hours, message, template_id)


@pytest.fixture
def number(rt, fake_graph, now):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    set_hours(rt, PHONE_ID, Hours("Europe/Paris", WEEKDAYS, frozenset({date(2026, 6, 10)})))
    return PHONE_ID


def customer_writes(client, rt, wamid, text="Hello?"):
    post_webhook(client, wa_payload([wa_message(wamid, "15551234567", text)]))
    run_worker(rt)


def away_lines(fake_slack):
    return [m for m in fake_slack.messages if m.get("thread_ts") and ":crescent_moon:" in m["text"]]


def away_sent(fake_graph):
    return [s for s in fake_graph.sent if s.get("body") == TEXT or s.get("type") == "template"]


def test_once_per_closed_period_across_midnight_and_again_in_the_next(client, rt, fake_slack, fake_graph, number,
                                                                       now):
    customer_writes(client, rt, "wamid.A1")  # Monday 22:00 in Paris: closed since 17:00
    [sent] = away_sent(fake_graph)
    assert sent == {"from": PHONE_ID, "to": "15551234567", "body": TEXT, "kind": "whatsapp"}
    [line] = away_lines(fake_slack)
    root = fake_slack.messages[0]["ts"]
    assert line["thread_ts"] == root and line["text"].startswith(":crescent_moon: Away message sent: “Thanks")
    assert "until Tue Jun 9 09:00 Europe/Paris" in line["text"]
    assert fake_slack.reactions_on(line["ts"]) == ["white_check_mark"]

    now[0] = datetime(2026, 6, 8, 23, 30)  # 01:30 on Tuesday: the same closed period
    customer_writes(client, rt, "wamid.A2")
    now[0] = datetime(2026, 6, 9, 8, 0)  # 10:00: open
    customer_writes(client, rt, "wamid.A3")
    assert len(away_sent(fake_graph)) == 1 and len(away_lines(fake_slack)) == 1

    now[0] = datetime(2026, 6, 9, 16, 0)  # Tuesday 18:00, then Wednesday, a holiday: one period until Thursday
    customer_writes(client, rt, "wamid.A4")
    now[0] = datetime(2026, 6, 10, 10, 0)
    customer_writes(client, rt, "wamid.A5")
    assert len(away_sent(fake_graph)) == 2
    assert "until Thu Jun 11 09:00" in away_lines(fake_slack)[-1]["text"]


def test_the_away_message_never_answers_the_thread_and_follows_metas_statuses(client, rt, fake_slack, fake_graph,
                                                                                number):
    customer_writes(client, rt, "wamid.A1")
    [line] = away_lines(fake_slack)
    with rt.db.session() as s:
        out = s.scalars(select(OutboundMessage)).one()
    assert out.slack_ts == line["ts"]
    post_webhook(client, wa_payload([], statuses=[{"id": out.id, "status": "delivered", "timestamp": "2",
                                                   "recipient_id": "15551234567"}]))
    run_worker(rt)
    assert fake_slack.reactions_on(line["ts"]) == ["incoming_envelope"]
    assert fake_graph.read == []  # nobody read it: the customer's message stays unread for the team


def test_retries_and_a_dead_worker_never_send_it_twice(client, rt, fake_slack, fake_graph, number, now):
    args = {"team_id": "T1", "platform": "whatsapp", "business_id": PHONE_ID, "channel": "C_CONNECT"}
    customer_writes(client, rt, "wamid.A1")
    root = fake_slack.messages[0]["ts"]
    with rt.db.session() as s:
        contact = f"customer:{s.scalars(select(Customer.id)).one()}"
    job = {**args, "contact": contact, "thread_ts": root, "wrote_at": now[0].isoformat()}
    assert jobs.send_away(**job) == "already sent this period"  # a retry, or the job queued twice

    now[0] = datetime(2026, 6, 9, 16, 0)  # the next closed period: a worker claimed it and died before sending
    key = f"away:T1:{PHONE_ID}:{contact}:2026-06-09T15:00:00"
    with rt.db.session() as s:
        s.execute(insert(DedupeKey).values(key=key, state="claimed", claimed_at=now[0], owner="dead-worker"))
    assert jobs.send_away(**job) == "sent"  # its claim taken over: the owner's heartbeat is gone
    assert jobs.send_away(**job) == "already sent this period"
    assert len(away_sent(fake_graph)) == 2


def test_outside_the_24_hour_window_a_chosen_template_or_nothing(client, rt, fake_slack, fake_graph, number, now):
    fake_graph.templates = [dict(GREETING)]
    catalog.sync(rt, "T1")
    set_hours(rt, PHONE_ID, Hours("UTC", {}), template_id=GREETING["id"])  # never open
    customer_writes(client, rt, "wamid.A1")
    assert len(away_sent(fake_graph)) == 1
    root = fake_slack.messages[0]["ts"]
    with rt.db.session() as s:
        contact = f"customer:{s.scalars(select(Customer.id)).one()}"
    wrote = now[0]
    now[0] = wrote + timedelta(hours=25)  # the job ran late: the window closed, Meta wants a template
    set_hours(rt, PHONE_ID, Hours("UTC", {}), template_id=GREETING["id"])  # saved again: a new period
    job = {"team_id": "T1", "platform": "whatsapp", "business_id": PHONE_ID, "contact": contact,
           "channel": "C_CONNECT", "thread_ts": root, "wrote_at": wrote.isoformat()}
    assert jobs.send_away(**job) == "sent"
    assert fake_graph.sent[-1]["template"] == {"name": "closed_now", "language": {"code": "en_US"}}
    assert away_lines(fake_slack)[-1]["text"].startswith(":crescent_moon: Away template *closed_now* sent")

    now[0] += timedelta(minutes=1)
    set_hours(rt, PHONE_ID, Hours("UTC", {}))  # no template chosen: nothing goes, and the thread says why
    assert jobs.send_away(**job) == "skipped"
    assert len(away_sent(fake_graph)) == 2 and "no template is chosen" in away_lines(fake_slack)[-1]["text"]


def test_open_off_or_groups_get_nothing(client, rt, fake_slack, fake_graph, number, now):
    now[0] = datetime(2026, 6, 9, 8, 0)  # Tuesday 10:00 in Paris: open
    customer_writes(client, rt, "wamid.A1")
    now[0] = datetime(2026, 6, 9, 20, 0)
    set_hours(rt, PHONE_ID, Hours("Europe/Paris", WEEKDAYS), enabled=False)
    customer_writes(client, rt, "wamid.A2")
    assert away_sent(fake_graph) == [] and away_lines(fake_slack) == []


def test_messenger_within_24_hours_as_a_response_only(client, rt, fake_slack, fake_graph, now):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    connect_page(rt, fake_graph.issue_token("page", expires_in=0))
    set_hours(rt, "PAGE1", Hours("UTC", WEEKDAYS))  # Monday 20:00 UTC: closed
    post_webhook(client, {"object": "page", "entry": [{"id": "PAGE1", "time": 1, "messaging": [{
        "sender": {"id": "PSID777"}, "recipient": {"id": "PAGE1"}, "timestamp": 1,
        "message": {"mid": "m_in", "text": "anyone there?"}}]}]})
    run_worker(rt)
    [sent] = [s for s in fake_graph.sent if s["kind"] == "page"]
    assert sent == {"from": "PAGE1", "to": "PSID777", "body": TEXT, "kind": "page"}
    send = next(c for c in fake_graph.calls if c.path == "/v26.0/PAGE1/messages" and "message" in c.params)
    assert send.params["messaging_type"] == "RESPONSE" and "tag" not in send.params
    root = fake_slack.messages[0]["ts"]

    wrote = now[0]
    now[0] = wrote + timedelta(hours=25)  # the job ran a day late
    set_hours(rt, "PAGE1", Hours("UTC", {}))  # saved again: a new period
    assert jobs.send_away(team_id="T1", platform="messenger", business_id="PAGE1", contact="PSID777",
                          channel="C_CONNECT", thread_ts=root, wrote_at=wrote.isoformat()) == "skipped"
    assert len([s for s in fake_graph.sent if s["kind"] == "page"]) == 1
    assert "more than 24 hours" in away_lines(fake_slack)[-1]["text"]
