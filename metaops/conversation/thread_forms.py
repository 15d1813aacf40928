"""A reply composed in a modal for one customer thread (a saved reply, a rich reply): which thread a click or a form
names, whether the member may send there now, and the send itself, through the reply outbox like any reply.

A form's private metadata names (team, channel, root ts); each is only looked up among the signed team's customer
threads, so a forged or another workspace's value reaches nothing."""

from __future__ import annotations

import json
from typing import Any

from metaops import messages
from metaops.conversation import notes, reply_window, send_to_customer
from metaops.runtime import Runtime
from store import threads
from store.models import ContactThread


def root_of(message: dict[str, Any]) -> str:
    """The thread root a message belongs to: its thread_ts, or its own ts when it is a root."""
    return str(message.get("thread_ts") or message.get("ts") or "")


def thread_at(rt: Runtime, team_id: str, channel_id: Any, root_ts: Any) -> ContactThread | None:
    """The customer thread rooted at (channel, root ts), only when it is one of `team_id`'s customer conversations."""
    if not isinstance(channel_id, str) or not isinstance(root_ts, str) or not channel_id or not root_ts:
        return None
    thread = threads.find_by_root(rt.db.engine, channel_id, root_ts)
    if thread is None or thread.team_id != team_id or thread.platform not in send_to_customer.PLATFORMS:
        return None
    return thread


def metadata(team_id: str, thread: ContactThread, **extra: Any) -> str:
    return json.dumps({"team_id": team_id, "channel_id": thread.channel_id, "thread_ts": thread.root_ts, **extra},
                      separators=(",", ":"))


def thread_of_form(rt: Runtime, team_id: str, meta: dict[str, Any]) -> ContactThread | None:
    """The thread a submitted form names, when the form is the signed team's and names one of its customer threads."""
    if meta.get("team_id") != team_id:
        return None
    return thread_at(rt, team_id, meta.get("channel_id"), meta.get("thread_ts"))


def refusal(rt: Runtime, team_id: str, user: dict[str, Any], thread: ContactThread, text: str) -> str | None:
    """Why this member's reply may not go to the thread's customer now, or None: a Slack Connect guest, a note,
    replies off, the WhatsApp window closed (a template is needed). The outbox checks again when it sends."""
    if user.get("team_id") and user.get("team_id") != team_id:
        return messages.THREAD_FORM_GUEST
    if notes.is_note(text):
        return messages.FORWARD_NOTE
    if send_to_customer.replies_off(rt, team_id):
        return messages.FORWARD_REPLIES_OFF
    closed = reply_window.closed_since(rt, thread.contact) if thread.platform == "whatsapp" else None
    return reply_window.closed_text(closed) if closed is not None else None


def send(rt: Runtime, team_id: str, user_id: str, view_id: str, thread: ContactThread, text: str, by: str,
         shown: list[dict[str, Any]] | None = None, interactive: dict[str, Any] | None = None) -> bool:
    """Post the reply in the thread and store it in the outbox (queued), once per view: False when this view was
    sent already (a second click). Raises as send_to_customer.forward does, the view then free to be sent again."""
    if not send_to_customer.claim_view(rt, team_id, view_id):
        return False
    try:
        send_to_customer.forward(rt, team_id, user_id, {"text": text, "files": []}, thread, by=by, shown=shown,
                                 interactive=interactive)
    except Exception:
        send_to_customer.release_view(rt, team_id, view_id)
        raise
    return True
