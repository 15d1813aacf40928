"""Embedded Signup's pages (with META_CONFIG_ID): after the one-time code, `POST /meta/oauth/start` shows the signup
page (pages/signup.html) instead of redirecting to the login dialog; that page runs Meta's JavaScript SDK flow and
posts its answer to `POST /meta/oauth/signup` (under the cookie's path, so the browser binding holds)."""

from __future__ import annotations

import secrets

from flask import Blueprint, Response, current_app, render_template, request

from metaops import defaults, messages
from metaops.assets import signup

bp = Blueprint("meta_signup", __name__, template_folder="pages")  # signup.html: autoescaped by Jinja
ANSWER_FIELDS = ("state", "code", "waba_id", "phone_number_id", "business_id", "pin", "error")


def page(state: str) -> Response:
    """The signup page for a state whose browser just proved the one-time code."""
    s = current_app.extensions["metaops"].settings
    nonce = secrets.token_urlsafe(16)
    html = render_template(
        "signup.html", nonce=nonce, title=messages.SIGNUP_PAGE_TITLE, intro=messages.SIGNUP_PAGE_INTRO,
        pin_label=messages.SIGNUP_PAGE_PIN, button=messages.SIGNUP_PAGE_BUTTON, no_sdk=messages.SIGNUP_PAGE_NO_SDK,
        state=state, app_id=s.META_APP_ID, config_id=s.META_CONFIG_ID, graph_version=s.META_GRAPH_VERSION,
        es_version=defaults.SIGNUP_EXTRAS_VERSION, sdk_url=defaults.SIGNUP_SDK_URL)
    r = Response(html, 200, mimetype="text/html")
    headers(r, nonce)
    return r


@bp.post("/meta/oauth/signup")
def finish() -> Response:
    rt = current_app.extensions["metaops"]
    answer = {k: str(request.form.get(k, ""))[:512].strip() for k in ANSWER_FIELDS}
    outcome = signup.finish(rt, answer, request.cookies)
    nonce = secrets.token_urlsafe(16)
    html = render_template("connect.html", nonce=nonce, title=outcome.title, detail=outcome.detail, form=False)
    r = Response(html, 200 if outcome.ok else 400, mimetype="text/html")
    headers(r, nonce, sdk=False)
    return r


def headers(r: Response, nonce: str, sdk: bool = True) -> None:
    """The signup page loads Meta's SDK, which opens Meta's flow in a popup and talks to facebook.com; nothing else
    from elsewhere. The answer page loads nothing."""
    meta = "https://connect.facebook.net https://*.facebook.com" if sdk else ""
    r.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}' {meta}; "
        f"connect-src {meta or 'none'}; frame-src {meta or 'none'}; img-src {meta or 'none'}; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'").replace("  ", " ")
    r.headers["X-Content-Type-Options"] = "nosniff"
    r.headers["X-Frame-Options"] = "DENY"
    r.headers["Cache-Control"] = "no-store"
    # Meta's SDK checks the page's domain against the app's Allowed Domains: the origin only, never a path.
    r.headers["Referrer-Policy"] = "origin" if sdk else "no-referrer"
    r.headers["Cross-Origin-Opener-Policy"] = "same-origin-allow-popups"  # the flow's popup posts back to us

