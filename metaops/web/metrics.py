"""`GET /metrics`: the counts of metaops/counters.py in Prometheus' text format, for `Authorization: Bearer
$METRICS_TOKEN` only (unset: 404, as if there were no such page; a missing or wrong token: 401)."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from metaops import counters
from metaops.conversation import gauges
from metaops.runtime import Runtime

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def metrics() -> Response:
    rt: Runtime = current_app.extensions["metaops"]
    token = rt.settings.METRICS_TOKEN
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return Response("Unauthorized\n", 401, {"WWW-Authenticate": "Bearer"}, mimetype="text/plain")
    registry = CollectorRegistry(auto_describe=False)
    registry.register(counters.RedisCollector(rt.redis))
    registry.register(gauges.ConversationGauges(rt.db.engine))
    try:
        body = generate_latest(registry)
    except Exception:  # noqa: BLE001 - Redis down: the scrape fails visibly, the app does not
        return Response("Redis or the database unavailable\n", 503, mimetype="text/plain")
    return Response(body, 200, {"Content-Type": CONTENT_TYPE_LATEST})
