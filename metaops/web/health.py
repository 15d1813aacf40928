"""`GET /healthz` (database and Redis state) and `GET /` (the setup page: configuration state only, no event counts
or workspace data, since it is public; counts are on the token-protected `GET /metrics`).

The setup page is pages/setup.html (Jinja, autoescaped): health, what is configured, what is missing and where
to get it, the URLs to paste with copy buttons, the Slack manifest ready to copy. Style and script are inline, so it
loads nothing from elsewhere (its Content-Security-Policy says so)."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, jsonify, render_template
from sqlalchemy import text

from metaops import manifest
from metaops.runtime import Runtime
from metaops.settings import Settings

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__, template_folder="pages")  # setup.html: autoescaped by Jinja


def _rt() -> Runtime:
    return current_app.extensions["metaops"]


def check(rt: Runtime) -> dict[str, str]:
    state = {}
    try:
        with rt.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        state["database"] = "ok"
    except Exception as e:  # noqa: BLE001 - any failure means "not answering"
        log.warning("health: database: %s", type(e).__name__)
        state["database"] = "unavailable"
    try:
        rt.redis.ping()
        state["redis"] = "ok"
    except Exception as e:  # noqa: BLE001
        log.warning("health: redis: %s", type(e).__name__)
        state["redis"] = "unavailable"
    return state


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    state = check(_rt())
    ok = all(v == "ok" for v in state.values())
    return jsonify({"status": "ok" if ok else "degraded", **state}), 200 if ok else 503


@bp.get("/")
def setup_page() -> Response:
    rt = _rt()
    s = rt.settings
    state = check(rt)
    nonce = secrets.token_urlsafe(16)
    public_url = s.PUBLIC_URL
    html = render_template(
        "setup.html",
        nonce=nonce,
        public_url=public_url,
        local_url=urlsplit(public_url).hostname in LOCAL_HOSTS,
        socket_mode=s.socket_mode,
        port=s.PORT,
        signup=bool(s.META_CONFIG_ID),
        health=[("Database", state["database"]), ("Redis", state["redis"])],
        configured=configured(s),
        missing=[(name, _where(name)) for name in s.missing_optional()],
        urls=[(f"url-{key}", label, where, public_url + path) for key, label, where, path in URLS
              if not (s.socket_mode and key in SLACK_HTTP_ONLY and not (key == "slack-oauth" and s.SLACK_CLIENT_ID))],
        manifest=manifest.render(public_url, socket_mode=s.socket_mode, install_redirect=bool(s.SLACK_CLIENT_ID)),
    )
    r = Response(html, 200, mimetype="text/html")
    # Nothing from elsewhere: inline style and script carry this response's nonce; no images, fonts or fetches.
    r.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
    r.headers["X-Content-Type-Options"] = "nosniff"
    r.headers["Referrer-Policy"] = "no-referrer"
    r.headers["Cache-Control"] = "no-store"
    return r


LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})

# (id, label, where it is pasted, path under PUBLIC_URL)
URLS = (
    ("slack-events", "Slack Request URL (slash command, interactivity, events)",
     "Slack app settings: Slash Commands → /meta, Interactivity & Shortcuts, Event Subscriptions "
     "(the manifest below already has it).", "/slack/events"),
    ("slack-oauth", "Slack OAuth redirect URL",
     "Slack app settings: OAuth & Permissions → Redirect URLs (multi-workspace installs through /slack/install).",
     "/slack/oauth_redirect"),
    ("meta-webhook", "Meta webhook callback URL",
     "Set for you by /meta webhook configure; by hand: Meta app dashboard → Webhooks (WhatsApp, Page, Instagram).",
     "/meta/webhook"),
    ("meta-oauth", "Meta OAuth redirect URI",
     "Meta app dashboard: Facebook Login for Business → Settings → Valid OAuth Redirect URIs.",
     "/meta/oauth/callback"),
)

# URLs Slack needs only when its traffic comes over HTTP (in Socket Mode: the OAuth redirect only for multi-workspace
# installs)
SLACK_HTTP_ONLY = frozenset({"slack-events", "slack-oauth"})

# Where each missing setting comes from (keyed by the setting's name, the first word of missing_optional()).
WHERE = {
    "SLACK_SIGNING_SECRET": "api.slack.com/apps → your app → Basic Information → App Credentials → Signing Secret.",
    "SLACK_BOT_TOKEN": "api.slack.com/apps → your app → Install App → Bot User OAuth Token (xoxb-…); or, to install "
                       "in several workspaces, SLACK_CLIENT_ID and SLACK_CLIENT_SECRET from Basic Information.",
    "SLACK_CLIENT_SECRET": "api.slack.com/apps → your app → Basic Information → App Credentials → Client Secret.",
    "META_APP_ID": "developers.facebook.com/apps → your app → App settings → Basic → App ID.",
    "META_APP_SECRET": "developers.facebook.com/apps → your app → App settings → Basic → App secret.",
}


def _where(missing: str) -> str:
    return WHERE.get(missing.split(" ", 1)[0], "See README, Settings.")


def configured(s: Settings) -> list[tuple[str, str]]:
    """(setting, what it enables) for each Slack and Meta setting that is set; names only, never values."""
    out = [("PUBLIC_URL", s.PUBLIC_URL)]
    if s.SLACK_SIGNING_SECRET:
        out.append(("SLACK_SIGNING_SECRET", "Slack requests are verified"))
    if s.SLACK_BOT_TOKEN:
        out.append(("SLACK_BOT_TOKEN", "single-workspace mode"))
    if s.SLACK_APP_TOKEN:
        out.append(("SLACK_APP_TOKEN", "Socket Mode: Slack's traffic comes over the socket process's WebSocket"))
    if s.SLACK_CLIENT_ID and s.SLACK_CLIENT_SECRET:
        out.append(("SLACK_CLIENT_ID, SLACK_CLIENT_SECRET", "multi-workspace mode: install through /slack/install"))
    if s.META_APP_ID and s.META_APP_SECRET:
        out.append(("META_APP_ID, META_APP_SECRET", "the Meta app: OAuth and webhook signatures"))
    if s.META_CONFIG_ID:
        out.append(("META_CONFIG_ID", "/meta connect runs Meta's Embedded Signup (a business token that does not "
                                      "expire)"))
    out.append(("META_VERIFY_TOKEN", "set") if s.META_VERIFY_TOKEN
               else ("META_VERIFY_TOKEN", "unset: /meta webhook configure generates one"))
    if s.OPERATOR_TEAM_ID:
        out.append(("OPERATOR_TEAM_ID", "this workspace's admins run the app's webhook subscriptions"))
    if s.METRICS_TOKEN:
        out.append(("METRICS_TOKEN", "/metrics answers with this bearer token"))
    return out
