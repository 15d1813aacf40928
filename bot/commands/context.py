"""What a /meta subcommand gets, what it answers, and the one place errors become clear replies."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient

from integrations.meta.errors import GraphError, PermissionMissing, TokenInvalid
from metaops import connections, messages, permissions
from metaops.exceptions import NotAllowed, NotConnected
from metaops.runtime import Runtime

log = logging.getLogger(__name__)
PERMISSION = re.compile(r"\b((?:pages|instagram|whatsapp|business|read|ads|public)_[a-z_]+)\b")


@dataclass
class Ctx:
    rt: Runtime
    client: WebClient
    team_id: str
    user_id: str
    channel_id: str
    args: list[str] = field(default_factory=list)
    trigger_id: str = ""

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
    except TokenInvalid as e:
        connections.token_failed(ctx.rt, ctx.team_id, e)
        return text(messages.CONNECTION_BROKEN.format(status="expired" if e.expired else "revoked"))
    except PermissionMissing as e:
        scope = PERMISSION.search(f"{e.message} {e.user_msg or ''}")
        return text(messages.PERMISSION_MISSING.format(scope=f" (`{scope.group(1)}`)" if scope else "",
                                                       reason=e.user_text()))
    except GraphError as e:
        return text(messages.META_REFUSED.format(reason=e.user_text()))
    except Exception:  # noqa: BLE001 - logged with a reference the user can quote
        ref = uuid.uuid4().hex[:8]
        log.exception("/meta %s failed (ref %s)", " ".join(ctx.args[:1]), ref)
        return text(messages.FAILED.format(ref=ref))
