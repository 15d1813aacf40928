"""Posts for WhatsApp template webhooks (message_template_status_update, template_category_update,
message_template_quality_update, message_template_components_update): what changed, each code of Meta's in words,
and what Meta added (the rejection's reason and recommendation, when a template is disabled, a pause)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from integrations.slack.blocks import section
from integrations.slack.mrkdwn import escape
from metaops import messages
from metaops.conversation.naming import Post
from metaops.delivery.render import STATUS_MARK
from metaops.delivery.render_account import when, words

Value = dict[str, Any]


def post(field: str, value: Value) -> Post:
    text = "\n".join(line for line in POSTS[field](value) if line)
    return text, [section(text)]


def _named(v: Value) -> dict[str, str]:
    return {"name": escape(str(v.get("message_template_name") or "?")),
            "language": escape(str(v.get("message_template_language") or "?"))}


def status(v: Value) -> list[str]:
    event = str(v.get("event") or "?")
    category = v.get("message_template_category")
    lines = [messages.TEMPLATE_STATUS.format(
        mark=STATUS_MARK.get(event, ":information_source:"), status=escape(event),
        category=f", {escape(str(category))}" if category else "", **_named(v))]
    if v.get("reason") not in (None, "", "NONE"):
        lines.append(messages.TEMPLATE_REASON.format(reason=words(v["reason"], messages.TEMPLATE_REASONS)))
    rejection = _dict(v.get("rejection_info"))
    other = _dict(v.get("other_info"))
    title = other.get("title")  # a pause's code, in words when known
    said = [str(x) for x in (rejection.get("reason"), messages.TEMPLATE_PAUSES.get(str(title), title),
                             other.get("description")) if x]
    if said:
        lines.append(messages.TEMPLATE_META_SAYS.format(text=" — ".join(escape(x) for x in said)))
    if rejection.get("recommendation"):
        lines.append(messages.TEMPLATE_RECOMMENDS.format(text=escape(str(rejection["recommendation"]))))
    disabled = _dict(v.get("disable_info")).get("disable_date")
    if disabled:
        lines.append(messages.TEMPLATE_DISABLED_ON.format(date=when(disabled)))
    return lines


def category(v: Value) -> list[str]:
    """`correct_category`: Meta will move the template (now `new_category`) there within a day; otherwise the move
    from `previous_category` to `new_category` is done."""
    new = escape(str(v.get("new_category") or "?"))
    if v.get("correct_category"):
        return [messages.TEMPLATE_CATEGORY_DUE.format(old=new, new=escape(str(v["correct_category"])), **_named(v))]
    old = v.get("previous_category")
    return [messages.TEMPLATE_CATEGORY.format(new=new, old=f" from {escape(str(old))}" if old else "", **_named(v))]


def quality(v: Value) -> list[str]:
    old, new = str(v.get("previous_quality_score") or "UNKNOWN"), str(v.get("new_quality_score") or "UNKNOWN")
    return [messages.TEMPLATE_QUALITY.format(
        mark=messages.TEMPLATE_QUALITY_MARKS.get(new, ":bar_chart:"),
        old=words(old, messages.TEMPLATE_QUALITY_WORDS), new=words(new, messages.TEMPLATE_QUALITY_WORDS), **_named(v))]


def components(v: Value) -> list[str]:
    buttons = [b for b in v.get("message_template_buttons") or [] if isinstance(b, dict)]
    parts = {"title": v.get("message_template_title"), "body": v.get("message_template_element"),
             "footer": v.get("message_template_footer"),
             "buttons": ", ".join(str(b.get("message_template_button_text") or "?") for b in buttons)}
    return [messages.TEMPLATE_COMPONENTS.format(**_named(v)),
            *(messages.TEMPLATE_COMPONENT_PARTS[k].format(text=escape(str(text))) for k, text in parts.items() if text)]


def _dict(v: Any) -> Value:
    return v if isinstance(v, dict) else {}


# template field -> the lines of its post
POSTS: dict[str, Callable[[Value], list[str]]] = {
    "message_template_status_update": status,
    "template_category_update": category,
    "message_template_quality_update": quality,
    "message_template_components_update": components,
}
