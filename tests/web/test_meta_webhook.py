"""`GET`/`POST /meta/webhook`: every bad input answered clearly, nothing stored or queued for it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from integrations.meta.signature import sign
from metaops import create_app, runtime
from metaops import settings as settings_mod
from metaops.queue import streams
from store.models import WebhookEvent
from tests.constants import APP_SECRET, VERIFY_TOKEN
from tests.helpers import post_webhook, wa_message, wa_payload


def _stored(rt) -> int:
    with rt.db.session() as s:
        return s.scalar(select(func.count()).select_from(WebhookEvent))


def _queued(rt) -> int:
    return streams.waiting(rt.redis)


def test_verification_echoes_the_challenge(client):
    r = client.get("/meta/webhook", query_string={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN,
                                                   "hub.challenge": "1158201444"})
    assert r.status_code == 200 and r.data == b"1158201444" and r.mimetype == "text/plain"


def test_verification_refuses_a_wrong_token_or_mode(client):
    wrong = client.get("/meta/webhook", query_string={"hub.mode": "subscribe", "hub.verify_token": "nope",
                                                       "hub.challenge": "1"})
    mode = client.get("/meta/webhook", query_string={"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN,
                                                      "hub.challenge": "1"})
    bare = client.get("/meta/webhook")
    assert (wrong.status_code, mode.status_code, bare.status_code) == (403, 403, 403)
    assert b"1" not in wrong.data


@pytest.mark.both_databases  # the stored raw body (BLOB or bytea) and its state
def test_good_event_is_stored_then_queued(client, rt):
    r = post_webhook(client, wa_payload([wa_message("wamid.G1", "15550001234", "hi")]))
    assert r.status_code == 200
    assert _stored(rt) == 1 and _queued(rt) == 1
    with rt.db.session() as s:
        event = s.scalars(select(WebhookEvent)).one()
    assert event.state == "received" and b"wamid.G1" in event.body


def test_missing_or_wrong_signature_is_401(client, rt):
    body = json.dumps(wa_payload([wa_message("wamid.X", "1555", "x")])).encode()
    assert post_webhook(client, body, signature="").status_code == 401
    assert post_webhook(client, body, secret="not-the-app-secret").status_code == 401
    assert post_webhook(client, body, signature="sha1=" + "0" * 40).status_code == 401
    assert post_webhook(client, body, signature="sha256=zz").status_code == 401
    assert _stored(rt) == 0 and _queued(rt) == 0


def test_signature_is_over_the_raw_bytes_not_a_reserialised_body(client, rt):
    raw = b'{"object": "whatsapp_business_account",   "entry": []}'
    reserialised_sig = sign(json.dumps(json.loads(raw)).encode(), "test-meta-app-secret")
    assert post_webhook(client, raw, signature=reserialised_sig).status_code == 401
    assert post_webhook(client, raw).status_code == 200


def test_body_over_one_mib_is_413(client, rt):
    big = json.dumps({"object": "page", "entry": [], "pad": "x" * (1024 * 1024)}).encode()
    assert post_webhook(client, big).status_code == 413
    assert _stored(rt) == 0


def test_signed_body_that_is_not_json_is_400(client, rt):
    assert post_webhook(client, b"not json {").status_code == 400
    assert post_webhook(client, b"[1, 2, 3]").status_code == 400
    assert post_webhook(client, b"\xff\xfe").status_code == 400
    assert _stored(rt) == 0 and _queued(rt) == 0


def test_unknown_object_and_fields_are_accepted_and_kept(client, rt, fake_slack):
    from tests.helpers import connect_whatsapp, run_worker

    connect_whatsapp(rt)
    odd = {"object": "whatsapp_business_account",
           "entry": [{"id": "102290129340398", "changes": [{"field": "brand_new_field", "value": {"x": 1}}]}]}
    assert post_webhook(client, odd).status_code == 200
    odd["entry"][0]["changes"][0]["value"] = {"x": 2}  # another event of the same unknown kind
    assert post_webhook(client, odd).status_code == 200
    run_worker(rt)
    [note] = fake_slack.messages  # one short note per kind, not one per event
    assert "brand_new_field" in note["text"] and note["channel"] == "C1"
    with rt.db.session() as s:
        assert s.scalars(select(WebhookEvent.state)).all() == ["done", "done"]


def test_database_down_is_503_and_nothing_queued(config, redis_conn):
    down = settings_mod.from_mapping({**config, "DATABASE_URL": "postgresql+psycopg://root@127.0.0.1:1/nothing"})
    app = create_app(down)
    try:
        r = post_webhook(app.test_client(), wa_payload([wa_message("wamid.D", "1555", "x")]))
        assert r.status_code == 503
        assert streams.waiting(redis_conn) == 0
    finally:
        runtime.install(None)


def test_a_body_shorter_than_its_content_length_is_400_and_counted(client, rt):
    # The POST is answered ahead of Flask (meta_webhook.Receiver): a client that stops mid-body is refused as
    # Werkzeug would, and its request is counted with its reason.
    body = json.dumps(wa_payload([wa_message("wamid.S", "1555", "x")])).encode()
    r = client.post("/meta/webhook", data=body[:100], environ_overrides={"CONTENT_LENGTH": str(len(body))},
                    headers={"X-Hub-Signature-256": sign(body, APP_SECRET)})
    bad = client.post("/meta/webhook", data=body, environ_overrides={"CONTENT_LENGTH": "12x"},
                      headers={"X-Hub-Signature-256": sign(body, APP_SECRET)})
    assert (r.status_code, bad.status_code) == (400, 400) and r.mimetype == "text/plain"
    assert _stored(rt) == 0 and _queued(rt) == 0
    assert rt.redis.hget("metaops:metrics", "webhooks_rejected|reason=body") == b"2"


def test_answers_carry_a_length_and_other_methods_and_paths_stay_with_flask(client, rt):
    ok = post_webhook(client, wa_payload([wa_message("wamid.L", "1555", "x")]))
    assert ok.status_code == 200 and ok.data == b"OK" and ok.headers["Content-Length"] == "2"
    assert ok.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert client.put("/meta/webhook", data=b"{}").status_code == 405  # Flask: the path takes GET only
    assert client.post("/meta/webhook/", data=b"{}").status_code == 404
    assert _stored(rt) == 1


def test_an_unexpected_failure_is_500_and_counted(client, rt, monkeypatch):
    # A bug past the checks (here the partition key raising) answers 500 without a traceback in the answer.
    def broken(_data: object) -> int:
        raise KeyError("boom")

    monkeypatch.setattr(streams, "partition_of", broken)
    r = post_webhook(client, wa_payload([wa_message("wamid.E", "1555", "x")]))
    assert r.status_code == 500 and b"boom" not in r.data and b"Traceback" not in r.data
    assert _stored(rt) == 0
    assert rt.redis.hget("metaops:metrics", "webhooks_rejected|reason=500") == b"1"
