"""WhatsApp calls (the `calls` field) in words: a call starting (`connect`), ending (`terminate`: answered and how
long, or missed), and the answers to the business's own calls (call statuses RINGING, ACCEPTED, REJECTED)."""

from __future__ import annotations

from typing import Any

from metaops import messages


def describe(c: dict[str, Any]) -> str:
    """One sentence for a `calls[]` item."""
    ours = c.get("direction") == "BUSINESS_INITIATED"
    if c.get("event") == "connect":
        return messages.CALL_OUT if ours else messages.CALL_IN
    if c.get("event") != "terminate":
        return messages.CALL_OTHER.format(event=str(c.get("event") or "update").replace("_", " "))
    seconds = _seconds(c.get("duration"))
    if str(c.get("status")).upper() == "COMPLETED" or seconds:
        return messages.CALL_ENDED.format(duration=_duration(seconds) if seconds else messages.CALL_NO_DURATION)
    return messages.CALL_UNANSWERED if ours else messages.CALL_MISSED


def status(s: dict[str, Any]) -> str | None:
    """A business-initiated call's status, or None for one that needs no post (ringing)."""
    return messages.CALL_STATUSES.get(str(s.get("status") or "").upper(), None)


def _seconds(v: Any) -> int:
    try:
        return max(0, int(float(v)))
    except (TypeError, ValueError):
        return 0


def _duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"
