"""`GET /meta/oauth/start` (what the Slack Connect button opens) and `GET /meta/oauth/callback` (where Meta's
consent dialog sends the user back). The start endpoint binds the state to the browser with a cookie, which
the callback requires."""

from __future__ import annotations

from html import escape

from flask import Blueprint, Response, current_app, request

from metaops.assets import connections

bp = Blueprint("meta_oauth", __name__)
COOKIE_PATH = "/meta/oauth/"


@bp.get("/meta/oauth/start")
def start() -> Response:
    rt = current_app.extensions["metaops"]
    started = connections.start(rt, request.args.get("state", ""))
    if isinstance(started, connections.Outcome):
        return _page(started)
    r = Response(status=302, headers={"Location": started.dialog_url})
    r.set_cookie(started.cookie_name, started.cookie_value, max_age=started.max_age, path=COOKIE_PATH,
                 secure=rt.settings.PUBLIC_URL.startswith("https://"), httponly=True, samesite="Lax")
    r.headers["Cache-Control"] = "no-store"
    r.headers["Referrer-Policy"] = "no-referrer"
    return r


@bp.get("/meta/oauth/callback")
def callback() -> Response:
    rt = current_app.extensions["metaops"]
    return _page(connections.complete(rt, request.args.to_dict(), request.cookies))


def _page(outcome: connections.Outcome) -> Response:
    html = (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>MetaOps: {escape(outcome.title)}</title>"
            f"</head><body><h1>{escape(outcome.title)}</h1><p>{escape(outcome.detail)}</p></body></html>")
    r = Response(html, 200 if outcome.ok else 400, mimetype="text/html")
    r.headers["Cache-Control"] = "no-store"
    r.headers["Referrer-Policy"] = "no-referrer"
    return r
