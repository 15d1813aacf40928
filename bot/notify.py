"""Notification formatting: what the worker posts for each webhook item (text fallback + Block Kit)."""

from __future__ import annotations

from typing import Any

from bot import messages
from integrations.meta.payload import Item

Post = tuple[str, list[dict[str, Any]]]


def escape(text: str) -> str:
    """Slack mrkdwn control characters, so customer text cannot mention @channel or fake links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plus(number: str | None) -> str:
    digits = str(number or "").lstrip("+")
    return f"+{digits}" if digits else "unknown number"


def whatsapp_message(item: Item) -> Post:
    m = item.data
    profile = (item.contact or {}).get("profile") or {}
    name = escape(str(profile.get("name") or messages.UNKNOWN_CONTACT))
    number = plus(m.get("from"))
    body = describe(m)
    text = messages.WA_MESSAGE.format(who=f"{name} ({number})", body=body)
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{name}* {number}\n{body}"}},
    ]
    return text, blocks


def whatsapp_failed(item: Item) -> Post:
    s = item.data
    err = next(iter(s.get("errors") or []), {}) or {}
    details = (err.get("error_data") or {}).get("details") or err.get("message") or ""
    text = messages.WA_FAILED.format(
        recipient=plus(s.get("recipient_id")), code=err.get("code", "?"), title=escape(str(err.get("title", ""))),
        details=f" — {escape(str(details))}" if details else "",
    )
    return text, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]


def describe(m: dict[str, Any]) -> str:
    """The text of a WhatsApp message, or a one-line description of what it carries."""
    kind = str(m.get("type") or "unsupported")
    part = m.get(kind) if isinstance(m.get(kind), dict) else {}
    if kind == "text":
        return escape(str(part.get("body", "")))
    label = messages.WA_TYPES.get(kind, messages.WA_TYPES["unsupported"])
    detail = ""
    if kind in ("image", "video", "audio", "voice", "document", "sticker"):
        detail = part.get("caption") or part.get("filename") or ""
    elif kind == "location":
        place = ", ".join(str(x) for x in (part.get("name"), part.get("address")) if x)
        lat, lng = part.get("latitude"), part.get("longitude")
        link = f"<https://maps.google.com/?q={lat},{lng}|map>" if lat is not None and lng is not None else ""
        return " ".join(x for x in (label + ":", escape(place), link) if x)
    elif kind == "contacts":
        detail = ", ".join(str((c.get("name") or {}).get("formatted_name", "")) for c in m.get("contacts") or [])
    elif kind == "interactive":
        reply = part.get("button_reply") or part.get("list_reply") or {}
        detail = reply.get("title", "")
    elif kind == "button":
        detail = part.get("text", "")
    elif kind == "reaction":
        emoji = part.get("emoji")
        return f"{label} {escape(emoji)} added" if emoji else f"{label} removed"
    elif kind == "order":
        detail = f"{len(part.get('product_items') or [])} item(s)"
    elif kind == "system":
        detail = part.get("body", "")
    elif kind not in messages.WA_TYPES:
        detail = kind
    return f"{label}: {escape(str(detail))}" if detail else label


STATUS_MARK = {"APPROVED": ":white_check_mark:", "REJECTED": ":x:", "PENDING": ":hourglass_flowing_sand:",
               "PAUSED": ":double_vertical_bar:", "DISABLED": ":no_entry:", "FLAGGED": ":warning:",
               "IN_APPEAL": ":scales:", "PENDING_DELETION": ":wastebasket:", "DELETED": ":wastebasket:"}


def template_status(value: dict[str, Any]) -> Post:
    name, lang = escape(str(value.get("message_template_name", "?"))), value.get("message_template_language", "?")
    status = str(value.get("event", "?"))
    parts = [f"{STATUS_MARK.get(status, ':information_source:')} Template *{name}* ({lang}) is now *{status}*"]
    if value.get("reason") not in (None, "NONE", ""):
        parts.append(f"Reason: {escape(str(value['reason']))}")
    other = value.get("other_info") or {}
    if other.get("title") or other.get("description"):
        parts.append("Meta says: " + escape(" — ".join(str(x) for x in (other.get("title"), other.get("description"))
                                                        if x)))
    return _simple("\n".join(parts))


def template_category(value: dict[str, Any]) -> Post:
    name, lang = escape(str(value.get("message_template_name", "?"))), value.get("message_template_language", "?")
    new = value.get("new_category") or value.get("correct_category") or "?"
    return _simple(f":label: Template *{name}* ({lang}) category changed from "
                   f"{value.get('previous_category', '?')} to *{new}*")


def template_quality(value: dict[str, Any]) -> Post:
    name, lang = escape(str(value.get("message_template_name", "?"))), value.get("message_template_language", "?")
    return _simple(f":bar_chart: Template *{name}* ({lang}) quality changed from "
                   f"{value.get('previous_quality_score', '?')} to *{value.get('new_quality_score', '?')}*")


def _simple(text: str) -> Post:
    return text, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
