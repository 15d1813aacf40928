"""Bolt's Socket Mode handler, each envelope handled once: an Events API event by its `event_id` (Slack redelivers
an event it saw no ack for, possibly over another connection), anything else by its envelope id. A repeat is acked
and not run again. Redis not answering: handled anyway (a rare repeat rather than a lost command)."""

from __future__ import annotations

import logging

from redis import Redis
from redis.exceptions import RedisError
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

log = logging.getLogger(__name__)
SEEN = "metaops:socket_mode:seen:{}"


def seen_key(req: SocketModeRequest) -> str:
    payload = req.payload if isinstance(req.payload, dict) else {}
    event_id = payload.get("event_id") if req.type == "events_api" else None
    return SEEN.format(f"event:{event_id}" if event_id else f"envelope:{req.envelope_id}")


class OnceHandler(SocketModeHandler):
    def __init__(self, app: App, app_token: str, redis: Redis, web_client: WebClient, ttl: int, ping_interval: float,
                 concurrency: int) -> None:
        super().__init__(app, app_token, logger=log, web_client=web_client, ping_interval=ping_interval,
                         concurrency=concurrency)
        self.redis, self.ttl = redis, ttl

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        if not self._first(req):
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            log.info("Socket Mode: %s envelope handled already (%s): acked, not run again", req.type,
                     seen_key(req).rsplit(":", 2)[-2])
            return
        super().handle(client, req)

    def _first(self, req: SocketModeRequest) -> bool:
        try:
            return bool(self.redis.set(seen_key(req), 1, nx=True, ex=self.ttl))
        except RedisError as e:
            log.warning("Socket Mode: Redis did not answer (%s); handling the envelope anyway", type(e).__name__)
            return True
