"""The buttons on a customer thread's root: Claim, Assign to… (a people picker; admins, or oneself), Resolve,
Reopen, Snooze (1 hour, tomorrow 9:00, or a time picked in a small modal). Each names the root it sits on (its
value is the root's ts, checked against the message Slack says was clicked) and is looked up among the signed
request's team's customer threads only; a Slack Connect guest changes nothing. A refusal is told to the member
alone (ephemeral, in the thread)."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.runtime import runtime_of
from integrations.slack.blocks import datetimepicker, input_block, modal
from metaops import inbox_messages as texts
from metaops import permissions
from metaops.conversation import members, replies, snooze, state, state_root

SNOOZE_MODAL = "conversation_snooze_modal"


def _request(body: dict[str, Any], value_checked: bool = True) -> state.Request | None:
    """The member's change as the signed request names it; None when the button's value is not the root it sits on
    (a value we did not make)."""
    team_id = (body.get("team") or {}).get("id") or ""
    user = body.get("user") or {}
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or ""
    root = container.get("message_ts") or ""
    action: dict[str, Any] = next(iter(body.get("actions") or []), {})
    if not team_id or not channel or not root or (value_checked and action.get("value") != root):
        return None
    return state.Request(team_id, user.get("id") or "", channel, root, replies.guest_pressed(team_id, user))


def _answer(client: WebClient, body: dict[str, Any], refusal: str | None) -> None:
    channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id")
    user = (body.get("user") or {}).get("id")
    if refusal and channel and user:
        client.chat_postEphemeral(channel=channel, user=user, text=refusal,
                                  thread_ts=(body.get("container") or {}).get("message_ts"))


def _change(body: dict[str, Any], client: WebClient, context: BoltContext, action: str, value_checked: bool = True,
            **options: Any) -> None:
    rt = runtime_of(context)
    req = _request(body, value_checked)
    if req is None:
        _answer(client, body, texts.NOT_A_CONVERSATION)
        return
    admin = partial(permissions.may_change, rt, client, req.team_id, req.user_id)
    _answer(client, body, state.change(rt, req, action, admin, **options))


def claim_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Claim: the conversation becomes the member's, unless another member holds it (then they are told who)."""
    ack()
    _change(body, client, context, state.CLAIM)


def assign_selected(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Assign to…: an admin gives the conversation to the person picked (anyone may pick themselves)."""
    ack()
    action: dict[str, Any] = next(iter(body.get("actions") or []), {})
    assignee = action.get("selected_user")
    if not isinstance(assignee, str) or not assignee:
        _answer(client, body, texts.NOT_A_CONVERSATION)
        return
    _change(body, client, context, state.ASSIGN, value_checked=False, assignee=assignee)


def resolve_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    _change(body, client, context, state.RESOLVE)


def reopen_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    _change(body, client, context, state.REOPEN)


def snooze_selected(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Snooze…: an hour, or tomorrow at 9:00 in the member's time zone as Slack has it; "Pick a time…" opens a
    modal with a date and time picker."""
    ack()
    rt = runtime_of(context)
    action: dict[str, Any] = next(iter(body.get("actions") or []), {})
    choice = str((action.get("selected_option") or {}).get("value") or "")
    req = _request(body, value_checked=False)
    if req is None or choice not in (snooze.HOUR, snooze.TOMORROW, snooze.PICK):
        _answer(client, body, texts.NOT_A_CONVERSATION)
        return
    if choice == snooze.PICK:
        if state.conversation(rt, req.team_id, req.channel, req.root) is None or req.guest:
            _answer(client, body, texts.GUEST_REFUSED if req.guest else texts.NOT_A_CONVERSATION)
            return
        client.views_open(trigger_id=body.get("trigger_id"), view=snooze_modal(req, rt.now().timestamp()))
        return
    tz = members.time_zone(client, req.user_id) if choice == snooze.TOMORROW else None
    _change(body, client, context, state.SNOOZE, value_checked=False, until=snooze.until(choice, rt.now(), tz))


def snooze_modal(req: state.Request, now: float) -> dict[str, Any]:
    return modal(texts.SNOOZE_MODAL_TITLE, SNOOZE_MODAL, [
        input_block(texts.SNOOZE_MODAL_LABEL, "until", datetimepicker("value", int(now) + 3600))],
        submit=texts.SNOOZE_MODAL_SUBMIT, close="Cancel",
        private_metadata=json.dumps({"team_id": req.team_id, "channel": req.channel, "root": req.root}))


def snooze_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                     context: BoltContext) -> None:
    """The picked time: in the future and within SNOOZE_MAX_DAYS (else said under the field); the modal's metadata
    must name the signed request's team and one of its conversations."""
    rt = runtime_of(context)
    team_id = (body.get("team") or {}).get("id") or ""
    user = body.get("user") or {}
    try:
        meta = json.loads(view.get("private_metadata") or "")
    except ValueError:
        meta = None
    if not isinstance(meta, dict) or meta.get("team_id") != team_id or not isinstance(meta.get("channel"), str) \
            or not isinstance(meta.get("root"), str):
        ack(response_action="errors", errors={"until": texts.NOT_A_CONVERSATION})
        return
    picked = (((view.get("state") or {}).get("values") or {}).get("until") or {}).get("value") or {}
    until, why = snooze.picked(picked.get("selected_date_time"), rt.now())
    if until is None:
        ack(response_action="errors", errors={"until": why or texts.SNOOZE_PAST})
        return
    req = state.Request(team_id, user.get("id") or "", meta["channel"], meta["root"],
                        replies.guest_pressed(team_id, user))
    refusal = state.change(rt, req, state.SNOOZE, partial(permissions.may_change, rt, client, team_id, req.user_id),
                           until=until)
    if refusal:
        ack(response_action="errors", errors={"until": refusal})
        return
    ack()


def register(app: App) -> None:
    app.action(state_root.CLAIM_ACTION)(claim_clicked)
    app.action(state_root.ASSIGN_ACTION)(assign_selected)
    app.action(state_root.RESOLVE_ACTION)(resolve_clicked)
    app.action(state_root.REOPEN_ACTION)(reopen_clicked)
    app.action(state_root.SNOOZE_ACTION)(snooze_selected)
    app.view(SNOOZE_MODAL)(snooze_submitted)
