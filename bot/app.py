"""The Bolt app: built from settings, with every listener module's listeners registered, in this order."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient

from bot.commands import hours, meta, pages, templates
from bot.events import comments, conversation, handover, home, reactions, replies, uninstall, workflow_steps
from bot.modals import business_token, post, saved_reply, send_template, template, webhook
from bot.modals import campaign as campaign_modal
from bot.modals import hours as hours_modal
from bot.runtime import RuntimeMiddleware
from bot.shortcuts import rich_reply, send_to_customer
from bot.shortcuts import saved_reply as use_saved_reply
from metaops import defaults, runtime
from metaops.manifest import BOT_SCOPES
from metaops.runtime import Runtime

LISTENERS = (meta, templates, template, webhook, pages, post, send_template, replies, comments, handover, home,
             workflow_steps, send_to_customer, uninstall, saved_reply, use_saved_reply, rich_reply, hours,
             hours_modal, business_token, conversation, reactions, campaign_modal)


def build(rt: Runtime) -> App | None:
    """The Bolt app, or None when Slack is not configured (the setup page says what is missing)."""
    settings = rt.settings
    if not settings.slack_configured:
        return None
    if settings.SLACK_BOT_TOKEN:
        client = WebClient(token=settings.SLACK_BOT_TOKEN, base_url=settings.SLACK_API_URL,
                           timeout=defaults.SLACK_TIMEOUT)
        app = App(signing_secret=settings.SLACK_SIGNING_SECRET, client=client, token_verification_enabled=False)
    else:  # multi-workspace: each workspace installs through /slack/install
        oauth = OAuthSettings(
            client_id=settings.SLACK_CLIENT_ID, client_secret=settings.SLACK_CLIENT_SECRET, scopes=list(BOT_SCOPES),
            installation_store=rt.slack.installations,
            state_store=runtime.slack_install_states(rt),
            install_path="/slack/install", redirect_uri_path="/slack/oauth_redirect",
            redirect_uri=f"{settings.PUBLIC_URL}/slack/oauth_redirect",
            install_page_rendering_enabled=True)
        app = App(signing_secret=settings.SLACK_SIGNING_SECRET, oauth_settings=oauth,
                  client=WebClient(base_url=settings.SLACK_API_URL, timeout=defaults.SLACK_TIMEOUT))
    app.use(RuntimeMiddleware(rt))  # first: the middleware and listeners after it read the runtime from the context
    for module in LISTENERS:
        module.register(app)
    return app
