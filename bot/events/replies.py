"""Messages in customer threads: queued for the worker to send (the event is acked at once)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from metaops import replies
from metaops.runtime import Runtime

log = logging.getLogger(__name__)


def register(app: App, rt: Runtime) -> None:
    @app.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any]) -> None:
        if replies.should_send(event):
            replies.queue_send(rt, body.get("team_id") or event.get("team", ""), event)
