"""`GET` and `POST /meta/webhook`: Meta's verification and events (SPEC, HTTP routes).

The POST is the hot path. `Receiver`, a WSGI layer in front of Flask, answers it: Flask's routing, request context
and response objects cost more CPU per request than everything the webhook does before the store (README,
Benchmarks). It checks the size, the signature over the raw bytes and the JSON, then hands the body to the
process's group commit (metaops/web/ingest.py): one multi-row insert and one Redis round trip for the concurrent
requests. Every other request, the GET verification included, goes on to Flask.
"""

from __future__ import annotations

import json
import logging
import threading
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, current_app, request

from integrations.meta import signature
from metaops import counters, defaults
from metaops.assets import subscriptions
from metaops.queue import streams
from metaops.runtime import Runtime
from metaops.web import ingest

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)
bp = Blueprint("meta_webhook", __name__)
PATH = "/meta/webhook"
_SIGNATURE = "HTTP_" + signature.HEADER.upper().replace("-", "_")  # the header as WSGI names it


def _rt() -> Runtime:
    return current_app.extensions["metaops"]


@bp.get(PATH)
def verify() -> Response:
    rt = _rt()
    given = request.args.get("hub.verify_token", "")
    if request.args.get("hub.mode") == "subscribe" and subscriptions.verification_matches(rt, given):
        subscriptions.mark_verified(rt)
        return Response(request.args.get("hub.challenge", ""), 200, mimetype="text/plain")
    return Response("Verification failed", 403, mimetype="text/plain")


class Receiver:
    """WSGI: `POST /meta/webhook` answered here, anything else passed on to the Flask app's own WSGI callable."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.next: WSGIApplication = app.wsgi_app
        self._collector: ingest.Collector | None = None  # made on first use: after gunicorn forks its workers
        self._made = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.next(environ, start_response)
        status, text = self.receive(environ)
        data = text.encode()
        start_response(f"{status} {HTTPStatus(status).phrase}",
                       [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))])
        return [data]

    def receive(self, environ: WSGIEnvironment) -> tuple[int, str]:
        """The answer to one webhook POST. Requests refused before the collector are counted here, in one
        Redis round trip that never fails the answer (the collector counts the others, per batch)."""
        rt: Runtime = self.app.extensions["metaops"]
        with self.collector(rt).arriving() as arrival:  # a batch being filled waits for this request (see ingest)
            try:
                status, text, reason = _receive(rt, environ, arrival)
            except Exception:
                log.exception("webhook POST failed")
                status, text, reason = 500, "Internal error", "500"
            submitted = arrival.submitted
        if not submitted:
            tally = counters.Tally()
            tally.add("webhooks_received")
            tally.add("webhooks_rejected", reason=reason)
            counters.flush(rt.redis, tally)
        return status, text

    def collector(self, rt: Runtime) -> ingest.Collector:
        """This process's collector."""
        found = self._collector
        if found is None:
            with self._made:
                if self._collector is None:
                    self._collector = ingest.Collector(rt)
                found = self._collector
        return found


def _receive(rt: Runtime, environ: WSGIEnvironment, arrival: ingest.Arrival) -> tuple[int, str, str]:
    """(status, text, reason for /metrics when refused before the collector)."""
    try:
        body = _body(environ, defaults.WEBHOOK_MAX_BODY)  # the raw bytes Meta signed
    except _Refused as e:
        return e.status, e.text, e.reason
    if not signature.is_valid(body, environ.get(_SIGNATURE), rt.settings.META_APP_SECRET):
        return 401, "Invalid signature", "signature"
    try:
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except ValueError:
        return 400, "Body is not a JSON object", "json"
    try:
        arrival.submit(body, streams.partition_of(data))  # stored (and queued, unless Redis is down) on return
    except ingest.StoreFailed:
        return 503, "Storage unavailable, retry later", "storage"  # counted by the collector
    return 200, "OK", ""


class _Refused(Exception):
    def __init__(self, status: int, text: str, reason: str) -> None:
        super().__init__(text)
        self.status, self.text, self.reason = status, text, reason


def _body(environ: WSGIEnvironment, limit: int) -> bytes:
    """The request body; raises _Refused 413 when it is over `limit` bytes, 400 when its Content-Length is not a
    number or the body ends before it. A chunked body has no length: the server hands it over de-chunked
    (`wsgi.input_terminated`), and at most `limit` + 1 bytes of it are read. With neither, there is no body (then
    refused as unsigned)."""
    stream: Any = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    if length:
        try:
            size = int(length)
        except ValueError:
            raise _Refused(400, "Bad Content-Length", "body") from None
        if size > limit:
            raise _Refused(413, "Payload too large", "size")
        body = _read(stream, size)
        if len(body) < size:
            raise _Refused(400, "Body shorter than its Content-Length", "body")
        return body
    if not environ.get("wsgi.input_terminated"):
        return b""
    body = _read(stream, limit + 1)
    if len(body) > limit:
        raise _Refused(413, "Payload too large", "size")
    return body


def _read(stream: Any, size: int) -> bytes:
    """Up to `size` bytes of `stream` (fewer when it ends first)."""
    parts, got = [], 0
    while got < size:
        part = stream.read(size - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)
