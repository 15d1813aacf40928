"""`GET` and `POST /meta/webhook`: Meta's verification and events (SPEC, HTTP routes).

The POST path is the hot one: signature over the raw bytes, then the body goes to the process's group commit
(metaops/web/ingest.py): one multi-row insert and one pipelined Redis round trip for the concurrent requests.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, current_app, g, request

from integrations.meta import signature
from metaops import counters, defaults
from metaops.assets import subscriptions
from metaops.queue import streams
from metaops.runtime import Runtime
from metaops.web import ingest

log = logging.getLogger(__name__)
bp = Blueprint("meta_webhook", __name__)


def _rt() -> Runtime:
    return current_app.extensions["metaops"]


@bp.get("/meta/webhook")
def verify() -> Response:
    rt = _rt()
    given = request.args.get("hub.verify_token", "")
    if request.args.get("hub.mode") == "subscribe" and subscriptions.verification_matches(rt, given):
        subscriptions.mark_verified(rt)
        return Response(request.args.get("hub.challenge", ""), 200, mimetype="text/plain")
    return Response("Verification failed", 403, mimetype="text/plain")


@bp.post("/meta/webhook")
def receive() -> Response:
    with _collector().arriving() as arrival:  # a batch being filled waits for this request (see ingest)
        return _receive(arrival)


def _receive(arrival: ingest.Arrival) -> Response:
    rt = _rt()
    if (request.content_length or 0) > defaults.WEBHOOK_MAX_BODY:
        return _text("Payload too large", 413)
    body = _body(defaults.WEBHOOK_MAX_BODY)  # the raw bytes Meta signed
    if body is None:
        return _text("Payload too large", 413)
    if not signature.is_valid(body, request.headers.get(signature.HEADER), rt.settings.META_APP_SECRET):
        return _text("Invalid signature", 401)
    try:
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except ValueError:
        return _text("Body is not a JSON object", 400)
    g.webhook_counted = True  # the collector counts the requests of its batches, in one round trip per batch
    try:
        arrival.submit(body, streams.partition_of(data))  # stored (and queued, unless Redis is down) on return
    except ingest.StoreFailed:
        return _text("Storage unavailable, retry later", 503)
    return _text("OK", 200)


def _collector() -> ingest.Collector:
    """This process's collector for the app (made on first use: after gunicorn forks its workers)."""
    found = current_app.extensions.get("metaops.ingest")
    if found is None:
        found = current_app.extensions.setdefault("metaops.ingest", ingest.Collector(_rt()))
    return found


def _body(limit: int) -> bytes | None:
    """The request body, or None when it is over `limit` bytes. With a Content-Length (checked before) Flask's
    stream stops at it; a chunked body has none, and Flask's stream would cut it at MAX_CONTENT_LENGTH without
    a word, so it is read from the server's de-chunked input, at most `limit` + 1 bytes."""
    if request.content_length is not None or "wsgi.input_terminated" not in request.environ:
        return request.get_data(cache=False)  # without either, Werkzeug gives an empty body: refused as unsigned
    stream = request.environ["wsgi.input"]
    parts, size = [], 0
    while size <= limit:
        part = stream.read(limit + 1 - size)
        if not part:
            break
        parts.append(part)
        size += len(part)
    return None if size > limit else b"".join(parts)


_REJECTED = {413: "size", 401: "signature", 400: "json", 503: "storage"}  # answer -> reason, for /metrics


@bp.after_request
def count(response: Response) -> Response:
    """Webhooks received and refused before storing, by reason, in one Redis round trip that never fails the
    answer (the collector counts the stored ones and the storage failures, per batch)."""
    if request.endpoint == "meta_webhook.receive" and not g.get("webhook_counted"):
        tally = counters.Tally()
        tally.add("webhooks_received")
        if response.status_code == 200:
            tally.add("webhooks_stored")
        else:
            tally.add("webhooks_rejected", reason=_REJECTED.get(response.status_code, str(response.status_code)))
        counters.flush(_rt().redis, tally)
    return response


def _text(body: str, status: int) -> Response:
    return Response(body, status, mimetype="text/plain")
