"""`GET /meta/oauth/callback`: where Meta's consent dialog sends the user back."""

from __future__ import annotations

from html import escape

from flask import Blueprint, Response, current_app, request

from metaops import connections

bp = Blueprint("meta_oauth", __name__)


@bp.get("/meta/oauth/callback")
def callback() -> Response:
    outcome = connections.complete(current_app.extensions["metaops"], request.args.to_dict())
    html = (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>MetaOps: {escape(outcome.title)}</title>"
            f"</head><body><h1>{escape(outcome.title)}</h1><p>{escape(outcome.detail)}</p></body></html>")
    return Response(html, 200 if outcome.ok else 400, mimetype="text/html")
