"""What a WhatsApp message says, as one Slack mrkdwn text: its text, or a description of what it carries (one
describer per message type, one per interactive reply type). Any shape Meta sends (a string where an object was
expected, nulls, numbers as strings) is described, never raised on."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from integrations.slack.mrkdwn import escape
from metaops import messages
from metaops.delivery import referrals
from metaops.delivery.when import slack_date

Describer = Callable[[dict[str, Any], dict[str, Any]], str]  # (the type's own object, the message) -> text


def describe(m: dict[str, Any], inline_answers: bool = True) -> str:
    """The message's text or description, with its forwarded mark and the ad or post that brought it. A Flow's
    answers are lines of it, or (`inline_answers` False) left to the post's fields (`answers`)."""
    pairs = [] if inline_answers else answers(m)
    body = _flow_head(_dict(_dict(m.get("interactive")).get("nfm_reply"))) if pairs else _body(m)
    context = _dict(m.get("context"))
    if context.get("frequently_forwarded"):
        body = f"{messages.WA_FORWARDED_MANY} {body}"
    elif context.get("forwarded"):
        body = f"{messages.WA_FORWARDED} {body}"
    referral = referrals.whatsapp(_dict(m.get("referral")))
    return f"{body}\n{referral}" if referral else body


def answers(m: dict[str, Any]) -> list[tuple[str, str]]:
    """A Flow's answers (label, value), for a post's fields; empty for any other message."""
    interactive = _dict(m.get("interactive"))
    if m.get("type") != "interactive" or interactive.get("type") != "nfm_reply":
        return []
    return _flow_answers(_dict(interactive.get("nfm_reply")))


def _body(m: dict[str, Any]) -> str:
    kind = str(m.get("type") or "unsupported")
    part = _dict(m.get(kind))
    describer = DESCRIBERS.get(kind)
    if describer is None:
        return _unsupported({}, m) if kind in ("unsupported", "unknown") else \
            f"{messages.WA_TYPES['unsupported']}: {escape(kind)}"
    return describer(part, m)


def _text(part: dict[str, Any], m: dict[str, Any]) -> str:
    body = part.get("body") if part else m.get("text")
    return escape(str(body)) if isinstance(body, str | int | float) and str(body) else messages.WA_EMPTY_TEXT


def _media(part: dict[str, Any], m: dict[str, Any]) -> str:
    kind = str(m.get("type"))
    label = messages.WA_TYPES["voice"] if kind == "audio" and part.get("voice") else messages.WA_TYPES[kind]
    return _labelled(label, part.get("caption") or part.get("filename"))


def _location(part: dict[str, Any], m: dict[str, Any]) -> str:
    place = ", ".join(str(x) for x in (part.get("name"), part.get("address")) if x)
    lat, lng = _number(part.get("latitude")), _number(part.get("longitude"))
    link = f"<https://maps.google.com/?q={lat},{lng}|map>" if lat is not None and lng is not None else ""
    return " ".join(x for x in (messages.WA_TYPES["location"] + ":", escape(place), link) if x)


def _contacts(part: dict[str, Any], m: dict[str, Any]) -> str:
    names = [_contact_name(c) for c in m.get("contacts") or [] if isinstance(c, dict)]
    return _labelled(messages.WA_TYPES["contacts"], ", ".join(n for n in names if n))


def _contact_name(c: dict[str, Any]) -> str:
    """A shared contact's name: its formatted name, its parts, the vCard's FN line, else its first phone."""
    name = _dict(c.get("name"))
    full = name.get("formatted_name") or " ".join(str(name[k]) for k in ("first_name", "last_name") if name.get(k))
    if not full and isinstance(c.get("vcard"), str):
        full = next((line[3:] for line in c["vcard"].splitlines() if line.startswith("FN:")), "")
    if not full:
        phone = next((p for p in c.get("phones") or [] if isinstance(p, dict) and p.get("phone")), {})
        full = f"+{str(phone['phone']).lstrip('+')}" if phone else ""
    return str(full).strip()


def _interactive(part: dict[str, Any], m: dict[str, Any]) -> str:
    kind = str(part.get("type") or "")
    reply = _dict(part.get(kind))
    if kind in ("button_reply", "list_reply") and (reply.get("title") or reply.get("id")):
        return _labelled(messages.WA_TYPES["interactive"], reply.get("title") or reply.get("id"))
    if kind == "call_permission_reply":
        return _call_permission(reply)
    if kind == "nfm_reply":
        return _flow(reply)
    return messages.WA_INTERACTIVE_UNKNOWN.format(kind=escape(kind.replace("_", " ") or "reply"))


def _call_permission(reply: dict[str, Any]) -> str:
    response = str(reply.get("response") or "").lower()
    if response == "accept":
        until = slack_date(reply.get("expiration_timestamp"))
        how = messages.WA_CALLS_ALWAYS if reply.get("is_permanent") is True else \
            messages.WA_CALLS_UNTIL.format(when=until) if until else ""
        return messages.WA_CALLS_ALLOWED.format(until=how)
    if response == "reject":
        return messages.WA_CALLS_DECLINED
    return messages.WA_CALLS_ANSWERED.format(response=escape(response or "no answer"))


def _flow(reply: dict[str, Any]) -> str:
    head = _flow_head(reply)
    lines = [f"• {label}: {value}" for label, value in _flow_answers(reply)]
    return "\n".join([head, *lines]) if lines else f"{head} {messages.WA_FLOW_EMPTY}"


def _flow_head(reply: dict[str, Any]) -> str:
    name = reply.get("name") if reply.get("name") not in (None, "flow") else None  # "flow": Meta's default
    return messages.WA_FLOW_DONE.format(name=f" *{escape(str(name))}*" if name else "")


def _flow_answers(reply: dict[str, Any]) -> list[tuple[str, str]]:
    """`response_json` (a JSON object as a string; Meta's `flow_token` left out), each answer escaped."""
    raw = reply.get("response_json")
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return [(messages.WA_FLOW_ANSWER, escape(str(raw)))] if raw not in (None, "") else []
    return [(escape(str(k).replace("_", " ").capitalize()), escape(_plain(v)) or "—")
            for k, v in data.items() if k != "flow_token"]


def _plain(v: Any) -> str:
    if isinstance(v, list):
        return ", ".join(_plain(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    return "" if v is None else str(v)


def _button(part: dict[str, Any], m: dict[str, Any]) -> str:
    return _labelled(messages.WA_TYPES["button"], part.get("text") or part.get("payload"))


def _reaction(part: dict[str, Any], m: dict[str, Any]) -> str:
    emoji = part.get("emoji")
    label = messages.WA_TYPES["reaction"]
    return f"{label} {escape(str(emoji))} added" if emoji else f"{label} removed"


def _order(part: dict[str, Any], m: dict[str, Any]) -> str:
    """Each product (retailer id, quantity, unit price) and the total per currency."""
    lines: list[str] = []
    totals: dict[str, float] = {}
    for p in part.get("product_items") or []:
        if not isinstance(p, dict):
            continue
        qty, price, currency = _number(p.get("quantity")) or 1, _number(p.get("item_price")), p.get("currency") or ""
        cost = f" × {_amount(price)} {escape(str(currency))}".rstrip() if price is not None else ""
        lines.append(f"• {escape(str(p.get('product_retailer_id') or '?'))} × {_amount(qty)}{cost}")
        if price is not None:
            totals[str(currency)] = totals.get(str(currency), 0) + qty * price
    total = ", ".join(f"{_amount(v)} {escape(c)}".strip() for c, v in totals.items())
    head = messages.WA_ORDER.format(count=len(lines), total=f", total {total}" if total else "")
    note = escape(str(part.get("text"))) if part.get("text") else ""
    return "\n".join(x for x in (head, note, *lines) if x)


def _system(part: dict[str, Any], m: dict[str, Any]) -> str:
    return _labelled(messages.WA_TYPES["system"], part.get("body") or str(part.get("type") or "").replace("_", " "))


def _unsupported(part: dict[str, Any], m: dict[str, Any]) -> str:
    """Meta could not show it: its own words (the first error's title or details) and the type it named."""
    err = next((e for e in m.get("errors") or [] if isinstance(e, dict)), {})
    why = _dict(err.get("error_data")).get("details") or err.get("details") or err.get("title") or ""
    what = _dict(m.get("unsupported")).get("type") or ""
    detail = " — ".join(escape(str(x)) for x in (what, why) if x)
    return f"{messages.WA_TYPES['unsupported']}: {detail}" if detail else messages.WA_TYPES["unsupported"]


def _edit(part: dict[str, Any], m: dict[str, Any]) -> str:
    return messages.WA_EDITED.format(body=describe(_dict(part.get("message"))))


def _revoke(part: dict[str, Any], m: dict[str, Any]) -> str:
    return messages.WA_DELETED


def _welcome(part: dict[str, Any], m: dict[str, Any]) -> str:
    return messages.WA_REQUEST_WELCOME


DESCRIBERS: dict[str, Describer] = {
    "text": _text,
    **{kind: _media for kind in ("image", "video", "audio", "voice", "document", "sticker")},
    "location": _location,
    "contacts": _contacts,
    "interactive": _interactive,
    "button": _button,
    "reaction": _reaction,
    "order": _order,
    "system": _system,
    "edit": _edit,
    "revoke": _revoke,
    "request_welcome": _welcome,
}


def _labelled(label: str, detail: Any) -> str:
    return f"{label}: {escape(str(detail))}" if detail not in (None, "") else label


def _dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _number(v: Any) -> float | None:
    try:
        return float(v) if v is not None and not isinstance(v, bool) else None
    except (TypeError, ValueError):
        return None


def _amount(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") if v % 1 else str(int(v))
