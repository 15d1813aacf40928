"""Working a conversation end to end (issue 22, points 1, 2 and 6), through Slack's and Meta's wire formats: signed
webhooks, signed Slack requests, the worker and the clock's jobs, the fakes."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from metaops import create_app, jobs, runtime
from metaops import inbox_messages as texts
from metaops.conversation import state_root
from store import conversations
from store.timestamps import utcnow
from tests.helpers import (
    connect_page,
    connect_whatsapp,
    interact,
    later,
    post_webhook,
    run_worker,
    slack_event,
    slash_command,
    wa_message,
    wa_payload,
)

CHANNEL = "C_CONNECT"


def customer_writes(client: Any, rt: Any, wamid: str, text: str) -> None:
    post_webhook(client, wa_payload([wa_message(wamid, "15551234567", text)]))
    run_worker(rt)


def the_root(fake_slack: Any) -> str:
    [root] = [m for m in fake_slack.messages if not m.get("thread_ts")]
    return str(root["ts"])


def in_thread(fake_slack: Any, root: str) -> list[str]:
    return [str(m.get("text")) for m in fake_slack.messages if m.get("thread_ts") == root]


def press(client: Any, root: str, action_id: str, user: str = "U_MEMBER") -> Any:
    return interact(client, {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": user, "team_id": "T1"},
                             "api_app_id": "A1", "trigger_id": "1.2",
                             "container": {"type": "message", "message_ts": root, "channel_id": CHANNEL},
                             "channel": {"id": CHANNEL}, "message": {"ts": root, "type": "message"},
                             "actions": [{"action_id": action_id, "type": "button", "value": root,
                                          "block_id": "conversation_actions", "action_ts": "1700000000.1"}]})


def until(predicate: Any, timeout: float = 10.0) -> None:
    """Bolt answers a button once it is acknowledged; the change follows in the listener."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.02)
    assert predicate()


def state_is(rt: Any, root: str, **expected: Any) -> Any:
    def check() -> bool:
        state = conversations.get(rt.db.engine, CHANNEL, root)
        return state is not None and all(getattr(state, k) == v for k, v in expected.items())
    return check


@pytest.fixture
def thread(client, rt, fake_slack, fake_graph) -> str:
    connect_whatsapp(rt, channel=CHANNEL, token=fake_graph.issue_token())
    customer_writes(client, rt, "wamid.IN1", "Where is my order?")
    return the_root(fake_slack)


def test_a_customer_message_reopens_a_resolved_conversation_and_says_so(client, rt, thread, fake_slack):
    assert press(client, thread, state_root.RESOLVE_ACTION).status_code == 200
    until(state_is(rt, thread, status="resolved"))
    run_worker(rt)
    customer_writes(client, rt, "wamid.IN2", "It still has not come")
    state = conversations.get(rt.db.engine, CHANNEL, thread)
    assert state.status == "open" and state.change == "customer" and state.waiting_since is not None
    assert texts.NOTE_REOPENED in in_thread(fake_slack, thread)
    [root] = [m for m in fake_slack.messages if m["ts"] == thread]
    assert "Reopened by the customer's message" in json.dumps(root["blocks"])
    assert "Reply window open until" in json.dumps(root["blocks"])  # the other line of the root is kept


def test_a_snooze_ends_and_the_conversation_opens_again(client, rt, thread, fake_slack):
    state = conversations.get(rt.db.engine, CHANNEL, thread)
    conversations.snooze(rt.db.engine, state, utcnow() + timedelta(minutes=30), "U_MEMBER", utcnow())
    assert jobs.wake_snoozed() == 0  # not yet
    rt.now = lambda: utcnow() + timedelta(hours=1)
    assert jobs.wake_snoozed() == 1
    run_worker(rt)
    assert conversations.get(rt.db.engine, CHANNEL, thread).status == "open"
    assert texts.NOTE_SNOOZE_ENDED in in_thread(fake_slack, thread)
    assert jobs.wake_snoozed() == 0  # once


def test_a_customer_message_on_a_snoozed_conversation_reopens_it(client, rt, thread, fake_slack):
    state = conversations.get(rt.db.engine, CHANNEL, thread)
    conversations.snooze(rt.db.engine, state, utcnow() + timedelta(hours=3), "U_MEMBER", utcnow())
    customer_writes(client, rt, "wamid.IN2", "Hello?")
    assert conversations.get(rt.db.engine, CHANNEL, thread).status == "open"
    assert texts.NOTE_REOPENED in in_thread(fake_slack, thread)


def test_the_first_reply_claims_an_unclaimed_conversation_and_it_waits_on_the_customer(client, rt, thread,
                                                                                       fake_slack, fake_graph):
    slack_event(client, {"type": "message", "user": "U_MEMBER", "text": "It ships today", "ts": "1700000500.000100",
                         "thread_ts": thread, "channel": CHANNEL, "team": "T1"}, event_id="EvReply1")
    run_worker(rt)
    assert [m["body"] for m in fake_graph.sent] == ["It ships today"]
    state = conversations.get(rt.db.engine, CHANNEL, thread)
    assert (state.owner, state.status, state.waiting_since) == ("U_MEMBER", "waiting", None)
    assert state.first_response_at is not None
    assert int(rt.redis.hget("metaops:metrics", "first_response_seconds_count")) == 1
    [root] = [m for m in fake_slack.messages if m["ts"] == thread]
    assert "Waiting on the customer* (claimed by <@U_MEMBER>)" in json.dumps(root["blocks"])
    slack_event(client, {"type": "message", "user": "U_ADMIN", "text": "And a tracking link", "ts": "1700000600.1",
                         "thread_ts": thread, "channel": CHANNEL, "team": "T1"}, event_id="EvReply2")
    run_worker(rt)
    assert conversations.get(rt.db.engine, CHANNEL, thread).owner == "U_MEMBER"  # a later reply claims nothing
    assert int(rt.redis.hget("metaops:metrics", "first_response_seconds_count")) == 1


def test_the_customer_answering_opens_the_conversation_again_and_it_stays_open(client, rt, thread, fake_slack):
    slack_event(client, {"type": "message", "user": "U_MEMBER", "text": "It ships today", "ts": "1700000500.000100",
                         "thread_ts": thread, "channel": CHANNEL, "team": "T1"}, event_id="EvReply1")
    run_worker(rt)
    customer_writes(client, rt, "wamid.IN2", "When does it arrive?")
    state = conversations.get(rt.db.engine, CHANNEL, thread)
    assert (state.status, state.owner, state.change) == ("open", "U_MEMBER", "claimed")
    waiting_since = state.waiting_since
    assert waiting_since is not None and state.last_customer_at == waiting_since
    [root] = [m for m in fake_slack.messages if m["ts"] == thread]
    assert "Claimed by <@U_MEMBER>" in json.dumps(root["blocks"])  # the root follows: no longer waiting on them
    rt.now = lambda: utcnow() + timedelta(minutes=5)
    customer_writes(client, rt, "wamid.IN3", "Hello?")
    state = conversations.get(rt.db.engine, CHANNEL, thread)  # open: they still wait since their first unanswered
    assert (state.status, state.waiting_since) == ("open", waiting_since) and state.last_customer_at > waiting_since


@pytest.mark.both_databases  # two claims at once: one conditional UPDATE wins
def test_two_members_claiming_at_once_leave_one_owner(rt, thread):
    state = conversations.get(rt.db.engine, CHANNEL, thread)
    start, won = threading.Barrier(8), []

    def claim(user: str) -> None:
        start.wait()
        if conversations.claim(rt.db.engine, state, user, utcnow()):
            won.append(user)

    workers = [threading.Thread(target=claim, args=(f"U{n}",)) for n in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(won) == 1 and conversations.get(rt.db.engine, CHANNEL, thread).owner == won[0]


def test_meta_inbox_lists_mine_and_the_unclaimed_waiting_longest(client, rt, thread, fake_slack, fake_graph):
    post_webhook(client, wa_payload([wa_message("wamid.B1", "15557654321", "Second customer")]))
    run_worker(rt)
    second = [m["ts"] for m in fake_slack.messages if not m.get("thread_ts") and m["ts"] != thread][0]
    press(client, second, state_root.CLAIM_ACTION)
    until(state_is(rt, second, owner="U_MEMBER"))
    answer = later(client, fake_slack, "inbox", user="U_MEMBER")
    shown = json.dumps(answer["blocks"])
    mine, unclaimed = (b["text"]["text"] for b in answer["blocks"][1:3])
    assert f"p{second.replace('.', '')}" in mine and texts.INBOX_MINE.format(count=1) in mine
    assert f"p{thread.replace('.', '')}" in unclaimed and "reply window 23 h" in unclaimed
    assert "waiting since <!date^" in shown
    other = later(client, fake_slack, "inbox", user="U_ADMIN")
    assert texts.INBOX_NONE_MINE in json.dumps(other["blocks"])


def test_the_home_tab_shows_the_inbox(client, rt, thread, fake_slack):
    slack_event(client, {"type": "app_home_opened", "user": "U_MEMBER", "channel": "D1", "tab": "home"},
                event_id="EvHomeInbox")
    view = fake_slack.wait_for_publish()["view"]
    headers = [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]
    assert texts.HOME_INBOX in headers
    assert f"p{thread.replace('.', '')}" in json.dumps(view["blocks"])


def test_metrics_show_the_conversations_gauges_and_histograms(config, fake_slack, fake_graph):
    app = create_app({**config, "METRICS_TOKEN": "tok-22"})
    rt, client = app.extensions["metaops"], app.test_client()
    try:
        connect_whatsapp(rt, channel=CHANNEL, token=fake_graph.issue_token())
        customer_writes(client, rt, "wamid.IN1", "Hi")
        root = the_root(fake_slack)
        press(client, root, state_root.CLAIM_ACTION)
        until(state_is(rt, root, owner="U_MEMBER"))
        body = client.get("/metrics", headers={"Authorization": "Bearer tok-22"}).get_data(as_text=True)
        got = {s.name: s.value for f in text_string_to_metric_families(body) for s in f.samples if not s.labels}
        assert (got["metaops_conversations_open"], got["metaops_conversations_claimed"],
                got["metaops_conversations_snoozed"]) == (1, 1, 0)
        press(client, root, state_root.RESOLVE_ACTION)
        until(lambda: rt.redis.hget("metaops:metrics", "time_to_resolve_seconds_count") is not None)
        body = client.get("/metrics", headers={"Authorization": "Bearer tok-22"}).get_data(as_text=True)
        got = {s.name: s.value for f in text_string_to_metric_families(body) for s in f.samples if not s.labels}
        assert got["metaops_conversations_open"] == 0 and got["metaops_time_to_resolve_seconds_count"] == 1
        assert "metaops_first_response_seconds_bucket" in body
    finally:
        rt.db.dispose()
        rt.redis.close()
        runtime.install(None)


def test_meta_metrics_charts_the_conversations_per_day(client, rt, thread, fake_slack, fake_graph):
    slack_event(client, {"type": "message", "user": "U_MEMBER", "text": "On its way", "ts": "1700000500.000100",
                         "thread_ts": thread, "channel": CHANNEL, "team": "T1"}, event_id="EvReplyM")
    run_worker(rt)
    press(client, thread, state_root.RESOLVE_ACTION)
    until(state_is(rt, thread, status="resolved"))
    fake_slack.calls.clear()
    slash_command(client, "metrics 7", user="U_MEMBER", response_url=fake_slack.url + "/response")
    [answer] = fake_slack.responses(timeout=60)  # drawing the charts takes a while on a busy machine
    assert texts.METRICS_INBOX_TITLE in answer["text"] and "first response" in answer["text"]
    uploaded = [f for call in fake_slack.files for f in call["files"]]
    assert any(f.get("title") == texts.CHART_TIMINGS_TITLE.format(days=7) for f in uploaded)


def test_a_members_reaction_reaches_a_messenger_customer(client, rt, fake_slack, fake_graph):
    connect_whatsapp(rt, channel=CHANNEL, token=fake_graph.issue_token())
    connect_page(rt, fake_graph.issue_token("page", expires_in=0))
    fake_graph.inbound.add("m_in")
    post_webhook(client, {"object": "page", "entry": [{"id": "PAGE1", "time": 1, "messaging": [{
        "sender": {"id": "PSID777"}, "recipient": {"id": "PAGE1"}, "timestamp": 1,
        "message": {"mid": "m_in", "text": "Do you ship to Canada?"}}]}]})
    run_worker(rt)
    root = the_root(fake_slack)
    for n, kind in enumerate(("reaction_added", "reaction_removed"), start=1):
        slack_event(client, {"type": kind, "user": "U_MEMBER", "reaction": "heart", "item_user": "UB",
                             "item": {"type": "message", "channel": CHANNEL, "ts": root},
                             "event_ts": "1700000900.000100"}, event_id=f"Ev{kind}")
        until(lambda n=n: run_worker(rt) or len(fake_graph.sent) == n)  # Bolt runs the listener after the ack
    assert [(s["type"], s["message_id"], s.get("reaction")) for s in fake_graph.sent] == [
        ("react", "m_in", "❤️"), ("unreact", "m_in", None)]
