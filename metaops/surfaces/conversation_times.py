"""Conversations' first-response and resolve times per day, for `/meta metrics`: the median of each day, in
minutes, over the last DAYS days (a day with none of a kind has None for it)."""

from __future__ import annotations

from datetime import timedelta
from statistics import median

from metaops.runtime import Runtime
from store import conversations

DayTimes = tuple[str, float | None, float | None]  # "YYYY-MM-DD", first response, time to resolve (minutes)


def per_day(rt: Runtime, team_id: str, days: int) -> list[DayTimes]:
    """One row per day of the period, oldest first; empty when nothing was answered or resolved in it."""
    today = rt.now().date()
    first_day = today - timedelta(days=days - 1)
    found: dict[tuple[str, str], list[float]] = {}
    for kind, seconds, at in conversations.timings(rt.db.engine, team_id, rt.now() - timedelta(days=days)):
        if at.date() >= first_day:
            found.setdefault((kind, f"{at:%Y-%m-%d}"), []).append(seconds / 60)
    if not found:
        return []
    out: list[DayTimes] = []
    for n in range(days):
        day = f"{first_day + timedelta(days=n):%Y-%m-%d}"
        fr, res = found.get((conversations.FIRST_RESPONSE, day)), found.get((conversations.RESOLVE, day))
        out.append((day, median(fr) if fr else None, median(res) if res else None))
    return out
