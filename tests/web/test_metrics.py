"""`GET /metrics` (issue 11, point 10): Prometheus' text format behind `Authorization: Bearer $METRICS_TOKEN`
(unset: 404; missing or wrong: 401), with counts kept in Redis so that every web process and worker adds to the
same numbers: webhooks received / stored / rejected by reason, items delivered by kind, queue depth per
partition, Slack 429s, Graph errors by code, and the webhook-to-Slack latency histogram."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis

from metaops import counters, create_app, defaults, runtime
from tests.fakes.meta_graph import graph_error
from tests.helpers import (
    connect_whatsapp,
    customer_thread,
    free_port,
    post_webhook,
    run_worker,
    slack_event,
    wa_message,
    wa_payload,
)

TOKEN = "metrics-test-token-1"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app_with_token(config: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
    app = create_app({**config, "METRICS_TOKEN": TOKEN})
    rt = app.extensions["metaops"]
    try:
        yield rt, app.test_client()
    finally:
        rt.db.dispose()
        rt.redis.close()
        runtime.install(None)


def samples(client: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    r = client.get("/metrics", headers=AUTH)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain; version=")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(r.get_data(as_text=True)) for s in family.samples}


def test_metrics_is_404_without_a_configured_token(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_metrics_is_401_without_the_right_token(app_with_token):
    _, client = app_with_token
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                    {"Authorization": f"Basic {TOKEN}"}, {"Authorization": f"Bearer {TOKEN}x"}):
        r = client.get("/metrics", headers=headers)
        assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"
        assert "metaops_" not in r.get_data(as_text=True)


def test_counts_after_signed_webhooks_and_a_drain(app_with_token, fake_slack, fake_graph):
    rt, client = app_with_token
    before = samples(client)
    assert before[("metaops_webhooks_received_total", ())] == 0
    assert before[("metaops_queue_depth", (("partition", "0"),))] == 0
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    assert post_webhook(client, wa_payload([wa_message("wamid.M1", "15551234567", "hello")])).status_code == 200
    assert post_webhook(client, {"object": "x"}, signature="sha256=" + "0" * 64).status_code == 401
    assert post_webhook(client, b"[1, 2]").status_code == 400
    assert post_webhook(client, b"{" + b" " * (defaults.WEBHOOK_MAX_BODY + 1) + b"}").status_code == 413
    queued = samples(client)
    assert sum(v for (name, _), v in queued.items() if name == "metaops_queue_depth") == 1
    run_worker(rt)  # the drain posts the message into Slack
    got = samples(client)
    assert got[("metaops_webhooks_received_total", ())] == 4
    assert got[("metaops_webhooks_stored_total", ())] == 1
    for reason in ("signature", "json", "size"):
        assert got[("metaops_webhooks_rejected_total", (("reason", reason),))] == 1
    assert got[("metaops_items_delivered_total", (("kind", "message"),))] == 1
    assert got[("metaops_webhook_to_slack_seconds_count", ())] == 1
    assert got[("metaops_webhook_to_slack_seconds_bucket", (("le", "+Inf"),))] == 1
    assert got[("metaops_webhook_to_slack_seconds_sum", ())] >= 0
    assert sum(v for (name, _), v in got.items() if name == "metaops_queue_depth") == 0
    assert len([k for k in got if k[0] == "metaops_queue_depth"]) == defaults.PARTITIONS


def test_slack_429s_and_graph_errors_are_counted(app_with_token, fake_slack, fake_graph):
    rt, client = app_with_token
    root = customer_thread(client, rt, fake_slack, fake_graph)
    fake_graph.refuse_sends = graph_error(131047, "Re-engagement message", 400)
    slack_event(client, {"type": "message", "channel": "C_CONNECT", "user": "U_ADMIN", "text": "hi", "ts": "1.2",
                         "thread_ts": root, "team": "T1"})
    run_worker(rt)
    fake_slack.limit_channel("C_CONNECT", 30)
    post_webhook(client, wa_payload([wa_message("wamid.M2", "15551234567", "again")]))
    run_worker(rt)
    got = samples(client)
    assert got[("metaops_graph_errors_total", (("code", "131047"),))] == 1
    assert got[("metaops_slack_rate_limited_total", ())] == 1
    assert got[("metaops_items_delivered_total", (("kind", "message"),))] == 1  # the first; the second waits


def test_counting_never_fails_when_redis_is_down(config, fake_slack, fake_graph):
    counters.incr(Redis(port=free_port(), socket_connect_timeout=1), "webhooks_received")  # no exception
    app = create_app({**config, "METRICS_TOKEN": TOKEN, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    try:
        client = app.test_client()
        assert post_webhook(client, wa_payload([wa_message("wamid.M3", "15551234567", "hi")])).status_code == 200
        assert client.get("/metrics", headers=AUTH).status_code == 503
    finally:
        runtime.install(None)
