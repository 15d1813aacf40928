"""Queueing survives a Redis outage: a test-owned redis-server is stopped and started again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from metaops import create_app, jobs, runtime
from metaops import settings as settings_mod
from metaops.queue import enqueue
from store.models import WebhookEvent
from store.timestamps import utcnow
from tests.helpers import (
    RedisServer,
    connect_whatsapp,
    free_port,
    post_webhook,
    run_worker,
    wa_message,
    wa_payload,
)

# Both databases: the sweep's query for stranded events (state, received_at, next_attempt_at).
pytestmark = pytest.mark.both_databases


@pytest.fixture
def own_redis():
    server = RedisServer(free_port())
    server.start()
    yield server
    server.stop()


def test_webhook_during_redis_outage_arrives_after_restart(config, own_redis, fake_slack):
    app = create_app(settings_mod.from_mapping({**config, "REDIS_URL": f"redis://127.0.0.1:{own_redis.port}/0"}))
    rt = app.extensions["metaops"]
    try:
        connect_whatsapp(rt)
        own_redis.stop()
        r = post_webhook(app.test_client(), wa_payload([wa_message("wamid.O1", "15550009999", "sent in the dark")]))
        assert r.status_code == 200
        with rt.db.session() as s:
            assert s.scalars(select(WebhookEvent.state)).one() == "received"

        own_redis.start()  # a fresh, empty Redis: nothing of the event survived there
        assert jobs.sweep() == 0  # too young: the web may still be queueing it
        rt.now = lambda: utcnow() + timedelta(minutes=5)
        assert jobs.sweep() == 1
        run_worker(rt)
        [msg] = fake_slack.messages
        assert "sent in the dark" in msg["text"] and "+15550009999" in msg["text"]
        assert jobs.sweep() == 0  # done: nothing left to sweep
    finally:
        rt.db.dispose()
        runtime.install(None)


def test_sweep_leaves_events_whose_retry_is_scheduled(client, rt, fake_slack):
    connect_whatsapp(rt)
    from tests.fakes.http import Reply

    fake_slack.fail_next("/api/chat.postMessage", Reply(500, {"ok": False, "error": "internal_error"}))
    rt.settings = rt.settings.with_overrides(JOB_RETRY_INTERVALS=(600,))
    post_webhook(client, wa_payload([wa_message("wamid.W1", "15550008888", "later")]))
    run_worker(rt)  # fails once; its own job is scheduled in 10 minutes
    rt.now = lambda: utcnow() + timedelta(minutes=1)
    assert jobs.sweep() == 0
    assert enqueue.is_pending(rt.queue, 1)
