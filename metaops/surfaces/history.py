"""`/meta history` (what Meta sent of each number's WhatsApp Business app history) and `/meta history import NUMBER`
(the admin's go-ahead: the import job posts it into the customer threads, metaops/delivery/history_import.py)."""

from __future__ import annotations

from metaops import messages
from metaops.conversation.naming import plus
from metaops.queue import history as jobs
from metaops.runtime import Runtime
from store import history, workspaces
from store.history import Summary


def summary(rt: Runtime, team_id: str) -> str:
    """Per number: what arrived (messages, customers, Meta's phase and progress), what is imported, or that the
    business declined to share."""
    numbers = history.of_team(rt.db.engine, team_id)
    if not numbers:
        return messages.HISTORY_NONE
    return "\n".join(messages.HISTORY_LINE_NUMBER.format(number=_label(n), what=_what(n)) for n in numbers)


def start(rt: Runtime, team_id: str, user_id: str, arg: str) -> str:
    """Start (or resume) the import of the number `arg` (its display number or phone number id). The caller checked
    the admin right."""
    found = _find(rt, team_id, arg)
    if found is None:
        return messages.HISTORY_UNKNOWN_NUMBER.format(arg=arg.replace("`", "")[:40])
    if found.declined and not found.total:
        return messages.HISTORY_DECLINED_LINE.format(reason="").capitalize() + "."
    waiting = found.total - found.imported
    if not waiting:
        return messages.HISTORY_NOTHING.format(number=_label(found))
    channel = workspaces.channel_for(rt.db.engine, team_id, "messages")
    if not channel:
        return messages.HISTORY_NO_CHANNEL
    if found.import_state != "importing":
        history.start_import(rt.db.engine, found.business_id, user_id, channel, rt.now())
    jobs.start(rt.queue, found.business_id)
    partial = "" if (found.progress or 0) >= 100 else messages.HISTORY_PARTIAL.format(progress=found.progress or 0)
    return messages.HISTORY_STARTED.format(count=waiting, number=_label(found), channel=channel, partial=partial)


def _find(rt: Runtime, team_id: str, arg: str) -> Summary | None:
    digits = "".join(ch for ch in arg if ch.isdigit())
    return next((n for n in history.of_team(rt.db.engine, team_id)
                 if digits and digits in (n.business_id, n.display_number)), None)


def _what(n: Summary) -> str:
    if n.declined and not n.total:
        return messages.HISTORY_DECLINED_LINE.format(reason=f" ({n.decline_reason})" if n.decline_reason else "")
    phase = messages.HISTORY_COMPLETE if (n.progress or 0) >= 100 else \
        messages.HISTORY_ARRIVING.format(phase=n.phase if n.phase is not None else "?", progress=n.progress or 0)
    if n.import_state == "importing":
        imported = messages.HISTORY_IMPORTING.format(imported=n.imported, total=n.total)
    else:
        imported = messages.HISTORY_IMPORTED.format(imported=n.imported) if n.imported else ""
    hint = messages.HISTORY_IMPORT_HINT.format(arg=n.display_number or n.business_id) \
        if n.total > n.imported and n.import_state != "importing" else ""
    return messages.HISTORY_ARRIVED.format(total=n.total, threads=n.threads, phase=phase, imported=imported) + hint


def _label(n: Summary) -> str:
    return plus(n.display_number) if n.display_number else n.business_id
