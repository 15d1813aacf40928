"""The Bolt app: built from settings, with every listener registered per kind."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.commands import meta
from bot.events import replies
from metaops import defaults
from metaops.runtime import Runtime


def build(rt: Runtime) -> App | None:
    """The Bolt app, or None when Slack is not configured (the setup page says what is missing)."""
    settings = rt.settings
    if not settings.slack_configured or not settings.SLACK_BOT_TOKEN:
        return None
    client = WebClient(token=settings.SLACK_BOT_TOKEN, base_url=settings.SLACK_API_URL,
                       timeout=defaults.SLACK_TIMEOUT)
    app = App(signing_secret=settings.SLACK_SIGNING_SECRET, client=client, token_verification_enabled=False)
    meta.register(app, rt)
    replies.register(app, rt)
    return app
