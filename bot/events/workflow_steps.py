"""Workflow Builder steps (`function_executed`): acknowledged at once, run by the worker (metaops.surfaces),
which completes or fails the step with the execution's own token. A step that cannot even be queued is failed here,
so it never hangs in the workflow."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import App, BoltContext, Fail

from bot.runtime import runtime_of
from metaops import messages
from metaops.surfaces import workflow_steps

log = logging.getLogger(__name__)


def workflow_step_executed(inputs: dict[str, Any], body: dict[str, Any], context: BoltContext, fail: Fail) -> None:
    """One of workflow_steps.STEPS reached in a workflow: queued for the worker, once per execution."""
    callback_id = str(((body.get("event") or {}).get("function") or {}).get("callback_id") or "")
    execution_id = context.function_execution_id or ""
    token = context.function_bot_access_token or ""
    team_id = context.team_id or str(body.get("team_id") or "")
    try:
        if not (execution_id and token and team_id):
            raise ValueError("function_executed without execution id, token or team")
        if not workflow_steps.queue(runtime_of(context), team_id, callback_id, execution_id, token,
                                    dict(inputs or {})):
            log.info("workflow step %s delivered again; already queued", execution_id)
    except Exception:  # noqa: BLE001 - Redis down, a malformed event: end the step rather than leave it running
        ref = uuid.uuid4().hex[:8]
        log.exception("workflow step %s (%s) not queued (ref %s)", callback_id, execution_id, ref)
        if execution_id:
            fail(messages.STEP_BROKEN.format(ref=ref))


def register(app: App) -> None:
    for callback_id in workflow_steps.STEPS:
        app.function(callback_id)(workflow_step_executed)
