"""Comment threads: Facebook Page comments and Instagram comments, one Slack thread per post.

The thread's root shows the post (its excerpt and link, read from Meta when its first comment arrives; without
them when Meta will not say). Each comment is a message in the thread with Reply, Hide and Delete buttons.

Which comment a team member's reply answers. Slack threads are flat: a message written in the thread names only
the thread, never the message it was "replying to", so that cannot be observed. A message written in the thread
therefore answers the latest comment (the common case: the conversation's newest turn); to answer an older one,
the member uses that comment's *Reply* button, which opens a small modal, and the reply is posted in the thread
as "<member> replied to <who>'s comment" and sent through the same reply outbox. Quoting or reactions were not
chosen: a quote is free text that may match several comments or none, and a reaction is not a reply.

Replies are public replies (`/{comment-id}/comments` for Pages, `/{comment-id}/replies` for Instagram) with the
Page's token; Hide and Delete are for admins, on comments of the Page or account the signed team holds."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from integrations.meta import formatting, instagram, pages
from integrations.meta.errors import GraphError
from integrations.slack import blocks, limits
from integrations.slack.client import call, post_message
from integrations.slack.mrkdwn import escape
from metaops import defaults, messages
from metaops.conversation import notes
from metaops.exceptions import NotConnected
from metaops.runtime import Runtime
from store import comment_threads, dedupe, outbox
from store.comment_threads import PLATFORMS, Comment
from store.models import InstagramAccount, OutboundMessage, Page

log = logging.getLogger(__name__)
__all__ = ["PLATFORMS"]
FACEBOOK, INSTAGRAM = PLATFORMS
REPLY_ACTION, HIDE_ACTION, DELETE_ACTION = "comment_reply", "comment_hide", "comment_delete"
REPLY_VIEW = "comment_reply_view"
REPLY_BLOCK, REPLY_INPUT = "comment_reply", "text"
NAMES = {FACEBOOK: "Facebook", INSTAGRAM: "Instagram"}


def token_for(rt: Runtime, team_id: str, platform: str, asset_id: str) -> str:
    """The Page token that acts on a post's comments, only when the Page (and, for Instagram, the account) is
    connected by `team_id`; otherwise NotConnected."""
    with rt.db.session() as s:
        page_id = asset_id
        if platform == INSTAGRAM:
            account = s.get(InstagramAccount, asset_id)
            mine = account is not None and account.team_id == team_id and account.connected
            page_id = account.page_id if account is not None and mine else ""
        page = s.get(Page, page_id) if page_id else None
        if page is None or page.team_id != team_id or not page.connected or not page.token_enc:
            raise NotConnected(messages.COMMENT_NOT_CONNECTED.format(platform=NAMES.get(platform, platform)))
        return rt.crypto.decrypt(page.token_enc)


def root_post(rt: Runtime, team_id: str, platform: str, asset_id: str, where: str, post_id: str
              ) -> tuple[str, list[dict[str, Any]]]:
    """The thread's root: the post's excerpt and link, as Meta shows them; the post's id when Meta will not."""
    try:
        token = token_for(rt, team_id, platform, asset_id)
        if platform == FACEBOOK:
            post = pages.post_excerpt(rt.graph, token, post_id)
            body, link = post.get("message"), post.get("permalink_url")
        else:
            media = instagram.media_excerpt(rt.graph, token, post_id)
            body, link = media.get("caption"), media.get("permalink")
        excerpt = escape(limits.clip(str(body), defaults.COMMENT_EXCERPT_CHARS)) if body else \
            messages.COMMENT_NO_TEXT
    except (GraphError, NotConnected) as e:
        log.info("post %s not read for its comment thread: %s", post_id, e)
        excerpt, link = messages.COMMENT_ROOT_UNKNOWN.format(post=escape(post_id)), None
    text = messages.COMMENT_ROOT.format(where=escape(where), excerpt=excerpt)
    if link and str(link).startswith("https://"):
        text += " " + messages.COMMENT_ROOT_LINK.format(link=str(link).replace("|", "%7C").replace(">", "%3E"))
    return text, [blocks.section(text), blocks.context_block(messages.COMMENT_ROOT_HINT)]


def sent_by_us(rt: Runtime, comment_id: str) -> bool:
    """A comment that is one of our own public replies (Meta reports those too): already in its thread."""
    with rt.db.session() as s:
        return s.get(OutboundMessage, comment_id) is not None


def comment_text(what: str, platform: str, who: str, body: str) -> str:
    """A comment's line in its post's thread: `what` is add, own (the Page or account itself), edited or remove."""
    name, text = escape(who), escape(body) or messages.COMMENT_NO_TEXT
    if what == "remove":
        return messages.COMMENT_REMOVED.format(who=name)
    if what == "edited":
        return messages.COMMENT_EDITED.format(who=name, body=text)
    if what == "own":
        return messages.COMMENT_OWN.format(who=name, platform="Page" if platform == FACEBOOK else "Instagram",
                                           body=text)
    return messages.COMMENT_NEW.format(who=name, body=text)


def comment_post(text: str, row_id: int | None) -> list[dict[str, Any]]:
    """A comment's message: its text and, once it is stored as a reply target, Reply, Hide and Delete."""
    found = [blocks.section(text)]
    if row_id is not None:
        found.append(_buttons(str(row_id), hide=True, delete=True))
    return found


def _buttons(value: str, hide: bool, delete: bool) -> dict[str, Any]:
    elements = [blocks.button(messages.COMMENT_REPLY, REPLY_ACTION, value=value)]
    if hide:
        elements.append(blocks.button(messages.COMMENT_HIDE, HIDE_ACTION, value=value))
    if delete:
        elements.append(blocks.button(messages.COMMENT_DELETE, DELETE_ACTION, value=value, style="danger",
                                      confirm=blocks.confirm_dialog(
                                          messages.COMMENT_DELETE_CONFIRM_TITLE, messages.COMMENT_DELETE_CONFIRM,
                                          messages.COMMENT_DELETE_YES, messages.COMMENT_DELETE_NO, style="danger")))
    return blocks.actions(*elements)


def send_reply(rt: Runtime, thread: Any, event: dict[str, Any], names: Callable[[str], str],
               signer: str | None = None) -> str:
    """A team member's message in a post's thread, posted as a public reply under the comment it answers (the one
    whose Reply button wrote it, else the thread's latest comment); returns the new comment's id."""
    target = comment_threads.answer_target(rt.db.engine, thread.channel_id, thread.business_id, event["ts"])
    if target is None:
        latest = comment_threads.latest(rt.db.engine, thread.channel_id, thread.business_id, thread.root_ts)
        if latest is None:
            raise NotConnected(messages.COMMENT_NO_TARGET)
        target = latest.target_id
    token = token_for(rt, thread.team_id, thread.platform, thread.business_id)
    text = formatting.slack_to_plain(event["text"], names)
    text = f"{signer}: {text}" if signer else text  # `/meta signature on`
    if thread.platform == FACEBOOK:
        return pages.reply_to_comment(rt.graph, token, target, text)
    return instagram.reply_to_comment(rt.graph, token, target, text)


def find(rt: Runtime, team_id: str, value: str) -> Comment | None:
    """The comment a button names, only among the signed team's own; a forged or foreign value reaches nothing."""
    comment = comment_threads.get(rt.db.engine, int(value)) if value.isdigit() else None
    return comment if comment is not None and comment.team_id == team_id else None


def moderate(rt: Runtime, team_id: str, user_id: str, value: str, verb: str, is_admin: Callable[[], bool],
             shown: dict[str, Any] | None) -> str | None:
    """Hide or delete a comment at Meta (admins of the team holding its Page or account), then show the outcome
    on the comment's message. None when done; otherwise what to tell the person who pressed the button."""
    comment = find(rt, team_id, value)
    if comment is None:
        return messages.COMMENT_GONE
    if not is_admin():
        return messages.NOT_ALLOWED
    try:
        token = token_for(rt, team_id, comment.platform, comment.asset_id)
        wrapper = pages if comment.platform == FACEBOOK else instagram
        (wrapper.hide_comment if verb == "hide" else wrapper.delete_comment)(rt.graph, token, comment.comment_id)
    except NotConnected as e:
        return str(e)
    except GraphError as e:
        return messages.COMMENT_REFUSED.format(verb=messages.COMMENT_VERBS[verb], reason=e.user_text())
    if verb == "delete":
        comment_threads.forget(rt.db.engine, comment.id)
    note = (messages.COMMENT_HIDDEN_BY if verb == "hide" else messages.COMMENT_DELETED_BY).format(user=user_id)
    text = _shown_text(shown)
    updated = [blocks.section(text), blocks.context_block(note)]
    if verb == "hide":
        updated.append(_buttons(str(comment.id), hide=False, delete=True))
    try:  # the message is found by what we stored, never by where the click says it came from
        call(rt.slack.for_team(team_id).chat_update, channel=comment.channel_id, ts=comment.ts,
             text=f"{text}\n{note}", blocks=updated)
    except Exception as e:  # noqa: BLE001 - done at Meta; the message just does not show it
        log.warning("comment %d: outcome not shown on its message (%s)", comment.id, type(e).__name__)
    return None


def _shown_text(shown: dict[str, Any] | None) -> str:
    """The comment's text as its message shows it (the first section of the clicked message)."""
    for block in (shown or {}).get("blocks") or []:
        if block.get("type") == "section" and isinstance(block.get("text"), dict):
            return str(block["text"].get("text") or "")
    return str((shown or {}).get("text") or messages.COMMENT_NO_TEXT)


def reply_modal(team_id: str, comment: Comment, shown: dict[str, Any] | None) -> dict[str, Any]:
    """The small modal of a comment's Reply button: the comment quoted, one text input. Its metadata names the
    team and the comment's row, and carries the short quote the reply is shown under."""
    text = _shown_text(shown)
    meta = json.dumps({"team_id": team_id, "comment": comment.id,
                       "quote": limits.clip_mrkdwn(text, defaults.COMMENT_ANSWER_QUOTE_CHARS)})
    return blocks.modal(messages.COMMENT_MODAL_TITLE, REPLY_VIEW, [
        blocks.section(limits.clip_mrkdwn(text, defaults.COMMENT_QUOTE_CHARS)),
        blocks.input_block(messages.COMMENT_MODAL_LABEL, REPLY_BLOCK, blocks.plain_text_input(REPLY_INPUT, True))],
        submit=messages.COMMENT_MODAL_SUBMIT, private_metadata=meta)


def modal_metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def post_answer(rt: Runtime, team_id: str, user_id: str, comment: Comment, text: str, quote: str) -> str:
    """A reply written in the Reply modal, shown in the post's thread; its target remembered before it is stored
    in the outbox (so the send finds it). Returns the Slack ts of the message that stands for the reply."""
    said = messages.COMMENT_ANSWER.format(user=user_id, quote=quote, body=escape(text))
    ts = post_message(rt.slack.for_team(team_id), comment.channel_id, said, thread_ts=comment.thread_ts)
    comment_threads.remember_answer(rt.db.engine, team_id, comment.asset_id, comment.platform, comment.channel_id,
                                    ts, comment.target_id)
    return ts


class NotStored(Exception):
    """A Reply modal's answer could not be shown or stored (logged): nothing was kept, the person may submit
    again."""


def store_answer(rt: Runtime, team_id: str, user_id: str, comment: Comment, text: str, quote: str,
                 view_id: str | None) -> int | None:
    """A Reply modal's answer, once per view however often it is submitted: shown in the post's thread, then stored
    in the reply outbox. Returns the outbox row's id, for the caller to queue (replies.queue_send) once Slack has
    its answer; None when the view was submitted already (that answer is on its way). NotStored when nothing was
    kept."""
    if notes.is_note(text):  # the modal refuses it under its field; never shown as a public reply nor stored
        raise NotStored(f"{view_id}: an internal note")
    key = f"slack:comment-reply-view:{view_id}"
    try:
        if not dedupe.claim(rt.db.engine, key, None, rt.now(), defaults.DEDUPE_LEASE):
            return None
    except dedupe.ClaimBusy:
        return None
    try:
        ts = post_answer(rt, team_id, user_id, comment, text, quote)
        stored = outbox.add(rt.db.engine, team_id, comment.channel_id, comment.thread_ts, ts, user_id, text,
                            rt.now())
    except Exception as e:  # noqa: BLE001 - nothing stored: the person may submit again
        dedupe.release(rt.db.engine, key)
        log.exception("comment reply from view %s not stored", view_id)
        raise NotStored(str(view_id)) from e
    dedupe.done(rt.db.engine, key)
    return stored[0]
