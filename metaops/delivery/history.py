"""Coexistence webhooks of a number that was on the WhatsApp Business app: its chat history (`history`) and its
contacts (`smb_app_state_sync`). Neither posts into customer threads: history is stored until an admin imports it
(history_import.py), contacts keep customers' names up to date. The alerts channel hears once that a number's
history is arriving, or that the business declined to share it; a chunk with nothing readable is described there.
"""

from __future__ import annotations

import logging

from integrations.meta import history as meta_history
from integrations.meta.payload import Item
from integrations.slack.blocks import section
from integrations.slack.mrkdwn import escape
from metaops import messages
from metaops.conversation.naming import plus
from metaops.conversation.router import Router
from metaops.conversation.thread import paced_post
from metaops.runtime import Runtime
from store import customers
from store import history as stored
from store.customers import Seen

log = logging.getLogger(__name__)


def history_chunk(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """One history webhook: its messages stored once per id (never posted), the number's phase and progress
    recorded; the first chunk of a number, or the business declining, noted in `alerts`."""
    chunk = meta_history.history(item.data)
    number, display = item.business_id, _display(item)
    label = plus(display) if display else number
    if chunk.declined:
        _declined(rt, router, team_id, item, chunk, label)
        return
    chunk.problems.extend(f"Meta's error {e.get('code', '?')}: {e.get('title') or e.get('message') or ''}".strip()
                          for e in chunk.errors)
    rows = [stored.Incoming(m.id, m.thread, m.outgoing, m.sent_at, m.data) for m in chunk.messages]
    stored.record_chunk(rt.db.engine, number, team_id, item.asset_id, display, chunk.phase, chunk.progress, rows)
    if chunk.problems:
        log.warning("history chunk for %s: %s", number, "; ".join(sorted(set(chunk.problems))))
    sync = stored.get(rt.db.engine, number)
    if not rows:
        if chunk.problems:
            _note(rt, router, team_id, messages.HISTORY_UNREADABLE.format(
                number=label, why=escape("; ".join(sorted(set(chunk.problems))))))
        return
    if sync is not None and sync.noted_at is None:
        total = stored.counts(rt.db.engine, number)[0]
        _note(rt, router, team_id, messages.HISTORY_AVAILABLE.format(number=label, count=total,
                                                                       arg=display or number))
        stored.set_noted(rt.db.engine, number, rt.now())


def app_contacts(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """Contacts added or edited in the WhatsApp Business app: the customer of that phone takes the name the
    business gave them (created when new, so an imported history names them). Removals change nothing."""
    for contact in meta_history.contacts(item.data):
        if contact.name and not contact.removed:
            customers.resolve(rt.db.engine, item.business_id, Seen(phone=contact.phone, profile_name=contact.name))
    router.forget_customers()


def _declined(rt: Runtime, router: Router, team_id: str, item: Item, chunk: meta_history.HistoryChunk,
              label: str) -> None:
    first = chunk.errors[0] if chunk.errors else {}
    said = (first.get("error_data") or {}).get("details") if isinstance(first.get("error_data"), dict) else None
    reason = " ".join(str(x) for x in (first.get("title") or first.get("message"), said) if x) or None
    if stored.set_declined(rt.db.engine, item.business_id, team_id, item.asset_id, _display(item), reason, None):
        return  # said already
    code = f" {first.get('code')}" if first.get("code") else ""
    _note(rt, router, team_id, messages.HISTORY_DECLINED.format(
        number=label, reason=f" (Meta{code}: {escape(reason)})" if reason else ""))
    stored.set_declined(rt.db.engine, item.business_id, team_id, item.asset_id, _display(item), reason, rt.now())


def _note(rt: Runtime, router: Router, team_id: str, text: str) -> None:
    paced_post(rt, router, team_id, router.channel(team_id, "alerts"), text, [section(text)])


def _display(item: Item) -> str | None:
    return "".join(ch for ch in str(item.metadata.get("display_phone_number") or "") if ch.isdigit()) or None
