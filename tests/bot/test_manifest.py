"""The Slack app manifest, with the URLs derived from PUBLIC_URL."""

from __future__ import annotations

from metaops.manifest import BOT_SCOPES, render


def test_urls_come_from_public_url():
    text = render("https://ops.example.test/")
    assert "${" not in text
    assert text.count("https://ops.example.test/slack/events") == 3  # command, events, interactivity
    assert "https://ops.example.test/slack/oauth_redirect" in text


def test_manifest_has_the_command_and_scopes_the_app_uses():
    text = render("https://ops.example.test")
    assert "command: /meta" in text
    for scope in BOT_SCOPES:  # what an install asks for is what the manifest lists
        assert f"- {scope} " in text or f"- {scope}\n" in text
    assert {"commands", "chat:write", "users:read", "channels:history", "files:write", "files:read"} <= set(BOT_SCOPES)
