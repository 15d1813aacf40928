"""Notification formatting: what the worker posts for each webhook item (text fallback + Block Kit)."""

from __future__ import annotations

from typing import Any

from integrations.meta.payload import Item, Person
from integrations.slack.blocks import section
from integrations.slack.mrkdwn import escape
from metaops import messages
from metaops.conversation.naming import Post, customer_post, plus, who


def whatsapp_message(item: Item, sender: Person) -> Post:
    return customer_post(sender, describe(item.data))


def whatsapp_failed(item: Item, recipient: Person) -> Post:
    s = item.data
    err: dict[str, Any] = next(iter(s.get("errors") or []), {}) or {}
    details = (err.get("error_data") or {}).get("details") or err.get("message") or ""
    text = messages.WA_FAILED.format(
        recipient=who(recipient), code=err.get("code", "?"), title=escape(str(err.get("title", ""))),
        details=f" — {escape(str(details))}" if details else "",
    )
    return _simple(text)


def app_echo(item: Item) -> Post:
    """A message the business sent from the WhatsApp Business app on the same number (coexistence)."""
    return _simple(messages.WA_APP_ECHO.format(body=describe(item.data)))


def marketing_preference(customer: Person, stopped: bool) -> Post:
    return _simple((messages.WA_MARKETING_STOP if stopped else messages.WA_MARKETING_RESUME).format(
        who=who(customer)))


def describe(m: dict[str, Any]) -> str:
    """The text of a WhatsApp message, or a one-line description of what it carries."""
    kind = str(m.get("type") or "unsupported")
    part: dict[str, Any] = m[kind] if isinstance(m.get(kind), dict) else {}
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


def _simple(text: str) -> Post:
    return text, [section(text)]


def number_error(item: Item) -> Post:
    e = item.data
    return _simple(messages.WA_NUMBER_ERROR.format(number=plus(item.metadata.get("display_phone_number")),
                                                   code=e.get("code", "?"), title=escape(str(e.get("title", "")))))


def dm_body(message: dict[str, Any]) -> str:
    """The text of a Messenger or Instagram message, or what it carries."""
    parts = [escape(str(message["text"]))] if message.get("text") else []
    for a in message.get("attachments") or []:
        if not isinstance(a, dict):
            continue
        kind = str(a.get("type", "file"))
        carried = a.get("payload")  # an object with a url, or (a fallback, a template's text) a string
        url = str(carried.get("url") or "") if isinstance(carried, dict) else ""
        safe = url.startswith("https://") and not any(c in url for c in "<>| ")
        parts.append(f"[{escape(kind)}]" + (f" <{url}|open>" if safe else ""))
    if message.get("is_deleted"):
        parts.append("(message deleted)")
    return " ".join(parts) or "(empty message)"


def facebook_dm(page: str, who: str, m: dict[str, Any]) -> Post:
    if isinstance(m.get("postback"), dict):
        pressed = m["postback"].get("title") or m["postback"].get("payload") or messages.FB_POSTBACK_UNTITLED
        text = messages.FB_POSTBACK.format(who=who, page=escape(page), title=escape(str(pressed)))
    elif isinstance(m.get("reaction"), dict):
        r = m["reaction"]
        text = f"{who} → {escape(page)}: {r.get('action', 'react')}ed {escape(str(r.get('emoji') or ''))}"
    else:
        text = messages.FB_DM.format(who=who, page=escape(page), body=dm_body(m.get("message") or {}))
    return _simple(text)


def facebook_feed(page: str, value: dict[str, Any]) -> Post:
    sender = (value.get("from") or {}).get("name") or (value.get("from") or {}).get("id") or "someone"
    item, verb = value.get("item", "item"), value.get("verb", "add")
    what = {("comment", "add"): "new comment", ("status", "add"): "new post", ("post", "add"): "new post",
            ("photo", "add"): "new photo", ("video", "add"): "new video"}.get((item, verb), f"{item} {verb}")
    link = value.get("post_id") or value.get("comment_id") or ""
    body = escape(str(value.get("message") or "")) or "(no text)"
    return _simple(messages.FB_FEED.format(page=escape(page), what=what, who=escape(str(sender)), body=body)
                   + (f" (`{link}`)" if link else ""))


def instagram_dm(account: str, who: str, m: dict[str, Any]) -> Post:
    return _simple(messages.IG_DM.format(who=who, account=escape(account), body=dm_body(m.get("message") or {})))


def instagram_comment(account: str, value: dict[str, Any]) -> Post:
    sender = (value.get("from") or {}).get("username") or (value.get("from") or {}).get("id") or "someone"
    media = (value.get("media") or {}).get("id") or "a post"
    return _simple(messages.IG_COMMENT.format(account=escape(account), who=f"@{escape(str(sender))}",
                                              media=f"`{media}`", body=escape(str(value.get("text") or ""))))


def instagram_mention(account: str, value: dict[str, Any]) -> Post:
    what = f"comment `{value['comment_id']}`" if value.get("comment_id") else f"media `{value.get('media_id', '?')}`"
    return _simple(messages.IG_MENTION.format(account=escape(account), what=what))


def unsupported(kind: str) -> Post:
    return _simple(messages.UNSUPPORTED_EVENT.format(kind=escape(kind)))
