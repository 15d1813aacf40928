"""`GET /healthz` and the setup page `GET /`."""

from __future__ import annotations

from metaops import create_app, runtime
from tests.constants import APP_SECRET, SIGNING_SECRET


def test_healthz_ok_when_database_and_redis_answer(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_503_when_redis_is_down(config):
    app = create_app({**config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    try:
        r = app.test_client().get("/healthz")
        assert r.status_code == 503
        assert r.get_json()["redis"] == "unavailable" and r.get_json()["database"] == "ok"
    finally:
        runtime.install(None)


def test_healthz_503_when_database_is_down(config):
    app = create_app({**config, "DATABASE_URL": "postgresql+psycopg://root@127.0.0.1:1/none"})
    try:
        r = app.test_client().get("/healthz")
        assert r.status_code == 503 and r.get_json()["database"] == "unavailable"
    finally:
        runtime.install(None)


def test_setup_page_gives_urls_and_hides_secrets(client, config):
    html = client.get("/").get_data(as_text=True)
    assert "https://metaops.example.test/slack/events" in html
    assert "https://metaops.example.test/meta/webhook" in html
    assert "https://metaops.example.test/meta/oauth/callback" in html
    for secret in (SIGNING_SECRET, APP_SECRET, config["ENCRYPTION_KEYS"], config["SLACK_BOT_TOKEN"]):
        assert secret not in html


def test_setup_page_says_what_is_missing(config):
    bare = {**config, "SLACK_SIGNING_SECRET": "", "SLACK_BOT_TOKEN": "", "META_APP_ID": "", "META_APP_SECRET": ""}
    app = create_app(bare)
    try:
        r = app.test_client().get("/")
        html = r.get_data(as_text=True)
        assert r.status_code == 200
        for name in ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "META_APP_ID", "META_APP_SECRET"):
            assert name in html
    finally:
        runtime.install(None)


def test_setup_page_shows_no_event_counts_to_anonymous_visitors(client, rt):
    from store import events

    events.insert_event(rt.db.ingest, b"{}", rt.now())
    html = client.get("/").get_data(as_text=True)
    assert "Database: ok" in html and "/meta/webhook" in html  # configuration state stays
    assert "Webhook events" not in html and "received" not in html  # counts are on /metrics, behind a token
