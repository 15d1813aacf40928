"""The buttons on comments in a post's thread: Reply (a small modal; anyone of the workspace), Hide and Delete
(admins; Delete asks first). A button's value is the comment's row id and is only looked up among the signed
request's team's comments, whose Page or Instagram account that team must still hold: a forged value, or one
from another workspace, reaches nothing."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.runtime import runtime_of
from metaops import messages, permissions
from metaops.assets import comments
from metaops.conversation import notes, replies

log = logging.getLogger(__name__)


def comment_reply_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Reply: the small modal answering this comment (anyone of the workspace)."""
    ack()
    team_id, user_id, value = _who(body)
    comment = comments.find(runtime_of(context), team_id, value)
    if comment is None or _guest(body, team_id):
        _tell(client, body, user_id, messages.COMMENT_GONE)
        return
    client.views_open(trigger_id=body.get("trigger_id"),
                      view=comments.reply_modal(team_id, comment, body.get("message")))


def comment_hide_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Hide (admins)."""
    _moderate("hide", ack, body, client, context)


def comment_delete_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Delete (admins; the button asks first)."""
    _moderate("delete", ack, body, client, context)


def _moderate(verb: str, ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    rt = runtime_of(context)
    team_id, user_id, value = _who(body)
    if _guest(body, team_id):
        _tell(client, body, user_id, messages.COMMENT_GONE)
        return
    refusal = comments.moderate(rt, team_id, user_id, value, verb,
                                partial(permissions.may_change, rt, client, team_id, user_id), body.get("message"))
    if refusal:
        _tell(client, body, user_id, refusal)


def comment_reply_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """The Reply modal: shown in the thread, then stored in the reply outbox and queued like a message written in
    the thread; once per view, however often it is submitted."""
    rt = runtime_of(context)
    team_id, user_id = (body.get("team") or {}).get("id") or "", (body.get("user") or {}).get("id") or ""
    meta = comments.modal_metadata(view)
    comment = comments.find(rt, team_id, str(meta.get("comment") or "")) \
        if meta.get("team_id") == team_id and not _guest(body, team_id) else None
    values = ((view.get("state") or {}).get("values") or {}).get(comments.REPLY_BLOCK) or {}
    text = str((values.get(comments.REPLY_INPUT) or {}).get("value") or "").strip()
    if comment is None:
        ack(response_action="errors", errors={comments.REPLY_BLOCK: messages.COMMENT_GONE})
        return
    if not text:
        ack(response_action="errors", errors={comments.REPLY_BLOCK: messages.COMMENT_MODAL_EMPTY})
        return
    if notes.is_note(text):  # notes stay in Slack: never published under a comment
        ack(response_action="errors", errors={comments.REPLY_BLOCK: messages.COMMENT_MODAL_NOTE})
        return
    try:
        stored = comments.store_answer(rt, team_id, user_id, comment, text, str(meta.get("quote") or ""),
                                       view.get("id"))
    except comments.NotStored:  # nothing stored: the person may submit again
        ack(response_action="errors", errors={comments.REPLY_BLOCK: messages.FAILED.format(ref=view.get("id"))})
        return
    ack()
    if stored is None:  # submitted already: that one is on its way
        return
    try:
        replies.queue_send(rt, stored)
    except Exception as e:  # noqa: BLE001 - stored: the periodic sweep queues it
        log.warning("comment reply %d could not be queued (%s); the sweep will", stored, type(e).__name__)


def _who(body: dict[str, Any]) -> tuple[str, str, str]:
    action: dict[str, Any] = next(iter(body.get("actions") or []), {})
    return (body.get("team") or {}).get("id") or "", (body.get("user") or {}).get("id") or "", \
        str(action.get("value") or "")


def _tell(client: WebClient, body: dict[str, Any], user_id: str, text: str) -> None:
    channel = (body.get("channel") or {}).get("id")
    if channel:
        client.chat_postEphemeral(channel=channel, user=user_id, text=text,
                                  thread_ts=(body.get("message") or {}).get("thread_ts"))


def _guest(body: dict[str, Any], team_id: str) -> bool:
    """A Slack Connect guest (a user of another organisation) acts on nothing of this workspace's."""
    user_team = (body.get("user") or {}).get("team_id")
    return bool(user_team) and user_team != team_id


def register(app: App) -> None:
    app.action(comments.REPLY_ACTION)(comment_reply_clicked)
    app.action(comments.HIDE_ACTION)(comment_hide_clicked)
    app.action(comments.DELETE_ACTION)(comment_delete_clicked)
    app.view(comments.REPLY_VIEW)(comment_reply_submitted)
