"""Meta webhook payloads turned into items: one per message, status or update, each with a dedupe key.

WhatsApp sends `entry[].changes[].value` with `messages`, `statuses` and `contacts`; Pages and Instagram
send `entry[].messaging[]` or `changes`. Meta batches many entries and items into one POST.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import UTC, datetime
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
    metadata: dict[str, Any] = dataclass_field(default_factory=dict)  # value.metadata (phone_number_id, ...)
    contact: dict[str, Any] | None = None  # the sender's profile, for messages
    sent_at: float | None = None  # Meta's time of the item (its own timestamp, else its entry's), Unix seconds

    @property
    def business_id(self) -> str:
        """The business number (phone_number_id) the item belongs to, else the asset."""
        return str(self.metadata.get("phone_number_id") or self.asset_id)


def items(payload: dict[str, Any]) -> Iterator[Item]:
    obj = str(payload.get("object", ""))
    for entry in _dicts(payload.get("entry")):
        asset = str(entry.get("id", ""))
        when = entry.get("time")  # Meta's Unix seconds: part of the key of an item with no id of its own
        for change in _dicts(entry.get("changes")):
            for item in _change_items(obj, asset, str(change.get("field", "")), change.get("value"), when):
                yield _dated(item, when)
        for m in _dicts(entry.get("messaging")):
            yield _dated(_messaging_item(obj, asset, m, when), when)
        for m in _dicts(entry.get("standby")):  # a conversation another app (Meta's AI agent) holds
            item = _messaging_item(obj, asset, m, when)
            yield _dated(replace(item, field="standby", kind=STANDBY_KINDS.get(item.kind, "agent_receipt")), when)


def _dated(item: Item, when: Any) -> Item:
    return replace(item, sent_at=unix_seconds(item.data.get("timestamp")) or unix_seconds(when))


def unix_seconds(value: Any) -> float | None:
    """A time as Meta writes it (Unix seconds or milliseconds, as a number or a string, or ISO 8601) in Unix
    seconds; None when it is none of these."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        t = float(value)
    except (TypeError, ValueError):
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            return None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
    if t != t or t <= 0:  # NaN, or no time at all
        return None
    return t / 1000 if t > 1e11 else t  # after 1973 in milliseconds, before 5138 in seconds


def _messaging_item(obj: str, asset: str, m: dict[str, Any], when: Any = None) -> Item:
    """Messenger and Instagram Direct: a message, a postback, a reaction, an edit or deletion, a referral, or
    receipts and echoes of our own."""
    message = m.get("message") if isinstance(m.get("message"), dict) else None
    if message is not None:
        kind = "echo" if message.get("is_echo") else "dm_delete" if message.get("is_deleted") else "dm"
        mid = message.get("mid") if kind != "dm_delete" else None  # a deletion shares its message's mid
    elif isinstance(m.get("postback"), dict):
        kind, mid = "postback", m["postback"].get("mid")
    elif isinstance(m.get("reaction"), dict):
        kind, mid = "dm_reaction", None
    elif isinstance(m.get("message_edit"), dict):
        kind, mid = "dm_edit", None
    elif isinstance(m.get("referral"), dict):
        kind, mid = "referral", None
    elif "delivery" in m or "read" in m:
        kind, mid = "receipt", None
    elif any(isinstance(m.get(k), dict) for k in HANDOVER_EVENTS):
        kind, mid = "messaging_handovers", None
    else:
        kind, mid = "messaging", None
    key = f"{obj}:{kind}:{mid}" if mid else _key(obj, asset, kind, m, when)
    sender: dict[str, Any] = m["sender"] if isinstance(m.get("sender"), dict) else {}
    return Item(asset, obj, "messaging", kind, key, m, contact={"id": str(sender.get("id", ""))})


def _change_items(obj: str, asset: str, fld: str, value: Any, when: Any = None) -> Iterator[Item]:
    if not isinstance(value, dict):
        yield Item(asset, obj, fld, fld, _key(obj, asset, fld, value, when), {"value": value})
        return
    if obj == "whatsapp_business_account" and fld == "standby":  # as `messages` holds them, marked as held
        yield from (replace(i, field=fld, kind=STANDBY_KINDS[i.kind])
                    for i in _change_items(obj, asset, "messages", value, when) if i.kind in STANDBY_KINDS)
        return
    metadata: dict[str, Any] = value["metadata"] if isinstance(value.get("metadata"), dict) else {}
    if obj != "whatsapp_business_account" or fld not in WA_ITEM_FIELDS:
        # a WhatsApp field about one number (history, smb_app_state_sync) names it in value.metadata
        yield Item(asset, obj, fld, fld, _key(obj, asset, fld, value, when), value,
                   metadata if obj == "whatsapp_business_account" else {})
        return
    contacts = _contacts(value)
    for m in _dicts(value.get("messages")):
        mid = m.get("id") or _digest(m)
        contact = _sender(contacts, m.get("from_user_id"), m.get("from"))
        kind = CHANGE_KINDS.get(str(m.get("type")), "message")
        yield Item(asset, obj, fld, kind, f"wa:msg:{mid}", m, metadata, contact)
        if m.get("type") in MEDIA_TYPES:  # the file is delivered apart, so a failed upload never reposts the text
            yield Item(asset, obj, fld, "media", f"wa:media:{mid}", m, metadata, contact)
    for s in _dicts(value.get("statuses")):
        sid = s.get("id") or _digest(s)
        contact = contacts.get(str(s.get("recipient_user_id"))) or contacts.get(str(s.get("recipient_id")))
        kind = "call_status" if s.get("type") == "call" else "status"
        yield Item(asset, obj, fld, kind, f"wa:{kind}:{sid}:{s.get('status')}", s, metadata, contact)
    for c in _dicts(value.get("calls")):  # a customer's call: connect, then terminate
        customer = ("to_user_id", "to") if c.get("direction") == "BUSINESS_INITIATED" else ("from_user_id", "from")
        contact = _sender(contacts, *(c.get(k) for k in customer))
        yield Item(asset, obj, fld, "call", f"wa:call:{c.get('id') or _digest(c)}:{c.get('event')}", c, metadata,
                   contact)
    for g in _dicts(value.get("groups")):  # a WhatsApp group's lifecycle, participants, settings or status
        yield Item(asset, obj, fld, "group_event", _key(obj, asset, fld, g, when), g, metadata)
    for e in _dicts(value.get("errors")):  # errors about the number itself, not one message
        yield Item(asset, obj, fld, "error", _key(obj, asset, "errors", e, when), e, metadata)
    for p in _dicts(value.get("user_preferences")):  # marketing messages stopped or resumed
        contact = contacts.get(str(p.get("user_id"))) or contacts.get(str(p.get("wa_id")))
        yield Item(asset, obj, fld, "user_preference", _key(obj, asset, fld, p, when), p, metadata, contact)
    for m in _dicts(value.get("message_echoes")):  # sent from the WhatsApp Business app on the same number
        mid = m.get("id") or _digest(m)
        contact = contacts.get(str(m.get("to_user_id"))) or contacts.get(str(m.get("to")))
        yield Item(asset, obj, fld, "app_echo", f"wa:echo:{mid}", m, metadata, contact)


# fields whose value holds items
WA_ITEM_FIELDS = ("messages", "user_preferences", "smb_message_echoes", "calls", "group_lifecycle_update",
                  "group_participants_update", "group_settings_update", "group_status_update")
# WhatsApp messages that change an earlier one (or say nothing new): items of their own kind
CHANGE_KINDS = {"edit": "edit", "revoke": "revoke", "reaction": "reaction"}
# What a held conversation's items are (the `standby` field): the customer's messages and files, the holder's
# replies (echoes), their statuses and receipts. Messenger's echo and dm kinds map the same way.
STANDBY_KINDS = {"message": "agent_inbound", "media": "agent_media", "app_echo": "agent_echo",
                 "status": "agent_receipt", "dm": "agent_inbound", "echo": "agent_echo", "receipt": "agent_receipt"}
HANDOVER_EVENTS = ("pass_thread_control", "take_thread_control", "request_thread_control", "app_roles")


@dataclass(frozen=True)
class Person:
    """Who a WhatsApp item is from or to: the BSUID (always, since 2026), the phone while it is shared,
    the username and the profile name when Meta gives them."""

    bsuid: str | None = None
    phone: str | None = None
    parent_bsuid: str | None = None
    username: str | None = None
    name: str | None = None


def person(item: Item) -> Person:
    """The customer an item is about: a message's sender, a status's or an echo's recipient, a preference's
    owner. Fields come from the item first, then from its `contacts[]` entry."""
    d, c = item.data, item.contact or {}
    profile: dict[str, Any] = c["profile"] if isinstance(c.get("profile"), dict) else {}
    if item.kind in ("status", "call_status", "agent_receipt"):
        bsuid, phone = d.get("recipient_user_id"), d.get("recipient_id")
        parent = d.get("parent_recipient_user_id") or d.get("recipient_parent_user_id") or d.get("parent_user_id")
    elif item.kind in ("app_echo", "agent_echo"):
        bsuid, phone, parent = d.get("to_user_id"), d.get("to"), d.get("to_parent_user_id")
    elif item.kind == "user_preference":
        bsuid, phone, parent = d.get("user_id"), d.get("wa_id"), d.get("parent_user_id")
    elif item.kind == "call" and d.get("direction") == "BUSINESS_INITIATED":
        bsuid, phone, parent = d.get("to_user_id"), d.get("to"), d.get("to_parent_user_id")
    else:
        bsuid, phone, parent = d.get("from_user_id"), d.get("from"), d.get("from_parent_user_id")
    if item.kind == "status" and d.get("recipient_type") == "group":  # recipient_id names the group
        phone, bsuid = d.get("recipient_participant_id"), d.get("recipient_participant_user_id")
    return Person(bsuid=_text(bsuid or c.get("user_id")), phone=_text(phone or c.get("wa_id")),
                  parent_bsuid=_text(parent or c.get("parent_user_id")),
                  username=_text(profile.get("username") or c.get("username")), name=_text(profile.get("name")))


def _contacts(value: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`contacts[]` by BSUID and by phone: since 2026 a contact may have no phone (`wa_id`)."""
    found: dict[str, dict[str, Any]] = {}
    for c in _dicts(value.get("contacts")):
        for k in ("user_id", "wa_id"):
            if c.get(k):
                found[str(c[k])] = c
    return found


def _sender(contacts: dict[str, dict[str, Any]], *ids: Any) -> dict[str, Any] | None:
    """The `contacts[]` entry of an item's customer; an item that names nobody (a contact shared after a contact
    request carries no `from`) is the only contact's, when there is one."""
    if any(ids):
        return next((contacts[str(i)] for i in ids if i and str(i) in contacts), None)
    found = {id(c): c for c in contacts.values()}
    return next(iter(found.values())) if len(found) == 1 else None


def _text(v: Any) -> str | None:
    return str(v) if v not in (None, "") else None


def _dicts(v: Any) -> list[dict[str, Any]]:
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


def _key(obj: str, asset: str, fld: str, value: Any, when: Any = None) -> str:
    """The key of an item with no id of its own: its content and its time (the item's own timestamp, else the
    entry's `time`), so a redelivery keeps its key while the same update sent again later (a template paused
    in March and again in May) is a new item."""
    own = value.get("timestamp") if isinstance(value, dict) else None
    t = str(own or when or "")[:20]
    return f"{obj}:{asset}:{fld}:{t}:{_digest(value)}" if t else f"{obj}:{asset}:{fld}:{_digest(value)}"


def _digest(value: Any) -> str:
    # Meta redelivers the same JSON; a digest of its canonical form identifies an item with no id of its own.
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:40]
