"""End to end on real parts: signed webhook -> stored -> Redis -> the worker's jobs -> the Slack fake."""

from __future__ import annotations

import time

import pytest
from rq.registry import FailedJobRegistry
from sqlalchemy import select

from metaops.queue import enqueue
from store.models import ContactThread, Customer, DedupeKey, WebhookEvent
from tests.fakes.http import Reply
from tests.fakes.slack_api import rate_limited
from tests.helpers import (
    PHONE_ID,
    connect_whatsapp,
    post_webhook,
    run_due_scheduled,
    run_worker,
    wa_message,
    wa_payload,
    worker_env,
)

# Both databases: an event's life in SQL: states, attempts and retry times recorded, failed events requeued, redelivered
# items' dedupe claims, the unrouted count (SUM).
pytestmark = pytest.mark.both_databases


def _events(rt):
    with rt.db.session() as s:
        return list(s.scalars(select(WebhookEvent).order_by(WebhookEvent.id)))


def test_text_message_reaches_the_routed_channel(client, rt, fake_slack):
    connect_whatsapp(rt, channel="C_INBOX")
    payload = wa_payload([wa_message("wamid.A1", "15551234567", "Hello, is my order ready?")],
                         {"15551234567": "Jane Doe"})
    assert post_webhook(client, payload).status_code == 200
    run_worker(rt)

    [msg] = fake_slack.messages
    assert msg["channel"] == "C_INBOX"
    assert "Jane Doe" in msg["text"] and "+15551234567" in msg["text"]
    assert "Hello, is my order ready?" in msg["text"]
    assert "thread_ts" not in msg
    [event] = _events(rt)
    assert event.state == "done" and event.attempts == 1 and event.unrouted == 0


def test_one_thread_per_contact(client, rt, fake_slack):
    connect_whatsapp(rt)
    post_webhook(client, wa_payload([wa_message("wamid.1", "15550000001", "first from one")]))
    run_worker(rt)
    post_webhook(client, wa_payload([wa_message("wamid.2", "15550000001", "second from one")]))
    post_webhook(client, wa_payload([wa_message("wamid.3", "15550000002", "first from two")]))
    run_worker(rt)

    root_one = fake_slack.messages[0]
    # the two customers' conversations are delivered side by side: either may come first
    [reply_one] = [m for m in fake_slack.messages if "second from one" in m["text"]]
    [root_two] = [m for m in fake_slack.messages if "first from two" in m["text"]]
    assert len(fake_slack.messages) == 3
    assert "first from one" in root_one["text"] and "thread_ts" not in root_one
    assert "second from one" in reply_one["text"] and reply_one["thread_ts"] == root_one["ts"]
    assert "first from two" in root_two["text"] and "thread_ts" not in root_two
    with rt.db.session() as s:
        phone_of = {f"customer:{c.id}": c.phone for c in s.scalars(select(Customer))}
        threads = {(t.business_id, phone_of[t.contact]): t.root_ts for t in s.scalars(select(ContactThread))}
    assert threads == {(PHONE_ID, "15550000001"): root_one["ts"], (PHONE_ID, "15550000002"): root_two["ts"]}


def test_redelivered_webhook_posts_once(client, rt, fake_slack):
    connect_whatsapp(rt)
    payload = wa_payload([wa_message("wamid.R1", "15551112222", "only once please")])
    for _ in range(3):
        assert post_webhook(client, payload).status_code == 200
    run_worker(rt)
    assert [m["text"] for m in fake_slack.messages].count(fake_slack.messages[0]["text"]) == 1
    assert len(fake_slack.messages) == 1
    assert [e.state for e in _events(rt)] == ["done", "done", "done"]


@pytest.mark.unpaced(why="the order of 150 items of one payload, one post each: 2.5 minutes at Slack's pace, "
                           "which tests/delivery/test_pacing.py and the crash tests keep")
def test_batch_of_many_messages_all_arrive_in_order(client, rt, fake_slack):
    connect_whatsapp(rt)
    msgs = [wa_message(f"wamid.B{i}", f"1555000{i % 7:04d}", f"message {i}") for i in range(150)]
    assert post_webhook(client, wa_payload(msgs)).status_code == 200
    run_worker(rt)

    texts = [m["text"] for m in fake_slack.messages]
    assert len(texts) == 150
    assert [int(t.rsplit(" ", 1)[1]) for t in texts] == list(range(150))
    roots = [m for m in fake_slack.messages if "thread_ts" not in m]
    assert len(roots) == 7  # one thread per contact


def test_unrouted_entry_is_kept_and_counted(client, rt, fake_slack):
    connect_whatsapp(rt)
    payload = wa_payload([wa_message("wamid.U1", "15551230000", "to a stranger")], waba="999999")
    assert post_webhook(client, payload).status_code == 200
    run_worker(rt)
    assert fake_slack.messages == []
    [event] = _events(rt)
    assert event.state == "done" and event.unrouted == 1
    assert b"to a stranger" in event.body


def test_failed_status_goes_to_alerts(client, rt, fake_slack):
    connect_whatsapp(rt, channel="C_CONNECT")
    with rt.db.session() as s:
        from store.models import NotificationRoute

        s.add(NotificationRoute(team_id="T1", kind="alerts", channel_id="C_ALERTS"))
    status = {"id": "wamid.OUT1", "status": "failed", "timestamp": "1700000001", "recipient_id": "15557654321",
              "errors": [{"code": 131047, "title": "Re-engagement message",
                          "error_data": {"details": "More than 24 hours have passed"}}]}
    delivered = {**status, "id": "wamid.OUT2", "status": "delivered"}
    delivered.pop("errors")
    post_webhook(client, wa_payload([], statuses=[status, delivered]))
    run_worker(rt)
    [alert] = fake_slack.messages
    assert alert["channel"] == "C_ALERTS"
    assert "+15557654321" in alert["text"] and "131047" in alert["text"] and "Re-engagement" in alert["text"]


def test_slack_429_waits_for_retry_after_then_posts_once(client, rt, fake_slack):
    connect_whatsapp(rt)
    fake_slack.fail_next("/api/chat.postMessage", rate_limited(1))
    post_webhook(client, wa_payload([wa_message("wamid.L1", "15550001111", "limited"),
                                     wa_message("wamid.L2", "15550001111", "after it")]))
    run_worker(rt)  # meets the 429: puts the event back and schedules a drain in 1 s
    assert fake_slack.messages == []
    [event] = _events(rt)
    assert event.state == "received" and "rate limited" in event.last_error
    time.sleep(1.1)
    run_due_scheduled(rt)
    run_worker(rt)
    assert [m["text"].rsplit(": ", 1)[1] for m in fake_slack.messages] == ["limited", "after it"]
    assert _events(rt)[0].state == "done"


def test_slack_errors_retry_then_end_in_failed_registry_with_reason(client, rt, fake_slack):
    connect_whatsapp(rt)
    fake_slack.fail_next("/api/chat.postMessage", Reply(500, {"ok": False, "error": "internal_error"}), times=10)
    post_webhook(client, wa_payload([wa_message("wamid.F1", "15550002222", "doomed")]))
    run_worker(rt)  # drain fails it, its own job retries twice (intervals 0,0), then gives up

    [event] = _events(rt)
    assert event.state == "failed"
    assert event.attempts == 3
    assert "500" in event.last_error or "internal_error" in event.last_error
    failed = FailedJobRegistry(queue=rt.queue)
    assert failed.get_job_ids() == [enqueue.event_job_id(event.id)]
    with rt.db.session() as s:
        assert s.scalars(select(DedupeKey)).all() == []  # released: a later requeue can still deliver it


def test_failure_then_success_on_retry_posts_once(client, rt, fake_slack):
    connect_whatsapp(rt)
    fake_slack.fail_next("/api/chat.postMessage", Reply(500, {"ok": False, "error": "internal_error"}))
    post_webhook(client, wa_payload([wa_message("wamid.S1", "15550003333", "eventually")]))
    run_worker(rt)
    assert len(fake_slack.messages) == 1 and "eventually" in fake_slack.messages[0]["text"]
    [event] = _events(rt)
    assert event.state == "done" and event.attempts == 2


def test_failed_events_can_be_given_another_round(client, rt, config, fake_slack, tmp_path):
    import subprocess
    import sys

    connect_whatsapp(rt)
    fake_slack.fail_next("/api/chat.postMessage", Reply(500, {"ok": False, "error": "internal_error"}), times=3)
    post_webhook(client, wa_payload([wa_message("wamid.AGAIN", "15550005555", "second chance")]))
    run_worker(rt)
    assert _events(rt)[0].state == "failed" and fake_slack.messages == []
    env = worker_env(config)
    r = subprocess.run([sys.executable, "-m", "flask", "--app", "metaops.wsgi", "requeue-failed"], env=env,
                       cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert "re-queued 1 failed event" in r.stdout, r.stderr
    run_worker(rt)
    assert "second chance" in fake_slack.messages[0]["text"] and _events(rt)[0].state == "done"
