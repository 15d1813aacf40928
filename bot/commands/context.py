"""What a /meta subcommand gets, what it answers, and the one place errors become clear replies."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient

from metaops import messages, permissions
from metaops.assets import connections
from metaops.exceptions import NotAllowed, NotConnected
from metaops.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class Ctx:
    rt: Runtime
    client: WebClient
    team_id: str
    user_id: str
    channel_id: str
    args: list[str] = field(default_factory=list)
    trigger_id: str = ""
    app_id: str = ""  # the Slack app's id (the request's api_app_id): names the app's workflow steps to Slack

    def require_admin(self) -> None:
        if not permissions.may_change(self.rt, self.client, self.team_id, self.user_id):
            raise NotAllowed(messages.NOT_ALLOWED)


Reply = dict[str, Any]  # keyword arguments for ack() / respond(): text, blocks
Handler = Callable[[Ctx], Reply]


def text(t: str) -> Reply:
    return {"text": t}


def run(handler: Handler, ctx: Ctx) -> Reply:
    """Run a subcommand; every failure becomes a reply a person can act on, never a traceback."""
    try:
        return handler(ctx)
    except (NotAllowed, NotConnected) as e:
        return text(str(e))
    except Exception as e:  # noqa: BLE001 - Meta's refusals said as Meta said them; ours logged with a reference
        said = connections.failure_text(ctx.rt, ctx.team_id, e)
        if said is not None:
            return text(said)
        ref = uuid.uuid4().hex[:8]
        log.exception("/meta %s failed (ref %s)", " ".join(ctx.args[:1]), ref)
        return text(messages.FAILED.format(ref=ref))
