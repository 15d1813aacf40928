"""Meta's times (Unix seconds or milliseconds, as numbers or strings, or ISO 8601 text) shown in Slack, each reader
in their own time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from metaops import messages

_MILLIS = 10**11  # a Unix time above this is in milliseconds (seconds reach it in the year 5138)


def unix(v: Any) -> int | None:
    """Seconds since the epoch, or None when `v` is no time."""
    if isinstance(v, bool) or v in (None, ""):
        return None
    try:
        n = float(v)
    except (TypeError, ValueError):
        try:
            at = datetime.fromisoformat(str(v))
        except ValueError:
            return None
        return int((at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp())
    return int(n / 1000) if n > _MILLIS else int(n)


def slack_date(v: Any) -> str:
    """A Slack date token for `v` (its text fallback in UTC); "" when `v` is no time."""
    ts = unix(v)
    if ts is None:
        return ""
    try:
        utc = datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        return ""
    return messages.SLACK_DATE.format(ts=ts, utc=utc)
