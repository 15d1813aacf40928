"""Modal submissions sent to Meta by the worker, once per view.

A modal's view_submission must be answered within Slack's 3 seconds, and Meta may take longer. The bot checks
what it can check at once (who submits, for which workspace, Meta's rules for the fields), acknowledges, and
queues one `submit_view` job (metaops.jobs) per view id: a Redis key taken with SET NX is the claim, so a
second submission of the same view (a double click, a retry after a slow answer) sends nothing again.

Template and post forms stay open on a "working" view; the job updates that view with the outcome. When Meta
refuses, the form comes back with what the user typed and Meta's words under the field it concerns, and the
claim is released so the corrected form can be submitted again (same view id). That is what a Slack user
expects of a form: Slack can only show red field errors in the 3-second answer, so Meta's later refusal is
shown as a warning line under the field, and as an ephemeral message when the user closed the modal meanwhile.
An outcome that is not known (a timeout, something broke on our side) keeps the claim: sending again could
publish twice.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from integrations.meta.errors import GraphError, OutcomeUnknown
from integrations.meta.template_rules import Draft
from integrations.slack.blocks import context_block, plain, section
from metaops import defaults, messages
from metaops.assets import pages, subscriptions
from metaops.exceptions import NotConnected, Refusal
from metaops.queue import enqueue
from metaops.runtime import Runtime
from metaops.templates import catalog, send_template

log = logging.getLogger(__name__)
JOB = "metaops.jobs.submit_view"
TEMPLATE, POST, WEBHOOK, SEND = "template", "post", "webhook", "send_template"
CLAIM_KEY = "metaops:view:{team}:{view}"
ERROR_PREFIX = "meta_error_"


@dataclasses.dataclass
class Submission:
    """What the job needs: who, where, which view (its form, to show again with errors) and the kind's fields."""

    kind: str
    team_id: str
    user_id: str
    channel_id: str
    view_id: str
    view: dict[str, Any]  # the submitted view: blocks, callback_id, title, submit, close, private_metadata, state
    fields: dict[str, Any]


def queue(rt: Runtime, sub: Submission) -> bool:
    """Claim the view and queue its job; False when this view was already submitted (nothing queued).
    Raises when Redis cannot take it (the claim is given back)."""
    key = CLAIM_KEY.format(team=sub.team_id, view=sub.view_id)
    if not rt.redis.set(key, "queued", nx=True, ex=defaults.VIEW_CLAIM_TTL):
        return False
    try:
        rt.queue.enqueue_call(JOB, args=(dataclasses.asdict(sub),), timeout=defaults.JOB_TIMEOUT, result_ttl=0,
                              failure_ttl=defaults.FAILURE_TTL)  # no retry: Meta may have acted already
    except Exception:
        rt.redis.delete(key)
        raise
    return True


def working_view(view: dict[str, Any]) -> dict[str, Any]:
    """What the modal shows while the job runs: no submit button, so it cannot be sent again."""
    return {"type": "modal", "callback_id": view.get("callback_id", ""),
            "title": plain(messages.MODAL_WORKING_TITLE), "close": plain("Close"),
            "private_metadata": view.get("private_metadata", ""), "blocks": [section(messages.MODAL_WORKING)]}


def run(raw: dict[str, Any], rt: Runtime) -> str:
    """The job: send the submission to Meta, say the outcome. Returns the outcome's kind (for logs)."""
    sub = Submission(**raw)
    client = rt.slack.for_team(sub.team_id)
    key = CLAIM_KEY.format(team=sub.team_id, view=sub.view_id)
    try:
        if sub.kind == TEMPLATE:
            done = _template(rt, sub)
        elif sub.kind == POST:
            done = _post(rt, sub)
        elif sub.kind == WEBHOOK:
            _ephemeral(client, sub, _webhook(rt, sub))
            enqueue.refresh_home(rt.queue, sub.team_id, sub.user_id)
            return "done"
        elif sub.kind == SEND:
            done = send_template.send(rt, sub.team_id, sub.user_id, sub.fields)
        else:
            raise ValueError(f"unknown submission kind {sub.kind!r}")
    except OutcomeUnknown:  # Meta may have acted: keep the claim, say what to check
        return _unknown(client, sub)
    except catalog.Refused as e:
        rt.redis.delete(key)  # refused: nothing was made, the corrected form may be sent again
        _refused(client, sub, e.errors)
        return "refused"
    except Refusal as e:  # the template may not go to this customer: nothing was sent
        rt.redis.delete(key)
        _refused(client, sub, {e.field: e.text})
        return "refused"
    except (GraphError, NotConnected, pages.NotManaged) as e:
        rt.redis.delete(key)
        _refused(client, sub, {_field_of(sub, e): _words(sub, e)})
        return "refused"
    except Exception:  # noqa: BLE001 - the outcome is unknown: keep the claim, tell the user what to check
        return _unknown(client, sub)
    _update(client, sub, _done_view(sub, done))
    _ephemeral(client, sub, done)
    enqueue.refresh_home(rt.queue, sub.team_id, sub.user_id)
    return "done"


def _unknown(client: WebClient, sub: Submission) -> str:
    ref = uuid.uuid4().hex[:8]
    log.exception("%s submission of view %s: outcome unknown (ref %s)", sub.kind, sub.view_id, ref)
    text = messages.MODAL_UNKNOWN.format(ref=ref)
    _update(client, sub, _done_view(sub, text))
    _ephemeral(client, sub, text)
    return "unknown"


def _template(rt: Runtime, sub: Submission) -> str:
    draft = Draft(**sub.fields["draft"])
    template_id = sub.fields.get("template_id")
    if template_id:
        catalog.edit(rt, sub.team_id, template_id, draft)
        done = messages.TEMPLATE_EDITED
    else:
        catalog.create(rt, sub.team_id, draft)
        done = messages.TEMPLATE_SUBMITTED
    catalog.mark_stale(rt, sub.team_id)
    return done.format(name=draft.name, language=draft.language)


def _post(rt: Runtime, sub: Submission) -> str:
    f = sub.fields
    when = datetime.fromtimestamp(int(f["when"]), UTC) if f.get("when") else None
    link = pages.publish(rt, sub.team_id, f["page_id"], f["message"], f.get("link"), when)
    name = dict(pages.connected_pages(rt, sub.team_id)).get(f["page_id"], f["page_id"])
    if when:
        return messages.POST_SCHEDULED.format(page=name, when=f"{when:%Y-%m-%d %H:%M}", link=link)
    return messages.POST_PUBLISHED.format(page=name, link=link)


def _webhook(rt: Runtime, sub: Submission) -> str:
    try:
        steps = subscriptions.configure(rt, sub.team_id, sub.fields["chosen"])
    except NotConnected as e:
        return str(e)
    lines = [messages.WEBHOOK_CONFIGURED] + [
        (messages.WEBHOOK_STEP_OK if s.ok else messages.WEBHOOK_STEP_FAILED).format(what=s.what, detail=s.detail)
        for s in steps]
    if subscriptions.is_operator(rt, sub.team_id):
        lines.append(messages.WEBHOOK_PENDING.format(url=f"{rt.settings.PUBLIC_URL}/meta/webhook"))
    else:
        lines.append(messages.WEBHOOK_APP_UNCHANGED)
    return "\n".join(lines)


def _field_of(sub: Submission, e: Exception) -> str:
    if sub.kind == SEND:
        return "template"
    if sub.kind == POST:
        if isinstance(e, pages.NotManaged):
            return "page"
        return "link" if isinstance(e, GraphError) and "link" in e.message.lower() else "message"
    return "body"


def _words(sub: Submission, e: Exception) -> str:
    if isinstance(e, pages.NotManaged):
        return messages.PAGE_NOT_MANAGED.format(id=sub.fields.get("page_id", ""))
    if isinstance(e, GraphError):
        return messages.META_REFUSED.format(reason=e.user_text())
    return str(e)


def _refused(client: WebClient, sub: Submission, errors: dict[str, str]) -> None:
    """The form again, as the user left it, with each error under its field; ephemeral when the modal is gone."""
    if not _update(client, sub, form_with_errors(sub.view, errors)):
        _ephemeral(client, sub, "\n".join(messages.MODAL_REFUSED.format(reason=m) for m in errors.values()))


def form_with_errors(view: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """The submitted form with its values kept and `errors` (block id -> text) shown under the fields; an
    error for no field of the form goes on top. Errors of an earlier round are dropped."""
    values = (view.get("state") or {}).get("values") or {}
    inputs = {b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"}
    blocks: list[dict[str, Any]] = []
    stray = [m for k, m in errors.items() if k not in inputs]
    if stray:
        blocks.append(_error_block("top", " ".join(stray)))
    for b in view.get("blocks", []):
        if str(b.get("block_id", "")).startswith(ERROR_PREFIX):
            continue
        b = copy.deepcopy(b)
        if b.get("type") == "input":
            _keep_value(b, (values.get(b["block_id"]) or {}).get(b["element"].get("action_id", "value")) or {})
        blocks.append(b)
        if b.get("block_id") in errors:
            blocks.append(_error_block(b["block_id"], errors[b["block_id"]]))
    out: dict[str, Any] = {k: view[k] for k in ("type", "callback_id", "title", "submit", "close", "private_metadata")
                             if k in view}
    return {**out, "type": "modal", "blocks": blocks[:100]}


def _error_block(block_id: str, text: str) -> dict[str, Any]:
    return {**context_block(messages.MODAL_REFUSED.format(reason=text)), "block_id": f"{ERROR_PREFIX}{block_id}"}


def _keep_value(block: dict[str, Any], state: dict[str, Any]) -> None:
    element = block["element"]
    kind = element.get("type")
    if kind in ("plain_text_input", "url_text_input") and state.get("value"):
        element["initial_value"] = state["value"]
    elif kind == "static_select" and state.get("selected_option"):
        element["initial_option"] = state["selected_option"]
    elif kind == "datetimepicker" and state.get("selected_date_time"):
        element["initial_date_time"] = state["selected_date_time"]
    elif kind == "number_input" and state.get("value"):
        element["initial_value"] = state["value"]
    elif kind == "conversations_select" and state.get("selected_conversation"):
        element["initial_conversation"] = state["selected_conversation"]
    elif kind == "checkboxes" and "selected_options" in state:
        if state["selected_options"]:
            element["initial_options"] = state["selected_options"]
        else:
            element.pop("initial_options", None)


def _done_view(sub: Submission, text: str) -> dict[str, Any]:
    return {"type": "modal", "callback_id": sub.view.get("callback_id", ""), "title": plain(messages.MODAL_DONE_TITLE),
            "close": plain("Close"), "blocks": [section(text)]}


def _update(client: WebClient, sub: Submission, view: dict[str, Any]) -> bool:
    """views.update; False when the view is gone (closed) or Slack refused."""
    try:
        client.views_update(view_id=sub.view_id, view=view)
        return True
    except SlackApiError as e:
        log.info("views.update of %s: %s", sub.view_id, e.response.get("error"))
        return False


def _ephemeral(client: WebClient, sub: Submission, text: str) -> None:
    if not sub.channel_id:
        return
    try:
        client.chat_postEphemeral(channel=sub.channel_id, user=sub.user_id, text=text)
    except SlackApiError as e:  # the outcome is in the modal too; the message is a courtesy
        log.warning("submission outcome could not be posted: %s", e.response.get("error"))


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """A view's private metadata as a dict ({} when missing or not ours)."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}
