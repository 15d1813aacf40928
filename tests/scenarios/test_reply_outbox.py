"""The reply outbox: a message in a customer thread is stored while Slack's request is open, then sent once,
whatever Redis and Slack do (signed Slack events, a real Redis, the real worker, the Graph fake)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from metaops import create_app, defaults, runtime
from metaops import settings as settings_mod
from store.models import ReplyOutbox
from tests.fakes.meta_graph import graph_error
from tests.helpers import (
    RedisServer,
    customer_thread,
    free_port,
    post_event,
    run_worker,
    slack_event,
    slack_fixture,
)

# Both databases: the outbox: one INSERT per Slack message on a unique key, its state moved by conditional UPDATEs.
pytestmark = pytest.mark.both_databases


def reply(client: Any, text: str, thread_ts: str | None, ts: str = "1700000100.000200", retry: int | None = None,
          **extra: Any) -> Any:
    event = {"type": "message", "channel": "C_CONNECT", "user": "U_ADMIN", "text": text, "ts": ts,
             "thread_ts": thread_ts, "team": "T1", **extra}
    return slack_event(client, event, retry=retry)




def rows(rt: Any) -> list[ReplyOutbox]:
    with rt.db.session() as s:
        return list(s.scalars(select(ReplyOutbox).order_by(ReplyOutbox.id)))


def sweep(rt: Any) -> None:
    """The periodic job, as the scheduler queues it."""
    rt.queue.enqueue("metaops.jobs.sweep_outbox", result_ttl=0)
    run_worker(rt)


@pytest.fixture
def own_redis(config: dict[str, object]) -> Iterator[tuple[Any, Any, RedisServer]]:
    """An app on a redis-server of this test's own, to stop and start: (rt, client, server)."""
    server = RedisServer(free_port())
    server.start()
    app = create_app({**config, "REDIS_URL": f"redis://127.0.0.1:{server.port}/0"})
    rt = app.extensions["metaops"]
    try:
        yield rt, app.test_client(), server
    finally:
        server.stop()
        rt.db.dispose()
        runtime.install(None)


def test_a_reply_accepted_while_redis_is_down_is_sent_once_redis_is_back(own_redis, fake_slack, fake_graph,
                                                                         monkeypatch):
    rt, client, server = own_redis
    root = customer_thread(client, rt, fake_slack, fake_graph)
    server.stop()
    assert reply(client, "are you there?", root).status_code == 200  # stored: Slack need not retry
    [row] = rows(rt)
    assert (row.state, row.thread_ts, row.user_id, row.text) == ("pending", root, "U_ADMIN", "are you there?")

    server.start()  # an empty Redis: the send job never reached it
    run_worker(rt)
    assert fake_graph.sent == []
    sweep(rt)  # within the grace period: left alone
    assert fake_graph.sent == []
    monkeypatch.setattr(defaults, "SWEEP_GRACE", 0)
    sweep(rt)
    sweep(rt)
    assert [s["body"] for s in fake_graph.sent] == ["are you there?"]
    [row] = rows(rt)
    assert row.state == "sent" and row.sent_at is not None and row.attempts == 1 and row.last_error is None
    assert [r["name"] for r in fake_slack.reactions] == ["white_check_mark"]


def test_a_queued_reply_lost_in_a_redis_restart_is_sent_by_the_sweep(own_redis, fake_slack, fake_graph,
                                                                     monkeypatch):
    rt, client, server = own_redis
    root = customer_thread(client, rt, fake_slack, fake_graph)
    assert reply(client, "still here", root).status_code == 200
    assert rt.queue.count == 1
    server.stop()
    server.start()  # restarted without persistence: the queued job is gone
    run_worker(rt)
    assert fake_graph.sent == []
    monkeypatch.setattr(defaults, "SWEEP_GRACE", 0)
    sweep(rt)
    assert [s["body"] for s in fake_graph.sent] == ["still here"] and rows(rt)[0].state == "sent"


def test_database_down_is_503_so_slack_retries(config, fake_slack, fake_graph, redis_conn):
    down = settings_mod.from_mapping({**config, "DATABASE_URL": "postgresql+psycopg://root@127.0.0.1:1/nothing"})
    app = create_app(down)
    try:
        r = reply(app.test_client(), "hello?", "1700000000.000100")
        assert r.status_code == 503
        assert redis_conn.keys("rq:job:*") == []
    finally:
        runtime.install(None)


def test_slack_retries_of_one_message_make_one_row_and_one_send(client, rt, fake_slack, fake_graph):
    root = customer_thread(client, rt, fake_slack, fake_graph)
    assert [reply(client, "once", root, retry=n).status_code for n in (None, 1, 2)] == [200, 200, 200]
    assert len(rows(rt)) == 1 and rt.queue.count == 1  # the retries found the row and its job waiting
    run_worker(rt)
    assert reply(client, "once", root, retry=3).status_code == 200  # after the send: nothing queued again
    run_worker(rt)
    assert [s["body"] for s in fake_graph.sent] == ["once"]
    [row] = rows(rt)
    assert row.state == "sent" and row.attempts == 1


def test_messages_outside_customer_threads_write_nothing(client, rt, fake_slack, fake_graph):
    root = customer_thread(client, rt, fake_slack, fake_graph)
    assert reply(client, "internal chat", "1600000000.000001").status_code == 200  # not a customer's thread
    reply(client, "not in a thread", None, ts="1700000100.000500")
    reply(client, "from a bot", root, ts="1700000100.000300", bot_id="B1")
    reply(client, "edited", root, ts="1700000100.000400", subtype="message_changed")
    assert rows(rt) == [] and rt.queue.count == 0


def test_a_refused_reply_is_marked_refused_with_metas_reason(client, rt, fake_slack, fake_graph):
    root = customer_thread(client, rt, fake_slack, fake_graph)
    fake_graph.refuse_sends = graph_error(131047, "Re-engagement message", 400)
    reply(client, "Hello again", root)
    run_worker(rt)
    [row] = rows(rt)
    assert row.state == "refused" and "Re-engagement" in (row.last_error or "") and row.sent_at is None
    assert fake_slack.reactions[0]["name"] == "x"


def test_a_send_job_queued_before_the_outbox_is_stored_then_sent(client, rt, fake_slack, fake_graph):
    root = customer_thread(client, rt, fake_slack, fake_graph)
    event = {"channel": "C_CONNECT", "thread_ts": root, "ts": "1700000100.000700", "user": "U_ADMIN",
             "text": "from the old queue"}
    rt.queue.enqueue("metaops.jobs.send_reply", "T1", event, result_ttl=0)
    rt.queue.enqueue("metaops.jobs.send_reply", "T1", event, result_ttl=0)  # twice: still sent once
    run_worker(rt)
    assert [s["body"] for s in fake_graph.sent] == ["from the old queue"]
    [row] = rows(rt)
    assert row.state == "sent" and row.slack_ts == "1700000100.000700"


def test_a_reply_deleted_in_slack_before_its_send_is_never_sent(client, rt, fake_slack, fake_graph):
    root = customer_thread(client, rt, fake_slack, fake_graph)
    reply(client, "wrong customer, sorry", root, ts="1700000100.000800")
    reply(client, "the right one", root, ts="1700000100.000900")
    assert [r.state for r in rows(rt)] == ["pending", "pending"]  # queued, not sent yet
    deleted = slack_fixture("events/message_deleted.json", event={
        "deleted_ts": "1700000100.000800", "previous_message": {"ts": "1700000100.000800", "thread_ts": root}})
    assert post_event(client, deleted).status_code == 200
    run_worker(rt)
    assert [s["body"] for s in fake_graph.sent] == ["the right one"]  # the deleted one never reached Meta
    first, second = rows(rt)
    assert (first.state, first.last_error, first.sent_at) == ("refused", "deleted in Slack", None)
    assert second.state == "sent"
    assert post_event(client, slack_fixture("events/message_deleted.json", event={
        "deleted_ts": "1700000100.000900"})).status_code == 200  # deleted after it was sent: stays sent
    assert rows(rt)[1].state == "sent"
