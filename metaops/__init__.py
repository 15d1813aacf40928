"""MetaOps: a Slack app to run WhatsApp Business, Facebook Pages and Instagram from Slack."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from metaops import defaults
from metaops.settings import Settings


def create_app(config: Settings | Mapping[str, Any] | None = None) -> Flask:
    """The web app. `config`: Settings, or a mapping of settings over the environment; None reads the environment.

    Raises ConfigError when a required setting is missing or malformed.
    """
    from metaops import runtime, settings

    if isinstance(config, Settings):
        s = config
    elif config is not None:
        s = settings.load(overrides=config)
    else:
        s = settings.load()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = defaults.WEBHOOK_MAX_BODY
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    init_app(app, runtime.build(s))
    return app


def init_app(app: Flask, rt: Any) -> None:
    from slack_bolt.adapter.flask import SlackRequestHandler

    from metaops import cli, runtime
    from metaops.web import health, meta_oauth, meta_signup, meta_webhook, metrics, slack

    runtime.install(rt)
    app.extensions["metaops"] = rt
    bolt_app = build_bolt(rt)
    app.extensions["bolt_handler"] = SlackRequestHandler(bolt_app) if bolt_app else None
    for bp in (health.bp, meta_oauth.bp, meta_signup.bp, meta_webhook.bp, metrics.bp, slack.bp):
        app.register_blueprint(bp)
    app.wsgi_app = meta_webhook.Receiver(app)  # type: ignore[method-assign]  # the webhook POST, ahead of Flask
    cli.register(app)


def build_bolt(rt: Any) -> Any:
    """The Bolt app for `rt` (None when Slack is not configured): what the web process mounts at /slack/events and
    the `socket` process serves over Socket Mode."""
    import bot.app

    return bot.app.build(rt)
