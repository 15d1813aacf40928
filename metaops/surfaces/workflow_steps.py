"""Workflow Builder steps: Slack custom steps ("functions" in the app manifest) that send a WhatsApp template and
publish a Facebook Page post.

Slack runs a step by sending a `function_executed` event with the step's inputs, its execution id and a token made
for this execution (`bot_access_token`, good for 15 minutes or until the step completes). The step stays running in
the workflow until the app calls `functions.completeSuccess` (with outputs) or `functions.completeError` (with an
error text the workflow's people read). The bot acknowledges the event at once and queues one `run_workflow_step`
job per execution id (a Redis SET NX claim, so Slack's redelivery of a slow event never sends twice); the job
calls Meta and completes the step either way with the execution's token (kept encrypted in the job). A job, not
the web thread: the Meta call may take a template sync, Meta's retries and their waits, and calls to Meta from Slack
run in the worker everywhere else in the app.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from slack_sdk import WebClient

from integrations.meta.errors import GraphError, OutcomeUnknown
from metaops import defaults, manifest, messages
from metaops.assets import pages
from metaops.exceptions import NotConnected, Refusal
from metaops.runtime import Runtime
from metaops.templates import catalog, send_template

log = logging.getLogger(__name__)
SEND_TEMPLATE = manifest.SEND_TEMPLATE_STEP  # the manifest's callback ids
PUBLISH_POST = manifest.PUBLISH_POST_STEP
STEPS = manifest.STEPS
JOB = "metaops.jobs.run_workflow_step"
CLAIM_KEY = "metaops:step:{execution}"
LINK = re.compile(r"^https?://\S+$", re.IGNORECASE)
ACCEPTED = "accepted"  # the status output of a sent template: Meta took it; delivery comes later by webhook
PAID, FREE = "paid", "free"  # the billing output: whether Meta bills the sent template (costs/notice.py)


class StepFailed(Exception):
    """The step's inputs cannot work; the text says why."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def queue(rt: Runtime, team_id: str, callback_id: str, execution_id: str, token: str,
          inputs: dict[str, Any]) -> bool:
    """Claim the execution and queue its job; False when it was queued already. Raises when Redis cannot take it
    (the claim is given back)."""
    key = CLAIM_KEY.format(execution=execution_id)
    if not rt.redis.set(key, "queued", nx=True, ex=defaults.STEP_CLAIM_TTL):
        return False
    job = {"team_id": team_id, "callback_id": callback_id, "execution_id": execution_id,
           "token_enc": rt.crypto.encrypt(token), "inputs": inputs}
    try:
        rt.queue.enqueue_call(JOB, args=(job,), timeout=defaults.STEP_JOB_TIMEOUT, result_ttl=0,
                              failure_ttl=defaults.FAILURE_TTL)  # no retry: Meta may have acted already
    except Exception:
        rt.redis.delete(key)
        raise
    return True


def run(raw: dict[str, Any], rt: Runtime) -> str:
    """The job: run the step, then complete it with its outputs or fail it with words a person can act on."""
    execution_id = str(raw["execution_id"])
    client = WebClient(token=rt.crypto.decrypt(str(raw["token_enc"])), base_url=rt.settings.SLACK_API_URL,
                       timeout=defaults.SLACK_TIMEOUT)
    try:
        outputs = _run(rt, str(raw["team_id"]), str(raw["callback_id"]), raw.get("inputs") or {})
    except Exception as e:  # noqa: BLE001 - every outcome ends the step; never leave it running
        error = error_text(e, execution_id)
        client.functions_completeError(function_execution_id=execution_id, error=error)
        return "failed"
    client.functions_completeSuccess(function_execution_id=execution_id, outputs=outputs)
    return "done"


def _run(rt: Runtime, team_id: str, callback_id: str, inputs: dict[str, Any]) -> dict[str, str]:
    if callback_id == SEND_TEMPLATE:
        return send_template_step(rt, team_id, inputs)
    if callback_id == PUBLISH_POST:
        return publish_post_step(rt, team_id, inputs)
    raise ValueError(f"unknown workflow step {callback_id!r}")


def error_text(e: Exception, execution_id: str) -> str:
    """What the workflow shows when the step fails."""
    if isinstance(e, OutcomeUnknown):
        ref = uuid.uuid4().hex[:8]
        log.warning("workflow step %s: outcome unknown (ref %s): %s", execution_id, ref, e)
        return messages.STEP_UNKNOWN.format(ref=ref)
    if isinstance(e, Refusal):
        return e.text
    if isinstance(e, StepFailed):
        return e.text
    if isinstance(e, catalog.Refused):
        return " ".join(e.errors.values())
    if isinstance(e, pages.NotManaged):
        return messages.PAGE_NOT_MANAGED.format(id=str(e))
    if isinstance(e, GraphError):
        return messages.META_REFUSED.format(reason=e.user_text())
    if isinstance(e, NotConnected):
        return str(e)
    ref = uuid.uuid4().hex[:8]
    log.exception("workflow step %s failed (ref %s)", execution_id, ref)
    return messages.STEP_UNKNOWN.format(ref=ref)


# --- the steps --------------------------------------------------------------------------------------------------

def send_template_step(rt: Runtime, team_id: str, inputs: dict[str, Any]) -> dict[str, str]:
    """Inputs: number (phone number id or display number; may be empty with one number), recipient (phone or
    BSUID), template (name), language (when the name has several), variables (comma-separated text or a list) in
    the order of templates.values.value_names: header variable, body variables, each URL button's link ending, then
    the copy-code button's coupon code; allow_paid (false: fail rather than send a template Meta bills)."""
    sent = send_template.send_plain(rt, team_id, text(inputs, "number"), text(inputs, "recipient"),
                                    text(inputs, "template"), text(inputs, "language"),
                                    variables(inputs.get("variables")), flag(inputs, "allow_paid", default=True))
    return {"message_id": sent.message_id, "status": ACCEPTED, "billing": PAID if sent.billing.paid else FREE,
            "billing_note": sent.billing.line}


def publish_post_step(rt: Runtime, team_id: str, inputs: dict[str, Any]) -> dict[str, str]:
    """Inputs: page (id or name; may be empty with one Page connected), message, link (optional)."""
    page_id = page_named(rt, team_id, text(inputs, "page"))
    message, link = text(inputs, "message"), text(inputs, "link")
    if not message:
        raise StepFailed(messages.POST_NO_MESSAGE)
    if link and not LINK.match(link):
        raise StepFailed(messages.STEP_LINK_BAD)
    url = pages.publish(rt, team_id, page_id, message, link or None, None)
    return {"post_id": url.rstrip("/").rsplit("/", 1)[-1], "post_url": url}


def page_named(rt: Runtime, team_id: str, raw: str) -> str:
    """A connected Page by id or name (any case); named by nothing, the only connected Page."""
    connected = pages.connected_pages(rt, team_id)
    if not connected:
        raise StepFailed(messages.STEP_NO_PAGE)
    listed = ", ".join(f"`{i}` ({n})" for i, n in connected)
    if not raw:
        if len(connected) > 1:
            raise StepFailed(messages.STEP_PAGE_CHOOSE.format(pages=listed))
        return connected[0][0]
    for page_id, name in connected:
        if raw == page_id or raw.casefold() == name.casefold():
            return page_id
    raise StepFailed(messages.STEP_PAGE_UNKNOWN.format(value=raw[:60], pages=listed))


def text(inputs: dict[str, Any], key: str) -> str:
    value = inputs.get(key)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise StepFailed(messages.STEP_VARIABLE_BAD.format(what=key, problem=messages.STEP_VARIABLES_BAD))
    return str(value).strip()


def flag(inputs: dict[str, Any], key: str, default: bool) -> bool:
    """A boolean input: Slack sends true or false; a workflow variable may bring its text. Unset: `default`."""
    value = inputs.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise StepFailed(messages.STEP_VARIABLE_BAD.format(what=key, problem=messages.STEP_FLAG_BAD))


def variables(value: Any) -> list[str]:
    """A template's values: a list of texts, or one text of comma-separated values (none when empty)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",")] if value.strip() else []
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return [str(v).strip() for v in value]
    raise StepFailed(messages.STEP_VARIABLES_BAD)
