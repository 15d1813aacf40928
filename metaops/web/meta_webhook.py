"""`GET` and `POST /meta/webhook`: Meta's verification and events (SPEC, HTTP routes).

The POST path is the hot one: signature over the raw bytes, one insert, one pipelined Redis round trip.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, current_app, request

from integrations.meta import signature
from metaops import defaults, subscriptions
from metaops.delivery import inbox
from metaops.runtime import Runtime
from store import events

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
    rt = _rt()
    if (request.content_length or 0) > defaults.WEBHOOK_MAX_BODY:
        return _text("Payload too large", 413)
    body = request.get_data(cache=False)  # the raw bytes Meta signed; Flask's MAX_CONTENT_LENGTH caps them
    if not signature.is_valid(body, request.headers.get(signature.HEADER), rt.settings.META_APP_SECRET):
        return _text("Invalid signature", 401)
    try:
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except ValueError:
        return _text("Body is not a JSON object", 400)
    try:
        event_id = events.insert_event(rt.db.ingest, body, rt.clock())
    except Exception as e:  # noqa: BLE001 - the driver's own errors too: any failure to store means "retry"
        log.error("webhook event could not be stored (%s); answering 503 so Meta retries", type(e).__name__)
        return _text("Storage unavailable, retry later", 503)
    try:
        inbox.push_events(rt.queue, [(event_id, inbox.partition_of(data))])
    except Exception as e:  # noqa: BLE001 - stored: the periodic sweep queues it once Redis is back
        log.warning("event %s stored but not queued (%s); the sweep will queue it", event_id, type(e).__name__)
    return _text("OK", 200)


def _text(body: str, status: int) -> Response:
    return Response(body, status, mimetype="text/plain")
