"""A member's emoji reaction on a Slack post that shows a customer's message goes to that message at Meta: a
WhatsApp reaction message (`type: reaction`; removing it sends an empty emoji) or a Messenger sender action
(`react` with the emoji, `unreact`). Not the emoji that work the conversation (👀 claims, ✅ resolves: see
state.py) nor the ones the app itself puts on replies as their receipts (receipts.py) or on notes.

The Slack event is answered at once; a job sends the reaction (the worker calls Meta, as for every reply). WhatsApp
keeps one reaction per message from the business, so the post remembers which one is shown: a member removing an
emoji that is no longer the one shown changes nothing. Meta refusing it (an unknown or too old message, a closed
window) is told to the member who reacted, in the thread, only to them."""

from __future__ import annotations

import logging

from integrations.meta import pages, whatsapp
from integrations.meta.errors import GraphError
from integrations.slack.client import call
from metaops import inbox_messages as texts
from metaops import messages
from metaops.assets import connections
from metaops.conversation import emoji_names, receipts, replies
from metaops.exceptions import NotConnected
from metaops.queue import enqueue
from metaops.runtime import Runtime, current
from store import customer_posts, threads

log = logging.getLogger(__name__)
SEND_JOB = "metaops.jobs.send_member_reaction"
CLAIM_EMOJI, RESOLVE_EMOJI = "eyes", "white_check_mark"  # on a thread's root: claim it, resolve it
# never sent to a customer: the conversation's shortcuts, and the marks the app itself puts on messages
APP_EMOJI = frozenset({CLAIM_EMOJI, RESOLVE_EMOJI, *receipts.STATUS_REACTIONS.values(), receipts.UNKNOWN_REACTION,
                       messages.NOTE_REACTION})


def reacted(rt: Runtime, team_id: str, channel: str, ts: str, user_id: str, name: str, added: bool) -> bool:
    """A reaction added or removed in Slack: queued for the customer when it is on one of the workspace's customer
    posts and not one of APP_EMOJI. True when queued."""
    if emoji_names.base_name(name) in APP_EMOJI:
        return False
    if customer_posts.find(rt.db.engine, team_id, channel, ts) is None:
        return False
    enqueue.submit(rt.queue, SEND_JOB, 0, args=(team_id, channel, ts, user_id, name, added))
    return True


def send(team_id: str, channel: str, ts: str, user_id: str, name: str, added: bool) -> str:
    """The job: the reaction sent to Meta (or removed there). Returns what happened, for the logs."""
    rt = current()
    post = customer_posts.find(rt.db.engine, team_id, channel, ts)
    thread = threads.find_by_root(rt.db.engine, channel, post.thread_ts) if post else None
    if post is None or thread is None or thread.team_id != team_id:
        return "not a customer post"
    emoji = emoji_names.to_unicode(name)
    if emoji is None:
        _tell(rt, team_id, channel, post.thread_ts, user_id, name, texts.REACTION_NO_EMOJI)
        return "no such emoji"
    if not added and post.reaction != emoji:
        return "not the reaction shown"  # another member's reaction replaced it since, or it never went
    try:
        if thread.platform == "whatsapp":
            whatsapp.send_reaction(rt.graph, connections.token_of(rt, team_id), thread.business_id,
                                   replies.recipient(rt, thread.contact), post.message_id, emoji if added else "")
        elif thread.platform == "messenger":
            page_id, token = replies.page_for(rt, thread)
            pages.send_reaction(rt.graph, token, page_id, thread.contact, post.message_id, emoji if added else None)
        else:
            _tell(rt, team_id, channel, post.thread_ts, user_id, name,
                  texts.REACTION_PLATFORM.format(platform=thread.platform.capitalize()))
            return "platform takes none"
    except (GraphError, NotConnected) as e:
        reason = e.user_text() if isinstance(e, GraphError) else str(e)
        _tell(rt, team_id, channel, post.thread_ts, user_id, name, reason)
        return "refused"
    customer_posts.set_reaction(rt.db.engine, post.id, emoji if added else None)
    return "sent" if added else "removed"


def _tell(rt: Runtime, team_id: str, channel: str, thread_ts: str, user_id: str, name: str, reason: str) -> None:
    try:
        call(rt.slack.for_team(team_id).chat_postEphemeral, channel=channel, user=user_id, thread_ts=thread_ts,
             text=texts.REACTION_NOT_SENT.format(name=name, reason=reason))
    except Exception as e:  # noqa: BLE001 - logged instead
        log.warning("reaction refusal not told to %s (%s): %s", user_id, type(e).__name__, reason)
