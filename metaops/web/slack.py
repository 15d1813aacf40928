"""`POST /slack/events`: every Slack request goes to Bolt."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from slack_bolt.adapter.flask import SlackRequestHandler

bp = Blueprint("slack", __name__)


@bp.post("/slack/events")
def events() -> Response:
    handler: SlackRequestHandler | None = current_app.extensions.get("bolt_handler")
    if handler is None or not current_app.extensions["metaops"].settings.SLACK_SIGNING_SECRET:
        # Without the signing secret nothing here could be verified (in Socket Mode Slack's traffic goes to the
        # `socket` process instead).
        return Response("Slack is not configured: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN", 503,
                        mimetype="text/plain")
    return handler.handle(request)


@bp.get("/slack/install")
@bp.get("/slack/oauth_redirect")
def install() -> Response:
    handler: SlackRequestHandler | None = current_app.extensions.get("bolt_handler")
    if handler is None or not current_app.extensions["metaops"].settings.SLACK_CLIENT_ID:
        return Response("Multi-workspace install is off: set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET", 404,
                        mimetype="text/plain")
    return handler.handle(request)
