"""What every modal submission checks before anything goes to Meta, and how it is queued and acknowledged.

Checked against the signed request: the view's private metadata must name the team Slack says submitted it,
and the user must still be allowed to change things (admins can be removed while a modal is open)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from metaops import messages, permissions
from metaops.runtime import Runtime
from metaops.surfaces import submissions

log = logging.getLogger(__name__)
VIEW_KEYS = ("type", "callback_id", "title", "submit", "close", "private_metadata", "blocks", "state")


def refusal(rt: Runtime, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> str | None:
    """Why this submission is refused, or None. The team is the signed request's, never the metadata's."""
    team = (body.get("team") or {}).get("id") or ""
    meta = submissions.metadata(view)
    if not team or meta.get("team_id") != team:
        log.warning("view %s submitted by team %s carries team %r", view.get("id"), team, meta.get("team_id"))
        return messages.MODAL_NOT_THIS_TEAM
    if not permissions.may_change(rt, client, team, (body.get("user") or {}).get("id", "")):
        return messages.NOT_ALLOWED
    return None


def refused(rt: Runtime, ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, field: str) -> bool:
    """True when the submission is refused (`refusal`): then it is acknowledged with the reason under `field`."""
    reason = refusal(rt, body, view, client)
    if reason:
        ack(response_action="errors", errors={field: reason})
    return reason is not None


def queue(rt: Runtime, ack: Ack, kind: str, body: dict[str, Any], view: dict[str, Any], fields: dict[str, Any],
          error_field: str, keep_open: bool = True) -> None:
    """Queue the Meta call (once per view id) and acknowledge within Slack's 3 seconds: a form that stays open
    shows a "working" view the job later replaces; otherwise the modal closes and the outcome is posted."""
    meta = submissions.metadata(view)
    sub = submissions.Submission(
        kind=kind, team_id=body["team"]["id"], user_id=body["user"]["id"], channel_id=meta.get("channel_id", ""),
        view_id=view["id"], view={k: view[k] for k in VIEW_KEYS if k in view}, fields=fields)
    try:
        if not submissions.queue(rt, sub):
            log.info("view %s was already submitted: nothing queued again", sub.view_id)
    except Exception:  # noqa: BLE001 - Redis could not take it; nothing was sent
        ref = uuid.uuid4().hex[:8]
        log.exception("%s submission could not be queued (ref %s)", kind, ref)
        ack(response_action="errors", errors={error_field: messages.FAILED.format(ref=ref)})
        return
    if keep_open:
        ack(response_action="update", view=submissions.working_view(view))
    else:
        ack()
