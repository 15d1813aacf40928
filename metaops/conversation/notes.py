"""Internal notes in a customer thread: a message starting `note:` (any case) or `//` stays in Slack, marked with
:memo:, and is never sent to the customer.

Leading formatting does not hide a note: Slack mrkdwn markers (`*` bold, `_` italics, `~` strike, `` ` `` code,
`>` or its escaped `&gt;` quote markers) and whitespace before the prefix are skipped, and so are markers closing
before the colon (`*Note*: ...`). `is_note` is the one rule, checked where a reply is accepted, again at the outbox's
single send point, in the comment Reply modal, the Send to customer shortcut and file captions."""

from __future__ import annotations

import logging
import re
from typing import Any

from metaops import messages
from metaops.conversation import receipts
from metaops.runtime import Runtime
from store import threads

log = logging.getLogger(__name__)
NOTE_PREFIXES = ("note:", "//")  # a thread message starting so (any case) is an internal note, never sent
# leading Slack formatting and whitespace (zero-width and no-break spaces too), skipped before the prefix
_LEADING = re.compile(r"^(?:[\s\u200b\u200c\u200d\u2060\ufeff*_~`>]|&gt;)+", re.IGNORECASE)
_NOTE = re.compile(r"^(?:note[*_~`]*:|//)", re.IGNORECASE)  # `*Note*:` as well as `*Note:*`


def is_note(text: Any) -> bool:
    """An internal note: a message that starts with `note:` (any case) or `//`, whatever Slack formatting (bold,
    italics, strike, code, quote markers) or whitespace comes before. It stays in Slack."""
    return isinstance(text, str) and _NOTE.match(_LEADING.sub("", text, count=1)) is not None


def mark_note(rt: Runtime, team_id: str, event: dict[str, Any]) -> bool:
    """A person's note in a customer thread gets the :memo: reaction, so everyone sees it stayed inside. True when
    it is one (marked, or Slack would not take the reaction: it is not sent either way)."""
    if not (event.get("thread_ts") and event.get("thread_ts") != event.get("ts") and event.get("user")
            and not event.get("bot_id") and event.get("subtype") in (None, "", "file_share")
            and is_note(event.get("text"))):
        return False
    try:
        thread = threads.find_by_root(rt.db.engine, event["channel"], event["thread_ts"])
        if thread is None or thread.team_id != team_id:
            return False
        receipts.react(rt.slack.for_team(team_id), event["channel"], event["ts"], messages.NOTE_REACTION)
    except Exception as e:  # noqa: BLE001 - a note is never sent, marked or not
        log.warning("note in %s not marked (%s)", event.get("channel"), type(e).__name__)
    return True
