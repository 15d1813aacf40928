"""`GET /healthz` (database and Redis state) and `GET /` (the setup page: configuration state only, no event counts
or workspace data, since it is public; counts are on the token-protected `GET /metrics`)."""

from __future__ import annotations

import logging
from html import escape

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text

from metaops.runtime import Runtime

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


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
    missing = s.missing_optional()
    urls = {
        "Slack Request URL (slash command, interactivity, events)": f"{s.PUBLIC_URL}/slack/events",
        "Slack OAuth redirect URL": f"{s.PUBLIC_URL}/slack/oauth_redirect",
        "Meta webhook callback URL": f"{s.PUBLIC_URL}/meta/webhook",
        "Meta OAuth redirect URI": f"{s.PUBLIC_URL}/meta/oauth/callback",
    }
    rows = "".join(f"<li>{escape(k)}: <code>{escape(v)}</code></li>" for k, v in urls.items())
    missing_html = (
        "<p>Missing settings (the app runs, but these features wait for them):</p><ul>"
        + "".join(f"<li><code>{escape(m)}</code></li>" for m in missing) + "</ul>"
        if missing else "<p>Slack and Meta are configured.</p>"
    )
    html = f"""<!doctype html><html><head><meta charset="utf-8"><title>MetaOps setup</title></head><body>
<h1>MetaOps</h1>
<p>Database: {escape(state["database"])} · Redis: {escape(state["redis"])}</p>
{missing_html}
<h2>URLs to paste into Slack and Meta</h2><ul>{rows}</ul>
<p>Slack app manifest: run <code>make manifest</code>.</p>
</body></html>"""
    return Response(html, 200, mimetype="text/html")
