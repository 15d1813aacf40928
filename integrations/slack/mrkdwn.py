"""Slack mrkdwn text: what customer text must go through before it is put in a message."""

from __future__ import annotations


def escape(text: str) -> str:
    """Slack mrkdwn control characters, so customer text cannot mention @channel or fake links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
