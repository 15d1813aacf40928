"""Notification formatting: what the worker posts for each webhook item (text fallback + Block Kit)."""

from __future__ import annotations

from typing import Any

from integrations.meta.payload import Item, Person
from integrations.slack import limits
from integrations.slack.blocks import mrkdwn, section
from integrations.slack.mrkdwn import escape
from metaops import messages
from metaops.conversation.naming import Post, customer_post, plus, who
from metaops.delivery import referrals
from metaops.delivery.describe import answers, describe

__all__ = ["describe", "escape"]  # what other modules and tests read from here


def whatsapp_message(item: Item, sender: Person) -> Post:
    """The customer and what they sent; a Flow's answers also as the post's fields (Slack shows ten a block)."""
    text, _ = customer_post(sender, describe(item.data))
    _, blocks = customer_post(sender, describe(item.data, inline_answers=False))
    pairs = answers(item.data)
    for start in range(0, len(pairs), limits.SECTION_FIELDS):
        blocks.append({"type": "section", "fields": [mrkdwn(f"*{label}*\n{value}")
                                                     for label, value in pairs[start:start + limits.SECTION_FIELDS]]})
    return text, blocks


def group_event(group_id: str, said: str) -> Post:
    return _simple(messages.GROUP_EVENT.format(group=escape(group_id), said=said))


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
    return text, [section(text)]


def account_update(field: str, value: dict[str, Any]) -> Post:
    what = ", ".join(f"{k.replace('_', ' ')}: {escape(str(v))}" for k, v in value.items()
                     if v is not None and not isinstance(v, dict | list)) or escape(str(value))[:300]
    return _simple(messages.WA_ACCOUNT_UPDATE.format(field=field.replace("_", " "), what=what))


def phone_quality(value: dict[str, Any]) -> Post:
    limit = value.get("current_limit") or value.get("max_daily_conversation_per_phone")
    return _simple(messages.WA_PHONE_QUALITY.format(
        number=plus(value.get("display_phone_number")), event=escape(str(value.get("event", "?"))),
        limit=f", messaging limit {limit}" if limit else ""))


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
        parts.append(messages.WA_DELETED)
    return " ".join(parts) or "(empty message)"


def dm_said(m: dict[str, Any]) -> str:
    """What a Messenger or Instagram sender did (one `messaging[]` event), with the referral that brought them."""
    postback = m["postback"] if isinstance(m.get("postback"), dict) else None
    message: dict[str, Any] = m["message"] if isinstance(m.get("message"), dict) else {}
    if postback is not None:
        pressed = postback.get("title") or postback.get("payload") or messages.FB_POSTBACK_UNTITLED
        said = messages.DM_PRESSED.format(title=escape(str(pressed)))
    elif isinstance(m.get("reaction"), dict):
        r = m["reaction"]
        emoji = escape(str(r.get("emoji") or r.get("reaction") or ""))
        said = (messages.DM_UNREACTED if r.get("action") == "unreact" else messages.DM_REACTED).format(emoji=emoji)
    elif isinstance(m.get("message_edit"), dict):
        said = messages.WA_EDITED.format(body=escape(str(m["message_edit"].get("text") or "")))
    elif isinstance(m.get("referral"), dict):
        return referrals.messenger(m["referral"])
    else:
        said = dm_body(message)
    carrier = postback if postback is not None else message
    line = referrals.messenger(carrier["referral"]) if isinstance(carrier.get("referral"), dict) else ""
    return f"{said}\n{line}" if line else said


def facebook_dm(page: str, who: str, m: dict[str, Any]) -> Post:
    return _simple(messages.FB_DM.format(who=who, page=escape(page), body=dm_said(m)))


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
    return _simple(messages.IG_DM.format(who=who, account=escape(account), body=dm_said(m)))


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
