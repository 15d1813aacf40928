"""Test helpers: Meta payloads shaped after the WhatsApp Cloud API docs, signed requests, seeding, workers."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from rq.scheduler import RQScheduler
from slack_sdk.signature import SignatureVerifier

from integrations.meta.signature import sign
from metaops.runtime import Runtime
from metaops.worker import Worker
from store import workspaces
from store.models import MetaConnection
from tests.conftest import APP_SECRET, SIGNING_SECRET

WABA = "102290129340398"
PHONE_ID = "106540352242922"
DISPLAY = "15550783881"


def wa_message(msg_id: str, sender: str, text: str, ts: int = 1700000000) -> dict[str, Any]:
    return {"from": sender, "id": msg_id, "timestamp": str(ts), "type": "text", "text": {"body": text}}


def wa_payload(messages: list[dict[str, Any]], names: dict[str, str] | None = None, waba: str = WABA,
               phone_id: str = PHONE_ID, statuses: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    senders = {m["from"] for m in messages}
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": DISPLAY, "phone_number_id": phone_id},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": (names or {}).get(s, f"Customer {s[-4:]}")}, "wa_id": s}
                             for s in sorted(senders)]
        value["messages"] = messages
    if statuses:
        value["statuses"] = statuses
    return {"object": "whatsapp_business_account",
            "entry": [{"id": waba, "changes": [{"value": value, "field": "messages"}]}]}


def post_webhook(client: Any, payload: dict[str, Any] | bytes, secret: str = APP_SECRET,
                 signature: str | None = None) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json",
               "X-Hub-Signature-256": signature if signature is not None else sign(body, secret)}
    return client.post("/meta/webhook", data=body, headers=headers)


def post_webhook_raw(base_url: str, payload: dict[str, Any], secret: str = APP_SECRET) -> Any:
    """The same, over real HTTP to a running web process."""
    import requests

    body = json.dumps(payload).encode()
    return requests.post(f"{base_url}/meta/webhook", data=body, timeout=10,
                         headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, secret)})


def slack_headers(body: bytes, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Headers Slack sends: X-Slack-Signature is v0=HMAC-SHA256 of 'v0:{ts}:{body}'."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    sig = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig,
            "Content-Type": "application/x-www-form-urlencoded"}


def slash_command(client: Any, text: str, user: str = "U1", team: str = "T1", channel: str = "C1",
                  response_url: str = "http://127.0.0.1:9/response", **kw: Any) -> Any:
    body = urlencode({"command": "/meta", "text": text, "user_id": user, "team_id": team, "channel_id": channel,
                      "response_url": response_url, "trigger_id": "13345224609.8534564800"}).encode()
    headers = slack_headers(body, **kw)
    return client.post("/slack/events", data=body, headers=headers)


def interact(client: Any, payload: dict[str, Any], **kw: Any) -> Any:
    """An interactivity request (block_actions, view_submission), signed as Slack signs it."""
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return client.post("/slack/events", data=body, headers=slack_headers(body, **kw))


def connect_whatsapp(rt: Runtime, team: str = "T1", channel: str = "C1", waba: str = WABA,
                     phone_id: str = PHONE_ID, token: str = "EAAtest-user-token") -> None:
    """Store what /meta connect stores for one WhatsApp Business Account."""
    with rt.db.session() as s:
        ws = workspaces.ensure_workspace(s, team, "Test team")
        ws.connect_channel = channel
        conn = MetaConnection(team_id=team, meta_user_id="10001", meta_user_name="Test Admin",
                              token_enc=rt.crypto.encrypt(token), permissions=["whatsapp_business_messaging"],
                              connected_by="U1", channel_id=channel)
        s.add(conn)
        s.flush()
        workspaces.add_whatsapp_account(s, conn, waba, "Test WABA", [
            {"id": phone_id, "display_phone_number": DISPLAY, "verified_name": "Test Co", "quality_rating": "GREEN"}])


def run_worker(rt: Runtime) -> None:
    """The Procfile's worker class, in burst mode: runs every queued job, then returns."""
    Worker([rt.queue], connection=rt.redis).work(burst=True, logging_level="WARNING")


def run_due_scheduled(rt: Runtime) -> None:
    """What the worker's scheduler does each second: move due scheduled jobs onto the queue."""
    scheduler = RQScheduler([rt.queue], connection=rt.redis)
    scheduler.prepare_registries([rt.queue.name])
    scheduler.enqueue_scheduled_jobs()


def connect_page(rt: Runtime, token: str, team: str = "T1", page_id: str = "PAGE1", name: str = "Acme Page 1",
                 ig_id: str | None = "IG1", ig_username: str = "acme") -> None:
    """Store a connected Page (with its page token) and its Instagram account, as /meta page connect does."""
    from store.models import InstagramAccount, Page

    with rt.db.session() as s:
        conn = workspaces.connection_of(s, team)
        page = Page(id=page_id, connection=conn, team_id=team, name=name, category="Retail",
                    token_enc=rt.crypto.encrypt(token), connected=True)
        s.add(page)
        if ig_id:
            s.add(InstagramAccount(id=ig_id, page=page, team_id=team, username=ig_username, name="Acme",
                                   connected=True))


def slack_event(client: Any, event: dict[str, Any], team: str = "T1", retry: int | None = None,
                event_id: str = "Ev0001") -> Any:
    """An Events API delivery, signed as Slack signs it; `retry` sets X-Slack-Retry-Num."""
    body = json.dumps({"token": "x", "team_id": team, "api_app_id": "A1", "type": "event_callback",
                       "event_id": event_id, "event_time": 1700000000, "event": event}).encode()
    headers = {**slack_headers(body), "Content-Type": "application/json"}
    if retry is not None:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    return client.post("/slack/events", data=body, headers=headers)


def later(client: Any, fake_slack: Any, words: str, user: str = "U_ADMIN") -> dict[str, Any]:
    """A slow /meta command: acked with "working on it", answered through response_url."""
    fake_slack.calls.clear()
    r = slash_command(client, words, user=user, response_url=fake_slack.url + "/response")
    assert "Working" in r.get_json()["text"]
    [answer] = fake_slack.responses()
    return answer
