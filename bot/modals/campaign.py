"""The campaign modal's two steps (the form, checked by a job; the review, confirmed) and the campaign's buttons
in its channel: Approve / Reject (another admin), Pause / Resume / Cancel."""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.modals import submission
from bot.runtime import runtime_of
from integrations.slack.blocks import modal, section
from metaops import messages, permissions
from metaops.campaigns import approval, check, hold, progress, reply_channels
from metaops.campaigns.form import FORM_ID, REVIEW_ID
from metaops.exceptions import NotConnected, Refusal
from metaops.surfaces import submissions

log = logging.getLogger(__name__)


def campaign_form_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                            context: BoltContext) -> None:
    """The form: who and what checked at once; the file and the recipients by a job, which shows the review."""
    rt = runtime_of(context)
    refused = submission.refusal(rt, body, view, client)
    if refused:
        ack(response_action="errors", errors={"name": refused})
        return
    v = view["state"]["values"]
    when = _get(v, "when").get("selected_date_time")
    if when and int(when) < time.time():
        ack(response_action="errors", errors={"when": messages.CAMPAIGN_WHEN_PAST})
        return
    try:
        overflow = reply_channels.overflow_count(_get(v, reply_channels.OVERFLOW_FIELD).get("value"))
    except Refusal as e:
        ack(response_action="errors", errors={e.field: e.text})
        return
    meta = submissions.metadata(view)
    f = check.Form(team_id=body["team"]["id"], user_id=body["user"]["id"], channel_id=str(meta.get("channel_id", "")),
                   view_id=view["id"], view={k: view[k] for k in submission.VIEW_KEYS if k in view},
                   name=str(_get(v, "name").get("value") or "").strip(),
                   number=str((_get(v, "number").get("selected_option") or {}).get("value") or ""),
                   template_id=str((_get(v, "template").get("selected_option") or {}).get("value") or ""),
                   file=str(_get(v, "file").get("value") or ""), send_at=int(when) if when else None,
                   reply_channel=str(_get(v, reply_channels.REPLY_FIELD).get("selected_conversation") or ""),
                   overflow=overflow)
    try:
        check.queue(rt, f)
    except Exception:  # noqa: BLE001 - Redis could not take it: nothing was checked or sent
        log.exception("campaign form %s not queued", view.get("id"))
        ack(response_action="errors", errors={"name": messages.FAILED.format(ref=view.get("id", ""))})
        return
    ack(response_action="update", view=submissions.working_view(view))


def campaign_review_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                              context: BoltContext) -> None:
    """The review confirmed: the campaign starts, or a second admin is asked."""
    rt = runtime_of(context)
    said = submission.refusal(rt, body, view, client)
    if not said:
        try:
            said = approval.confirm(rt, body["team"]["id"], body["user"]["id"],
                                    submissions.metadata(view).get("campaign_id"))
        except Refusal as e:
            if e.field == reply_channels.OVERFLOW_FIELD:  # nothing started: the review again, to confirm once fixed
                ack(response_action="update", view=submissions.form_with_errors(view, {e.field: e.text}))
                return
            said = str(e)
        except NotConnected as e:
            said = str(e)
    ack(response_action="update", view=modal(messages.CAMPAIGN_TITLE, REVIEW_ID, [section(said)], close="Close"))


def campaign_decided(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond,
                     context: BoltContext) -> None:
    """Approve / Reject on a campaign's request: another admin's decision, kept in the channel."""
    ack()
    rt = runtime_of(context)
    team, user = body["team"]["id"], body["user"]["id"]
    if not permissions.may_change(rt, client, team, user):
        _tell(respond, messages.NOT_ALLOWED)
        return
    try:
        text = approval.decide(rt, team, user, action.get("value"), action.get("action_id") == approval.APPROVE)
    except (Refusal, NotConnected) as e:
        _tell(respond, str(e))
        return
    respond(replace_original=True, text=text, blocks=[section(text)])


def campaign_controlled(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                        respond: Respond, context: BoltContext) -> None:
    """Pause / Resume / Cancel / Cancel held on the progress message (admins)."""
    ack()
    rt = runtime_of(context)
    team, user = body["team"]["id"], body["user"]["id"]
    if not permissions.may_change(rt, client, team, user):
        _tell(respond, messages.NOT_ALLOWED)
        return
    try:
        approval.control(rt, team, user, action.get("value"), str(action.get("action_id")))
    except (Refusal, NotConnected) as e:
        _tell(respond, str(e))


def register(app: App) -> None:
    app.view(FORM_ID)(campaign_form_submitted)
    app.view(REVIEW_ID)(campaign_review_submitted)
    app.action(approval.APPROVE)(campaign_decided)
    app.action(approval.REJECT)(campaign_decided)
    for action_id in (progress.PAUSE, progress.RESUME, progress.CANCEL, hold.CANCEL_HELD):
        app.action(action_id)(campaign_controlled)


def _get(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (values.get(block_id) or {}).get("value") or {}
    return found


def _tell(respond: Respond, text: str) -> None:
    """An answer only the member who pressed sees; the message with the buttons stays as it is."""
    respond(replace_original=False, response_type="ephemeral", text=text)
