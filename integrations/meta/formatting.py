"""Slack's message formatting turned into what WhatsApp, Messenger and Instagram show."""

from __future__ import annotations

import re
from collections.abc import Callable

LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
BARE_LINK = re.compile(r"<(https?://[^|>]+)>")
MAILTO = re.compile(r"<mailto:([^|>]+)(?:\|[^>]+)?>")
USER = re.compile(r"<@([UW][A-Z0-9_]+)(?:\|([^>]+))?>")
CHANNEL = re.compile(r"<#([CG][A-Z0-9_]+)(?:\|([^>]*))?>")
SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
MARKERS = re.compile(r"(?<![\w*_~])([*_~])(?=\S)(.+?)(?<=\S)\1(?![\w*_~])")


def slack_to_whatsapp(text: str, user_name: Callable[[str], str]) -> str:
    """Bold *x*, italic _x_ and strike ~x~ mean the same in both; links and mentions become plain text."""
    return _plain(text, user_name)


def slack_to_plain(text: str, user_name: Callable[[str], str]) -> str:
    """Messenger and Instagram show no formatting: the markers go, the words stay."""
    return MARKERS.sub(lambda m: m.group(2), _plain(text, user_name))


def _plain(text: str, user_name: Callable[[str], str]) -> str:
    text = LINK.sub(lambda m: m.group(2) if m.group(2) == m.group(1) else f"{m.group(2)} ({m.group(1)})", text)
    text = BARE_LINK.sub(lambda m: m.group(1), text)
    text = MAILTO.sub(lambda m: m.group(1), text)
    text = USER.sub(lambda m: "@" + (m.group(2) or user_name(m.group(1))), text)
    text = CHANNEL.sub(lambda m: "#" + (m.group(2) or "channel"), text)
    text = SPECIAL.sub(lambda m: "@" + m.group(1), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
