"""A customer's change to a message already shown in Slack, shown on that message's post (originals.mark): an edit
(the new text under the old), a deletion, a reaction added (or replaced) and removed, on WhatsApp, Messenger and
Instagram; and a WhatsApp call's end on the post of its start. Each kind reads (original id, mark, text) from its
item; text None removes the mark."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from integrations.meta.payload import Item
from integrations.slack.mrkdwn import escape
from metaops import messages
from metaops.conversation import originals
from metaops.delivery import calls
from metaops.delivery.describe import describe
from metaops.delivery.when import slack_date
from metaops.runtime import Runtime

Change = tuple[Any, str, str | None]  # (the original message's id, the mark's name, its text or None)


def on_original(rt: Runtime, item: Item) -> bool:
    """True when the change is shown on the original's post; False: the caller posts it in the thread."""
    read = CHANGES.get(item.kind)
    if read is None:
        return False
    original, name, text = read(item.data)
    return originals.mark(rt, item.business_id, original, name, text)


def _wa_edit(m: dict[str, Any]) -> Change:
    edit = _dict(m.get("edit"))
    return edit.get("original_message_id"), "edit", _edited(m.get("timestamp"), describe(_dict(edit.get("message"))))


def _wa_revoke(m: dict[str, Any]) -> Change:
    return _dict(m.get("revoke")).get("original_message_id"), "deleted", _deleted(m.get("timestamp"))


def _wa_reaction(m: dict[str, Any]) -> Change:
    r = _dict(m.get("reaction"))
    return r.get("message_id"), "reaction", _reacted(r.get("emoji"))


def _dm_edit(m: dict[str, Any]) -> Change:
    e = _dict(m.get("message_edit"))
    return e.get("mid"), "edit", _edited(m.get("timestamp"), escape(str(e.get("text") or "")) or
                                         messages.WA_EMPTY_TEXT)


def _dm_delete(m: dict[str, Any]) -> Change:
    return _dict(m.get("message")).get("mid"), "deleted", _deleted(m.get("timestamp"))


def _dm_reaction(m: dict[str, Any]) -> Change:
    r = _dict(m.get("reaction"))
    return r.get("mid"), "reaction", _reacted(r.get("emoji")) if r.get("action") != "unreact" else None


def _call_end(c: dict[str, Any]) -> Change:
    return (c.get("id"), "call", calls.describe(c)) if c.get("event") == "terminate" else (None, "call", None)


CHANGES: dict[str, Callable[[dict[str, Any]], Change]] = {
    "edit": _wa_edit, "revoke": _wa_revoke, "reaction": _wa_reaction,
    "dm_edit": _dm_edit, "dm_delete": _dm_delete, "dm_reaction": _dm_reaction,
    "call": _call_end,
}


def _edited(at: Any, body: str) -> str:
    when = slack_date(at)
    return messages.MARK_EDITED.format(when=f" {when}" if when else "", body=body)


def _deleted(at: Any) -> str:
    when = slack_date(at)
    return messages.MARK_DELETED.format(when=f" {when}" if when else "")


def _reacted(emoji: Any) -> str | None:
    return messages.MARK_REACTED.format(emoji=escape(str(emoji))) if emoji else None


def _dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}
