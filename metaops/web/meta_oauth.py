"""`/meta/oauth/start` (what the Slack Connect button opens) and `GET /meta/oauth/callback` (where Meta's
consent dialog sends the user back).

GET start shows a page (pages/connect.html, Jinja, autoescaped) naming the workspace and the member who asked,
with a form for the one-time code Slack showed that member only; POST start with the right code binds the state
to this browser with a cookie, which the callback requires, and redirects to Meta's dialog."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, render_template, request

from metaops import messages
from metaops.assets import connections
from metaops.web import meta_signup

bp = Blueprint("meta_oauth", __name__, template_folder="pages")  # connect.html: autoescaped by Jinja
COOKIE_PATH = "/meta/oauth/"


@bp.get("/meta/oauth/start")
def start_page() -> Response:
    rt = current_app.extensions["metaops"]
    state = request.args.get("state", "")
    return _page(connections.prompt(rt, state), state)


@bp.post("/meta/oauth/start")
def start() -> Response:
    rt = current_app.extensions["metaops"]
    state = request.form.get("state", "") or request.args.get("state", "")
    started = connections.start(rt, state, request.form.get("code", "")[:32])
    if not isinstance(started, connections.Started):
        return _page(started, state)
    if rt.settings.META_CONFIG_ID:  # Embedded Signup: Meta's flow runs on our page, in this (bound) browser
        r = meta_signup.page(state)
    else:
        r = Response(status=303, headers={"Location": started.dialog_url})
    r.set_cookie(started.cookie_name, started.cookie_value, max_age=started.max_age, path=COOKIE_PATH,
                 secure=rt.settings.PUBLIC_URL.startswith("https://"), httponly=True, samesite="Lax")
    if not rt.settings.META_CONFIG_ID:
        _headers(r, "")
    return r


@bp.get("/meta/oauth/callback")
def callback() -> Response:
    rt = current_app.extensions["metaops"]
    return _page(connections.complete(rt, request.args.to_dict(), request.cookies), "")


def _page(shown: connections.Prompt | connections.Outcome, state: str) -> Response:
    nonce = secrets.token_urlsafe(16)
    if isinstance(shown, connections.Prompt):
        html = render_template(
            "connect.html", nonce=nonce, title=messages.CONNECT_PAGE_TITLE, form=True, state=state,
            action="start", field=messages.CONNECT_PAGE_FIELD, submit=messages.CONNECT_PAGE_SUBMIT,
            asked=messages.CONNECT_PAGE_ASKED.format(member=shown.member, workspace=shown.workspace),
            detail=messages.CONNECT_PAGE_CODE, error=shown.error)
        r = Response(html, 400 if shown.error else 200, mimetype="text/html")
    else:
        html = render_template("connect.html", nonce=nonce, title=shown.title, detail=shown.detail, form=False)
        r = Response(html, 200 if shown.ok else 400, mimetype="text/html")
    _headers(r, nonce)
    return r


def _headers(r: Response, nonce: str) -> None:
    rt = current_app.extensions["metaops"]
    dialog = urlsplit(rt.settings.META_DIALOG_URL)
    # The form posts here, and the answer redirects to Meta's dialog (browsers apply form-action to that too).
    r.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; base-uri 'none'; "
        f"form-action 'self' {dialog.scheme}://{dialog.netloc}; frame-ancestors 'none'")
    r.headers["X-Content-Type-Options"] = "nosniff"
    r.headers["X-Frame-Options"] = "DENY"
    r.headers["Cache-Control"] = "no-store"
    r.headers["Referrer-Policy"] = "no-referrer"
