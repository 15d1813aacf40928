"""Queueing survives a Redis outage: a test-owned redis-server is stopped and started again."""

from __future__ import annotations

import socket
import subprocess
import time
from datetime import timedelta

import pytest
from redis import Redis
from sqlalchemy import select

from metaops import create_app, jobs, runtime
from metaops import settings as settings_mod
from metaops.delivery import inbox
from store.clock import utcnow
from store.models import WebhookEvent
from tests.conftest import _redis_server
from tests.helpers import connect_whatsapp, post_webhook, run_worker, wa_message, wa_payload


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([_redis_server(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                if Redis(port=self.port, socket_connect_timeout=0.2).ping():
                    return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def own_redis():
    server = RedisServer(_free_port())
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
        rt.clock = lambda: utcnow() + timedelta(minutes=5)
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
    rt.clock = lambda: utcnow() + timedelta(minutes=1)
    assert jobs.sweep() == 0
    assert inbox.is_pending(rt.queue, 1)
