"""Meta's side: WhatsApp Cloud API payloads (shaped after its webhook docs), the payload files in
tests/fixtures/meta/ with their event changed where a test needs it, and signed POSTs to /meta/webhook."""

from __future__ import annotations

import json
from typing import Any

from integrations.meta.signature import sign
from tests.constants import APP_SECRET, DISPLAY, FIXTURES, PHONE_ID, WABA


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


def fixture(name: str, text: str | None = None, **overrides: Any) -> dict[str, Any]:
    """The Meta webhook payload in tests/fixtures/meta/`name`, with its one event changed where a test needs it.

    The event is what the payload is about: the WhatsApp message (or status) of a `messages` change, the
    `messaging` event of a Page or Instagram DM, else the change's `value`. `overrides` set the event's fields
    (id="wamid.second", timestamp="1700000001", message_template_name="order_update"); a dict merges into the
    dict already there (document={"filename": "big.pdf"} keeps the media id). `text` sets what the customer wrote.
    """
    payload = json.loads((FIXTURES / "meta" / name).read_text())
    event = _event(payload)
    merge(event, overrides)
    if text is not None:
        if isinstance(event.get("text"), dict):
            event["text"]["body"] = text  # WhatsApp
        elif isinstance(event.get("message"), dict):
            event["message"]["text"] = text  # Messenger, Instagram DM
        else:
            event["text" if "text" in event else "message"] = text  # Instagram comment, Page feed
    return payload


def batch(*payloads: dict[str, Any]) -> dict[str, Any]:
    """Several payloads of one object delivered in one POST, as Meta batches them: their entries, in order."""
    first, *rest = payloads
    assert all(p["object"] == first["object"] for p in rest)
    return {**first, "entry": [e for p in payloads for e in p["entry"]]}


def _event(payload: dict[str, Any]) -> dict[str, Any]:
    [entry] = payload["entry"]
    for key in ("messaging", "standby"):  # a Page's or account's events, or those of a conversation another app holds
        if key in entry:
            [event] = entry[key]
            return event
    [change] = entry["changes"]
    value = change["value"]
    for key in ("messages", "statuses", "calls", "groups", "message_echoes"):
        if key in value:
            [event] = value[key]
            return event
    return value


def merge(into: dict[str, Any], changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value
