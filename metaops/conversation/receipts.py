"""What becomes of a reply at Meta, shown on its Slack message: a reaction per state (sent, delivered, read, each
replacing the one before; failed), a refusal explained in the thread, and the customer's message marked read
at Meta once the team answered it."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from integrations.meta import whatsapp
from integrations.meta.pricing import pricing_of
from integrations.slack.client import call, post_message
from metaops import messages
from metaops.assets import connections
from metaops.conversation import reply_window, state_root
from metaops.costs import billed
from metaops.runtime import Runtime
from store import customers
from store.models import OutboundMessage

log = logging.getLogger(__name__)
SENT_REACTION, FAILED_REACTION, UNKNOWN_REACTION = "white_check_mark", "x", "grey_question"
DELIVERED_REACTION, READ_REACTION, PLAYED_REACTION = "incoming_envelope", "eyes", "headphones"
# a reply's state at Meta -> the reaction that shows it on the Slack message (each replaces the one before)
STATUS_REACTIONS = {"accepted": SENT_REACTION, "sent": SENT_REACTION, "delivered": DELIVERED_REACTION,
                    "read": READ_REACTION, "played": PLAYED_REACTION, "failed": FAILED_REACTION}


def refused(rt: Runtime, team_id: str, channel: str, thread_ts: str, slack_ts: str, reason: str,
             code: int | None) -> None:
    """Meta refused the reply (`code`, its error code): why, in the thread, and ❌ on the reply."""
    client = rt.slack.for_team(team_id)
    text = messages.REPLY_FAILED.format(reason=reason)
    if code == reply_window.META_CLOSED:
        reply_window.say_closed(rt, team_id, channel, thread_ts, text + "\n" + messages.REPLY_WINDOW)
    else:
        post_message(client, channel, text, thread_ts=thread_ts)
    react(client, channel, slack_ts, FAILED_REACTION)


def react(client: Any, channel: str, ts: str, name: str) -> None:
    try:
        call(client.reactions_add, channel=channel, timestamp=ts, name=name)
    except SlackApiError as e:
        if e.response.get("error") != "already_reacted":
            log.warning("reaction could not be added: %s", e.response.get("error"))


def record_status(rt: Runtime, status: dict[str, Any]) -> None:
    """sent, delivered, read, played (a voice message listened to): the stored reply follows (never backwards), and
    so does its reaction in Slack (:white_check_mark: -> :incoming_envelope: -> :eyes: -> :headphones:, each
    replacing the one before). Its pricing is kept whichever order the statuses come in."""
    order = ("accepted", "sent", "delivered", "read", "played")
    with rt.db.session() as s:
        out = s.get(OutboundMessage, str(status.get("id")))
        if out is None:
            return
        priced = _price(rt, out, status)
        root = (out.team_id, out.channel_id, out.thread_ts)
        new = str(status.get("status"))
        moved = out.status in order and new in order and order.index(new) > order.index(out.status)
        old = out.status
        if moved:
            out.status = new
        where = (out.team_id, out.channel_id, out.slack_ts)
    if priced:
        state_root.refresh(rt, *root)
    if moved:
        _show_state(rt, *where, old, new)


def _price(rt: Runtime, out: OutboundMessage, status: dict[str, Any]) -> bool:
    """What Meta charges for the message (integrations.meta.pricing), for a cost view; a status without pricing
    leaves what an earlier one said. True when what it is billed changed (the thread root's cost line follows)."""
    found = pricing_of(status)
    if found is None:
        return False
    billed.count(rt, out.pricing_type, found.type, found.category)
    changed = (out.pricing_type, out.pricing_category) != (found.type, found.category)
    out.pricing_model, out.pricing_type, out.pricing_category = found.model, found.type, found.category
    return changed


def _show_state(rt: Runtime, team_id: str, channel: str, slack_ts: str, old: str, new: str) -> None:
    """The reply's reaction moved from `old`'s to `new`'s: the new one first, then the old one removed. Never fails
    what called it (the state is stored; only Slack's picture of it lags)."""
    before, after = STATUS_REACTIONS.get(old), STATUS_REACTIONS.get(new)
    if before == after or after is None:
        return
    try:
        client = rt.slack.for_team(team_id)
        if new != "failed":  # a failure's :x: is added with its explanation (`refused`)
            react(client, channel, slack_ts, after)
        if before:
            _unreact(client, channel, slack_ts, before)
    except Exception as e:  # noqa: BLE001 - see above
        log.warning("reaction for a %s reply not updated (%s)", new, type(e).__name__)


def _unreact(client: Any, channel: str, ts: str, name: str) -> None:
    try:
        call(client.reactions_remove, channel=channel, timestamp=ts, name=name)
    except SlackApiError as e:
        if e.response.get("error") != "no_reaction":
            log.warning("reaction could not be removed: %s", e.response.get("error"))


def failed_status(rt: Runtime, status: dict[str, Any]) -> None:
    """A reply Meta accepted and then could not deliver: the reason goes in its thread."""
    with rt.db.session() as s:
        out = s.get(OutboundMessage, str(status.get("id")))
        if out is None or out.status == "failed":
            return
        where = (out.team_id, out.channel_id, out.thread_ts, out.slack_ts)
        old = out.status
    err: dict[str, Any] = next(iter(status.get("errors") or []), {}) or {}
    details = (err.get("error_data") or {}).get("details") or err.get("message") or ""
    reason = f"{err.get('title') or 'failed'} (code {err.get('code')})" + (f" — {details}" if details else "")
    refused(rt, *where, reason, err.get("code"))
    with rt.db.session() as s:  # only once said in the thread: a failed post is retried with the event
        out = s.get_one(OutboundMessage, str(status.get("id")))
        out.status, out.error = "failed", f"{err.get('code')} {err.get('title', '')} {details}".strip()
        priced = _price(rt, out, status)
    if priced:
        state_root.refresh(rt, where[0], where[1], where[2])
    _show_state(rt, where[0], where[1], where[3], old, "failed")  # the :x: replaces the state's reaction


def mark_read(rt: Runtime, thread: Any) -> None:
    """The customer's last message marked read at Meta, once the team answered it. Never fails the reply."""
    customer = customers.from_thread_key(rt.db.engine, thread.contact)
    if customer is None or not customer.last_inbound_id:
        return
    try:
        whatsapp.mark_read(rt.graph, connections.token_of(rt, thread.team_id), thread.business_id,
                           customer.last_inbound_id)
        customers.marked_read(rt.db.engine, customer.id, customer.last_inbound_id)
    except Exception as e:  # noqa: BLE001 - the reply is sent; the customer just sees no blue ticks yet
        log.warning("customer %d: last message not marked read (%s)", customer.id, type(e).__name__)
