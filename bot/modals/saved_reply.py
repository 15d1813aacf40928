"""The saved-reply modal (`/meta saved add NAME`, and Edit in `/meta saved`) and the list's Edit and Delete buttons.

A button carries only the saved reply's id, looked up among the clicking workspace's own; the form's private
metadata names the workspace and, when editing, the id, both checked against the signed request. A member changes
their own saved replies; admins also the workspace's (checked again when the form is sent)."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.runtime import runtime_of
from bot.shortcuts.thread_form import value
from integrations.slack.blocks import input_block, modal, option, plain_text_input, static_select
from metaops import messages, permissions
from metaops.conversation import saved_replies
from metaops.surfaces import submissions

log = logging.getLogger(__name__)
CALLBACK_ID = "saved_reply_modal"
EDIT_ACTION = "saved_reply_edit"  # value: the saved reply's id
DELETE_ACTION = "saved_reply_delete"  # value: the saved reply's id
SCOPE_MINE, SCOPE_TEAM = "mine", "team"


def build(team_id: str, name: str = "", body: str = "", saved_id: int | None = None,
          may_share: bool = False) -> dict[str, Any]:
    """The form: name, text with fields, and (for admins adding one) who can use it."""
    parts = [input_block(messages.SAVED_NAME_LABEL, "name", plain_text_input("name", initial_value=name or None)),
             input_block(messages.SAVED_TEXT_LABEL, "text",
                         plain_text_input("text", multiline=True, initial_value=body or None),
                         hint=messages.SAVED_TEXT_HINT)]
    if may_share and saved_id is None:
        mine = option(messages.SAVED_SCOPE_MINE, SCOPE_MINE)
        parts.append(input_block(messages.SAVED_SCOPE_LABEL, "scope", static_select(
            "scope", [mine, option(messages.SAVED_SCOPE_TEAM, SCOPE_TEAM)], initial_option=mine)))
    meta = {"team_id": team_id, **({"id": saved_id} if saved_id is not None else {})}
    return modal(messages.SAVED_TITLE, CALLBACK_ID, parts, submit=messages.SAVED_SAVE, close="Cancel",
                 private_metadata=json.dumps(meta))


def open_editor(client: WebClient, trigger_id: str, team_id: str, name: str = "", body: str = "",
                saved_id: int | None = None, may_share: bool = False) -> None:
    client.views_open(trigger_id=trigger_id, view=build(team_id, name, body, saved_id, may_share))


def _managed(body: dict[str, Any], client: WebClient, context: BoltContext, ref: Any) -> \
        tuple[saved_replies.Saved | None, str | None]:
    """The saved reply a button or form names and whether the clicking member may change it: (it, None), or
    (None, why not)."""
    rt = runtime_of(context)
    team = (body.get("team") or {}).get("id") or ""
    user = (body.get("user") or {}).get("id") or ""
    found = saved_replies.find(rt, team, ref)
    if found is None:
        return None, messages.SAVED_GONE
    if not saved_replies.may_manage(found, user, lambda: permissions.may_change(rt, client, team, user)):
        return None, messages.SAVED_NOT_YOURS
    return found, None


def saved_reply_edit_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext,
                             respond: Respond) -> None:
    """Edit in `/meta saved`: the form filled with the saved reply, for its owner (or an admin, a shared one)."""
    ack()
    found, why = _managed(body, client, context, ((body.get("actions") or [{}])[0]).get("value"))
    if found is None:
        respond(text=why or messages.SAVED_GONE, response_type="ephemeral", replace_original=False)
        return
    open_editor(client, body.get("trigger_id") or "", found.team_id, found.name, found.text, found.id)


def saved_reply_delete_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext,
                               respond: Respond) -> None:
    """Delete in `/meta saved` (Slack asked first): gone, and the list's message says so."""
    ack()
    found, why = _managed(body, client, context, ((body.get("actions") or [{}])[0]).get("value"))
    if found is None:
        respond(text=why or messages.SAVED_GONE, response_type="ephemeral", replace_original=False)
        return
    saved_replies.delete(runtime_of(context), found.team_id, found.id)
    respond(text=messages.SAVED_DELETED.format(name=found.name), response_type="ephemeral", replace_original=True)


def saved_reply_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                          context: BoltContext) -> None:
    """The form sent: checked under its fields (name, text and its fields), then added or changed."""
    rt = runtime_of(context)
    team = (body.get("team") or {}).get("id") or ""
    user = (body.get("user") or {}).get("id") or ""
    meta = submissions.metadata(view)
    name, text = value(view, "name").strip(), value(view, "text")
    if not team or meta.get("team_id") != team:
        log.warning("saved-reply view %s submitted by team %s carries team %r", view.get("id"), team,
                    meta.get("team_id"))
        ack(response_action="errors", errors={"name": messages.SAVED_FORM_GONE})
        return
    errors = saved_replies.problems(name, text)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    try:
        if "id" in meta:
            found, why = _managed(body, client, context, meta.get("id"))
            if found is None:
                ack(response_action="errors", errors={"name": why or messages.SAVED_GONE})
                return
            saved_replies.save(rt, team, user, name, text, found.shared, found.id)
        else:
            shared = value(view, "scope") == SCOPE_TEAM
            if shared and not permissions.may_change(rt, client, team, user):
                ack(response_action="errors", errors={"scope": messages.SAVED_NOT_YOURS})
                return
            saved_replies.save(rt, team, user, name, text, shared)
    except saved_replies.NameTaken:
        ack(response_action="errors", errors={"name": messages.SAVED_NAME_TAKEN.format(name=name)})
        return
    ack()


def register(app: App) -> None:
    app.action(EDIT_ACTION)(saved_reply_edit_clicked)
    app.action(DELETE_ACTION)(saved_reply_delete_clicked)
    app.view(CALLBACK_ID)(saved_reply_submitted)
