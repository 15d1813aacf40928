"""Meta webhook payloads turned into items: one per message, status or update, each with a dedupe key.

WhatsApp sends `entry[].changes[].value` with `messages`, `statuses` and `contacts`; Pages and Instagram
send `entry[].messaging[]` or `changes`. Meta batches many entries and items into one POST.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")  # WhatsApp messages that carry a file


@dataclass(frozen=True)
class Item:
    asset_id: str  # entry[].id: WABA, Page or Instagram account id
    object: str  # payload "object": whatsapp_business_account, page, instagram
    field: str  # the change's field, or "messaging"
    kind: str  # message, status, or the field's name for anything else
    key: str  # dedupe key: the same item redelivered has the same key
    data: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)  # value.metadata (phone_number_id, ...)
    contact: dict[str, Any] | None = None  # the sender's profile, for messages

    @property
    def business_id(self) -> str:
        """The business number (phone_number_id) the item belongs to, else the asset."""
        return str(self.metadata.get("phone_number_id") or self.asset_id)


def items(payload: dict[str, Any]) -> Iterator[Item]:
    obj = str(payload.get("object", ""))
    for entry in _dicts(payload.get("entry")):
        asset = str(entry.get("id", ""))
        for change in _dicts(entry.get("changes")):
            yield from _change_items(obj, asset, str(change.get("field", "")), change.get("value"))
        for m in _dicts(entry.get("messaging")):
            yield _messaging_item(obj, asset, m)


def _messaging_item(obj: str, asset: str, m: dict[str, Any]) -> Item:
    """Messenger and Instagram Direct: a message, a postback, a reaction, or receipts and echoes of our own."""
    message = m.get("message") if isinstance(m.get("message"), dict) else None
    if message is not None:
        kind = "echo" if message.get("is_echo") else "dm"
        mid = message.get("mid")
    elif isinstance(m.get("postback"), dict):
        kind, mid = "postback", m["postback"].get("mid")
    elif isinstance(m.get("reaction"), dict):
        kind, mid = "dm_reaction", None
    elif "delivery" in m or "read" in m:
        kind, mid = "receipt", None
    else:
        kind, mid = "messaging", None
    key = f"{obj}:{kind}:{mid}" if mid else _key(obj, asset, kind, m)
    sender = m.get("sender") if isinstance(m.get("sender"), dict) else {}
    return Item(asset, obj, "messaging", kind, key, m, contact={"id": str(sender.get("id", ""))})


def _change_items(obj: str, asset: str, fld: str, value: Any) -> Iterator[Item]:
    if not isinstance(value, dict):
        yield Item(asset, obj, fld, fld, _key(obj, asset, fld, value), {"value": value})
        return
    if fld != "messages" or obj != "whatsapp_business_account":
        yield Item(asset, obj, fld, fld, _key(obj, asset, fld, value), value)
        return
    metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
    contacts = {str(c.get("wa_id")): c for c in _dicts(value.get("contacts"))}
    for m in _dicts(value.get("messages")):
        mid = m.get("id") or _digest(m)
        contact = contacts.get(str(m.get("from")))
        yield Item(asset, obj, fld, "message", f"wa:msg:{mid}", m, metadata, contact)
        if m.get("type") in MEDIA_TYPES:  # the file is delivered apart, so a failed upload never reposts the text
            yield Item(asset, obj, fld, "media", f"wa:media:{mid}", m, metadata, contact)
    for s in _dicts(value.get("statuses")):
        sid = s.get("id") or _digest(s)
        yield Item(asset, obj, fld, "status", f"wa:status:{sid}:{s.get('status')}", s, metadata)
    for e in _dicts(value.get("errors")):  # errors about the number itself, not one message
        yield Item(asset, obj, fld, "error", _key(obj, asset, "errors", e), e, metadata)


def _dicts(v: Any) -> list[dict[str, Any]]:
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


def _key(obj: str, asset: str, fld: str, value: Any) -> str:
    return f"{obj}:{asset}:{fld}:{_digest(value)}"


def _digest(value: Any) -> str:
    # Meta redelivers the same JSON; a digest of its canonical form identifies an item with no id of its own.
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:40]
