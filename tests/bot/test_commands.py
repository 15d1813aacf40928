"""`/meta` through Bolt, with requests signed exactly as Slack signs them."""

from __future__ import annotations

import time

from metaops import messages
from tests.helpers import slash_command


def test_help_lists_the_commands(client):
    r = slash_command(client, "help")
    assert r.status_code == 200
    body = r.get_json()
    assert body["text"] == messages.HELP
    assert "/meta connect" in body["text"] and "/meta templates" in body["text"]
    assert body.get("response_type", "ephemeral") == "ephemeral"


def test_empty_text_is_help(client):
    assert slash_command(client, "").get_json()["text"] == messages.HELP


def test_unknown_word_answers_with_help(client):
    text = slash_command(client, "frobnicate now").get_json()["text"]
    assert "frobnicate" in text and messages.HELP in text


def test_forged_signature_is_refused(client):
    r = slash_command(client, "help", secret="not-the-signing-secret")
    assert r.status_code == 401


def test_replayed_old_request_is_refused(client):
    r = slash_command(client, "help", timestamp=int(time.time()) - 10 * 60)
    assert r.status_code == 401


def test_slack_not_configured_answers_503(config):
    from metaops import create_app, runtime

    app = create_app({**config, "SLACK_SIGNING_SECRET": "", "SLACK_BOT_TOKEN": ""})
    try:
        r = app.test_client().post("/slack/events", data=b"x")
        assert r.status_code == 503 and b"SLACK_SIGNING_SECRET" in r.data
    finally:
        runtime.install(None)
