"""The buttons on comments in a post's thread: Reply (a small modal; anyone of the workspace), Hide and Delete
(admins; Delete asks first). A button's value is the comment's row id and is only looked up among the signed
request's team's comments, whose Page or Instagram account that team must still hold: a forged value, or one
from another workspace, reaches nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import permissions
from metaops import defaults, messages
from metaops.assets import comments
from metaops.conversation import replies
from metaops.runtime import Runtime
from store import dedupe, outbox

log = logging.getLogger(__name__)


def register(app: App, rt: Runtime) -> None:
    def who(body: dict[str, Any]) -> tuple[str, str, str]:
        action: dict[str, Any] = next(iter(body.get("actions") or []), {})
        return (body.get("team") or {}).get("id") or "", (body.get("user") or {}).get("id") or "", \
            str(action.get("value") or "")

    def tell(client: WebClient, body: dict[str, Any], user_id: str, text: str) -> None:
        channel = (body.get("channel") or {}).get("id")
        if channel:
            client.chat_postEphemeral(channel=channel, user=user_id, text=text,
                                      thread_ts=(body.get("message") or {}).get("thread_ts"))

    def guest(body: dict[str, Any], team_id: str) -> bool:
        """A Slack Connect guest (a user of another organisation) acts on nothing of this workspace's."""
        user_team = (body.get("user") or {}).get("team_id")
        return bool(user_team) and user_team != team_id

    @app.action(comments.REPLY_ACTION)
    def reply(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, user_id, value = who(body)
        comment = comments.find(rt, team_id, value)
        if comment is None or guest(body, team_id):
            tell(client, body, user_id, messages.COMMENT_GONE)
            return
        client.views_open(trigger_id=body.get("trigger_id"),
                          view=comments.reply_modal(team_id, comment, body.get("message")))

    def moderate(verb: str) -> Callable[..., None]:
        def listener(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            team_id, user_id, value = who(body)
            if guest(body, team_id):
                tell(client, body, user_id, messages.COMMENT_GONE)
                return
            refusal = comments.moderate(rt, team_id, user_id, value, verb,
                                        lambda: permissions.may_change(rt, client, team_id, user_id),
                                        body.get("message"))
            if refusal:
                tell(client, body, user_id, refusal)
        return listener

    app.action(comments.HIDE_ACTION)(moderate("hide"))
    app.action(comments.DELETE_ACTION)(moderate("delete"))

    @app.view(comments.REPLY_VIEW)
    def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Shown in the thread, then stored in the reply outbox and queued like a message written in the thread;
        once per view, however often it is submitted."""
        team_id, user_id = (body.get("team") or {}).get("id") or "", (body.get("user") or {}).get("id") or ""
        meta = comments.modal_metadata(view)
        comment = comments.find(rt, team_id, str(meta.get("comment") or "")) \
            if meta.get("team_id") == team_id and not guest(body, team_id) else None
        values = ((view.get("state") or {}).get("values") or {}).get(comments.REPLY_BLOCK) or {}
        text = str((values.get(comments.REPLY_INPUT) or {}).get("value") or "").strip()
        if comment is None:
            ack(response_action="errors", errors={comments.REPLY_BLOCK: messages.COMMENT_GONE})
            return
        if not text:
            ack(response_action="errors", errors={comments.REPLY_BLOCK: messages.COMMENT_MODAL_EMPTY})
            return
        key = f"slack:comment-reply-view:{view.get('id')}"
        try:
            if not dedupe.claim(rt.db.engine, key, None, rt.now(), defaults.DEDUPE_LEASE):
                ack()  # submitted already: that one is on its way
                return
        except dedupe.ClaimBusy:
            ack()
            return
        try:
            ts = comments.post_answer(rt, team_id, user_id, comment, text, str(meta.get("quote") or ""))
            stored = outbox.add(rt.db.engine, team_id, comment.channel_id, comment.thread_ts, ts, user_id, text,
                                rt.now())
        except Exception:  # noqa: BLE001 - nothing stored: the person may submit again
            dedupe.release(rt.db.engine, key)
            log.exception("comment reply from view %s not stored", view.get("id"))
            ack(response_action="errors", errors={comments.REPLY_BLOCK: messages.FAILED.format(ref=view.get("id"))})
            return
        dedupe.done(rt.db.engine, key)
        ack()
        try:
            replies.queue_send(rt, stored[0])
        except Exception as e:  # noqa: BLE001 - stored: the periodic sweep queues it
            log.warning("comment reply %d could not be queued (%s); the sweep will", stored[0], type(e).__name__)
