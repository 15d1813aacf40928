"""Replies from customer threads: a signed Slack event, the real worker, the Graph fake."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from store.models import OutboundMessage
from tests.fakes.http import Reply
from tests.fakes.meta_graph import window_closed
from tests.helpers import (
    PHONE_ID,
    customer_thread,
    messaging_thread,
    post_webhook,
    run_worker,
    slack_event,
    slash_command,
    wa_payload,
)


@pytest.fixture
def thread(client, rt, fake_slack, fake_graph):
    """A WhatsApp customer wrote; their thread exists in #C_CONNECT."""
    return customer_thread(client, rt, fake_slack, fake_graph)


def reply(client, text, thread_ts, ts="1700000100.000200", retry=None, **extra):
    event = {"type": "message", "channel": "C_CONNECT", "user": "U_ADMIN", "text": text, "ts": ts,
             "thread_ts": thread_ts, "team": "T1", **extra}
    return slack_event(client, event, retry=retry)


def test_reply_round_trip_with_formatting(client, rt, fake_slack, fake_graph, thread):
    r = reply(client, "*Yes!* _Today_ ~maybe~ <https://acme.test/p|see it> &amp; ask <@U_ADMIN>", thread)
    assert r.status_code == 200
    run_worker(rt)
    [sent] = fake_graph.sent
    assert sent == {"from": PHONE_ID, "to": "15551234567", "kind": "whatsapp",
                    "body": "*Yes!* _Today_ ~maybe~ see it (https://acme.test/p) & ask @Ada"}
    [reaction] = fake_slack.reactions
    assert reaction["name"] == "white_check_mark" and reaction["timestamp"] == "1700000100.000200"
    with rt.db.session() as s:
        out = s.scalars(select(OutboundMessage)).one()
    assert out.thread_ts == thread and out.status == "accepted"

    delivered = {"id": out.id, "status": "delivered", "timestamp": "2", "recipient_id": "15551234567"}
    post_webhook(client, wa_payload([], statuses=[delivered]))
    run_worker(rt)
    with rt.db.session() as s:
        assert s.get(OutboundMessage, out.id).status == "delivered"
    assert fake_slack.messages == []  # only failures post


def test_refused_reply_outside_the_window_is_explained_in_the_thread(client, rt, fake_slack, fake_graph, thread):
    fake_graph.refuse_sends = window_closed()
    reply(client, "Hello again", thread)
    run_worker(rt)
    [answer] = fake_slack.messages
    assert answer["thread_ts"] == thread and "Re-engagement" in answer["text"] and "24 hours" in answer["text"]
    assert fake_slack.reactions[0]["name"] == "x"


@pytest.mark.both_databases  # a redelivered status stopped by its dedupe claim
def test_failed_status_later_is_answered_in_the_thread(client, rt, fake_slack, fake_graph, thread):
    reply(client, "On its way", thread)
    run_worker(rt)
    with rt.db.session() as s:
        out_id = s.scalars(select(OutboundMessage.id)).one()
    failed = {"id": out_id, "status": "failed", "timestamp": "3", "recipient_id": "15551234567",
              "errors": [{"code": 131047, "title": "Re-engagement message",
                          "error_data": {"details": "Message failed to send because more than 24 hours have passed"}}]}
    post_webhook(client, wa_payload([], statuses=[failed]))
    post_webhook(client, wa_payload([], statuses=[failed]))  # redelivered
    run_worker(rt)
    in_thread = [m for m in fake_slack.messages if m.get("thread_ts") == thread]
    assert len(in_thread) == 1 and "24 hours" in in_thread[0]["text"]
    assert any(m["channel"] == "C_CONNECT" and "thread_ts" not in m for m in fake_slack.messages)  # the alert


@pytest.mark.both_databases  # Slack's retries stopped by the outbox's unique key
def test_slack_retries_bot_messages_and_edits_never_send_twice(client, rt, fake_slack, fake_graph, thread):
    reply(client, "once", thread)
    reply(client, "once", thread, retry=1)
    reply(client, "once", thread, retry=2)
    reply(client, "from a bot", thread, ts="1700000100.000300", bot_id="B1")
    reply(client, "edited", thread, ts="1700000100.000400", subtype="message_changed")
    reply(client, "not in a thread", None, ts="1700000100.000500")
    reply(client, "root itself", "1700000100.000600", ts="1700000100.000600")
    run_worker(rt)
    assert [s["body"] for s in fake_graph.sent] == ["once"]


def test_a_thread_that_is_not_a_customers_is_ignored(client, rt, fake_graph, thread):
    reply(client, "internal chat", "1600000000.000001")
    run_worker(rt)
    assert fake_graph.sent == []


def test_replies_off_sends_nothing(client, rt, fake_slack, fake_graph, thread):
    assert "off" in slash_command(client, "replies off", user="U_ADMIN").get_json()["text"]
    reply(client, "hello?", thread)
    run_worker(rt)
    assert fake_graph.sent == [] and "alerts-only" in fake_slack.ephemerals[-1]["text"]
    slash_command(client, "replies on", user="U_ADMIN")
    reply(client, "hello!", thread, ts="1700000100.000900")
    run_worker(rt)
    assert [s["body"] for s in fake_graph.sent] == ["hello!"]


def test_messenger_reply_goes_through_the_page(client, rt, fake_slack, fake_graph):
    root_ts = messaging_thread(client, rt, fake_slack, fake_graph, "hi page")
    reply(client, "*Hello* from the team", root_ts)
    run_worker(rt)
    [sent] = fake_graph.sent
    assert sent == {"from": "PAGE1", "to": "PSID777", "body": "Hello from the team", "kind": "page"}


def test_a_send_that_meta_answers_with_a_server_error_is_unknown_not_retried(client, rt, fake_slack, fake_graph,
                                                                             thread):
    # Meta may have sent it before failing: sending again could deliver it twice (issue 11, point 5)
    fake_graph.fail_next(f"/v26.0/{PHONE_ID}/messages", Reply(200, {"success": True}))  # the read and typing call
    fake_graph.fail_next(f"/v26.0/{PHONE_ID}/messages", Reply(500, {"error": {"message": "oops", "code": 2}}),
                         times=1)
    reply(client, "eventually", thread)
    run_worker(rt)
    assert len([c for c in fake_graph.calls if c.path == f"/v26.0/{PHONE_ID}/messages"
                and c.params.get("status") != "read"]) == 1
    [note] = [m for m in fake_slack.messages if m.get("thread_ts") == thread]
    assert "not known whether" in note["text"] and any(b["type"] == "actions" for b in note["blocks"])


@pytest.mark.both_databases  # dedupe claims released and taken again
def test_thread_note_and_alert_each_once_when_the_alert_meets_a_429(client, rt, fake_slack, fake_graph, thread):
    import time

    from tests.fakes.slack_api import rate_limited
    from tests.helpers import run_due_scheduled

    reply(client, "On its way", thread)
    run_worker(rt)
    with rt.db.session() as s:
        out_id = s.scalars(select(OutboundMessage.id)).one()
    failed = {"id": out_id, "status": "failed", "timestamp": "3", "recipient_id": "15551234567",
              "errors": [{"code": 131026, "title": "Message undeliverable"}]}
    fake_slack.reset()
    fake_slack.fail_next("/api/chat.postMessage", Reply(200, {"ok": True, "ts": "1.1", "channel": "C_CONNECT"}))
    fake_slack.fail_next("/api/chat.postMessage", rate_limited(1))  # the thread note went, the alert meets 429
    post_webhook(client, wa_payload([], statuses=[failed]))
    run_worker(rt)
    time.sleep(1.1)
    run_due_scheduled(rt)
    run_worker(rt)
    texts = [c.params.get("text", "") for c in fake_slack.calls if c.path == "/api/chat.postMessage"]
    assert sum("Not sent to the customer" in t for t in texts) == 1
    assert len([m for m in fake_slack.messages if "131026" in m["text"] and "thread_ts" not in m]) == 1


NOTES = ["*Note:* refund abuser", "_Note:_ watch this one", "> note: they asked twice", "&gt; note: quoted",
         "~note:~ struck", "`note:` in code", "  NOTE: spaced", "*Note*: bold before the colon", "*// check stock*"]


@pytest.mark.parametrize("text", NOTES)
def test_a_formatted_note_in_a_thread_never_reaches_meta(client, rt, fake_slack, fake_graph, thread, text):
    assert reply(client, text, thread).status_code == 200
    run_worker(rt)
    assert fake_graph.sent == []
    assert [r["name"] for r in fake_slack.reactions] == ["memo"]  # marked as staying inside


@pytest.mark.parametrize("text", ["*Note:* refund abuser", "note: plain", "&gt; _note:_ quoted"])
def test_a_note_stored_in_the_outbox_by_an_older_path_is_refused_at_send(client, rt, fake_slack, fake_graph, thread,
                                                                          text):
    from metaops import messages
    from metaops.conversation import replies
    from store import outbox
    from store.models import ReplyOutbox

    row_id, state = outbox.add(rt.db.engine, "T1", "C_CONNECT", thread, "1700000100.000700", "U_ADMIN", text,
                               rt.now())
    assert state == "pending"
    replies.queue_send(rt, row_id)
    run_worker(rt)
    assert fake_graph.sent == [] and not [c for c in fake_graph.calls if c.method == "POST"]
    with rt.db.session() as s:
        row = s.get(ReplyOutbox, row_id)
        assert (row.state, row.last_error) == ("refused", messages.NOTE_NOT_SENT)
    assert [r["name"] for r in fake_slack.reactions] == ["memo"]
