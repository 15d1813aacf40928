"""The "Send to customer…" message shortcut: any Slack message of a channel with customer threads, sent to one of
those customers as a reply.

The shortcut keeps the message (text, shared files, who asked) in Redis for the modal's life and lists the
channel's customer threads, newest first (a WhatsApp customer by their last message, any other thread by when it
began), at most Slack's 100 options. Only threads of the channel the message is in are offered and accepted, so a
member sends only to customers of a channel they are reading. Submitting posts the message's text into the chosen
customer's thread as a bot message marked "sent by <@user> from a shortcut", and stores that post in the reply
outbox (`replies.store_reply`) with the original text and files and the person who asked as its author: from there
it is a reply like any other (replies on or off, the 24-hour window, the signature, files within the platform's
limits, one send per post, unknown outcomes with Send again, the thread answered for the unanswered list, its
reaction following sent, delivered, read). A note (`note:`, `//`, whatever formatting comes first: `notes.is_note`)
and a Slack Connect guest's message are refused before anything is posted; `forward` checks for a note again. Every
value in the view is looked up among the signed request's team's own records."""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, func, literal, select

from integrations.slack import blocks
from integrations.slack.client import post_message
from metaops import defaults, messages
from metaops.conversation import notes, replies, senders
from metaops.conversation.naming import plus
from metaops.runtime import Runtime
from store import customers
from store.models import ContactThread, Customer, Workspace

log = logging.getLogger(__name__)
MAX_OPTIONS = 100  # Slack's most options in a static select
PLATFORMS = {"whatsapp": "WhatsApp", "messenger": "Messenger", "instagram": "Instagram"}  # customer threads
DRAFT_KEY = "metaops:forward:{team}:{token}"
VIEW_KEY = "metaops:forward-view:{team}:{view}"


@dataclass(frozen=True)
class Choice:
    """One customer thread the message can go to: the select's value (the thread row's id) and its label."""

    thread_id: int
    label: str


def refusal(team_id: str, user: dict[str, Any], message: dict[str, Any]) -> str | None:
    """Why this message cannot be sent to a customer at all, or None: an internal note, a Slack Connect guest's
    shortcut, nothing to send."""
    if notes.is_note(message.get("text")):
        return messages.FORWARD_NOTE
    user_team = user.get("team_id")
    if user_team and user_team != team_id:
        return messages.FORWARD_GUEST
    if not (str(message.get("text") or "").strip() or replies.shared_files(message)):
        return messages.FORWARD_EMPTY
    return None


def recent(rt: Runtime, team_id: str, channel_id: str, limit: int = MAX_OPTIONS) -> list[Choice]:
    """The team's customer threads in `channel_id`, the most recently active first."""
    key = literal(customers.THREAD_PREFIX) + cast(Customer.id, String)
    active = func.coalesce(Customer.last_inbound_at, ContactThread.created_at)
    stmt = (select(ContactThread, Customer).outerjoin(Customer, ContactThread.contact == key)
            .where(ContactThread.team_id == team_id, ContactThread.channel_id == channel_id,
                   ContactThread.platform.in_(tuple(PLATFORMS)))
            .order_by(active.desc(), ContactThread.id.desc()).limit(limit))
    with rt.db.session() as s:
        rows = [(t.id, t.platform, t.business_id, t.contact, customers.Identity(
            id=c.id, business_id=c.business_id, bsuid=c.bsuid, phone=c.phone, username=c.username,
            profile_name=c.profile_name, marketing_opt_out=c.marketing_opt_out) if c is not None else None)
            for t, c in s.execute(stmt)]
    return [Choice(thread_id, _label(rt, platform, business_id, contact, customer))
            for thread_id, platform, business_id, contact, customer in rows]


def _label(rt: Runtime, platform: str, business_id: str, contact: str, customer: customers.Identity | None) -> str:
    """Plain text (a select's option): WhatsApp: profile name · @username · +phone (the BSUID when nothing else
    names them); Messenger and Instagram: the sender's name when it was read already (never a call to Meta here:
    the modal must open within Slack's 3 seconds), else their id."""
    if platform == "whatsapp":
        if contact.startswith("group:"):
            who = messages.FORWARD_GROUP.format(group=contact.removeprefix("group:"))
        elif customer is not None:
            parts = [p for p in (customer.profile_name, customer.username and f"@{customer.username.lstrip('@')}",
                                 customer.phone and plus(customer.phone)) if p]
            who = " · ".join(parts) or customer.bsuid or messages.UNKNOWN_CONTACT
        else:  # a key from before customers: the phone itself
            who = plus(contact)
    else:
        who = senders.cached_sender_name(rt, platform, business_id, contact) or \
            f"{PLATFORMS[platform]} user {contact}"
    return f"{who} ({PLATFORMS[platform]})"


def save_draft(rt: Runtime, team_id: str, user_id: str, channel_id: str, message: dict[str, Any]) -> str:
    """Keep the message for the modal's life; the token the view's metadata carries."""
    token = secrets.token_urlsafe(12)
    draft = {"user": user_id, "channel": channel_id, "ts": str(message.get("ts") or ""),
             "text": str(message.get("text") or ""), "files": replies.shared_files(message)}
    rt.redis.set(DRAFT_KEY.format(team=team_id, token=token), json.dumps(draft), ex=defaults.FORWARD_DRAFT_TTL)
    return token


def load_draft(rt: Runtime, team_id: str, token: Any) -> dict[str, Any] | None:
    """The message a view of `team_id` was opened for; None when the token is not one of that team's (another
    workspace's, forged, or expired)."""
    if not isinstance(token, str) or not token or ":" in token:
        return None
    raw = rt.redis.get(DRAFT_KEY.format(team=team_id, token=token))
    return json.loads(raw) if raw else None


def thread_for(rt: Runtime, team_id: str, channel_id: str, value: Any) -> ContactThread | None:
    """The chosen thread: only a customer thread of `team_id` in `channel_id`, whatever the view says."""
    if not isinstance(value, str) or not value.isdigit():
        return None
    with rt.db.session() as s:
        t = s.get(ContactThread, int(value))
        if t is None or t.team_id != team_id or t.channel_id != channel_id or t.platform not in PLATFORMS:
            return None
        s.expunge(t)
        return t


def replies_off(rt: Runtime, team_id: str) -> bool:
    with rt.db.session() as s:
        ws = s.get(Workspace, team_id)
        return ws is not None and not ws.replies_enabled


def claim_view(rt: Runtime, team_id: str, view_id: str) -> bool:
    """True for the first submission of a view: a second click (or Slack sending it again) sends nothing more."""
    return bool(rt.redis.set(VIEW_KEY.format(team=team_id, view=view_id), "1", nx=True, ex=defaults.VIEW_CLAIM_TTL))


def release_view(rt: Runtime, team_id: str, view_id: str) -> None:
    rt.redis.delete(VIEW_KEY.format(team=team_id, view=view_id))


def forward(rt: Runtime, team_id: str, user_id: str, draft: dict[str, Any], thread: ContactThread,
            by: str | None = None, shown: list[blocks.Block] | None = None,
            interactive: dict[str, Any] | None = None) -> tuple[int, str]:
    """Post the message in the customer's thread (marked as sent by `user_id`: `by`, from the shortcut unless said)
    and store that post in the reply outbox with the original text and files (or, for a rich reply, `interactive`,
    shown in the thread as `shown`); its row's (id, state), queued when pending. Raises when Slack does not take the
    post (nothing stored, nothing sent) or the row cannot be stored (the post then says it was not sent)."""
    text, files = str(draft.get("text") or ""), list(draft.get("files") or [])
    if notes.is_note(text):  # checked again here: nothing of a note is posted or stored for sending
        raise ValueError("an internal note is never sent to a customer")
    by = by or messages.FORWARD_BY.format(user=user_id)
    if files:
        by += messages.FORWARD_BY_FILES.format(names=", ".join(str(f.get("name") or f["id"]) for f in files))
    post = (shown or ([blocks.section(text)] if text.strip() else [])) + [blocks.context_block(by)]
    client = rt.slack.for_team(team_id)
    ts = post_message(client, thread.channel_id, f"{by}: {text}" if text.strip() else by, blocks=post,
                      thread_ts=thread.root_ts)
    event = {"channel": thread.channel_id, "thread_ts": thread.root_ts, "ts": ts, "user": user_id, "text": text,
             "files": files, "interactive": interactive}
    try:
        stored = replies.store_reply(rt, team_id, event)
        if stored is None:  # the thread is checked above; only a race with a removal gets here
            raise LookupError("not a customer thread any more")
    except Exception:
        try:
            client.chat_update(channel=thread.channel_id, ts=ts, text=messages.FORWARD_NOT_STORED,
                               blocks=[blocks.section(messages.FORWARD_NOT_STORED)])
        except Exception as e:  # noqa: BLE001 - the modal says it too
            log.warning("forwarded post %s not marked unsent (%s)", ts, type(e).__name__)
        raise
    if stored[1] == "pending":
        try:
            replies.queue_send(rt, stored[0])
        except Exception as e:  # noqa: BLE001 - stored: the periodic sweep queues it
            log.warning("forwarded reply %d could not be queued (%s); the sweep will", stored[0], type(e).__name__)
    return stored
