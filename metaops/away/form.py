"""What an admin typed in the `/meta hours` modal, checked field by field: each problem is said under its field
(block id), nothing is stored while one remains.

A weekday holds ranges `HH:MM-HH:MM` separated by commas, semicolons or new lines (empty: closed all day); a range
ends after it starts (24:00 is the end of the day) and no two overlap. Holidays are ISO dates (YYYY-MM-DD), one a
line or separated by commas. The time zone is an IANA name. The away message may stay empty only while the away
message is off."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from metaops import defaults, messages
from metaops.away.schedule import DAY_MINUTES, DAYS, Hours, Span, clock

RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SEPARATORS = re.compile(r"[,;\n]+")
DAY_BLOCK = "day_{day}"  # block id of a weekday's input


@dataclass(frozen=True)
class Entered:
    """The modal's fields as typed."""

    enabled: bool
    tz: str
    days: dict[str, str]  # "mon" … "sun" -> that day's ranges
    holidays: str
    message: str


@dataclass
class Checked:
    """The hours and holidays read from the form, and the error of each field that is wrong (by block id)."""

    hours: Hours | None = None
    message: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def check(entered: Entered) -> Checked:
    out = Checked(message=entered.message.strip())
    tz = entered.tz.strip()
    if not _zone_known(tz):
        out.errors["tz"] = messages.HOURS_ZONE.format(zone=tz[:60])
    weekly: dict[int, tuple[Span, ...]] = {}
    for n, day in enumerate(DAYS):
        spans, error = day_spans(entered.days.get(day, ""))
        if error:
            out.errors[DAY_BLOCK.format(day=day)] = error
        elif spans:
            weekly[n] = spans
    holidays, error = holiday_dates(entered.holidays)
    if error:
        out.errors["holidays"] = error
    if entered.enabled and not out.message:
        out.errors["message"] = messages.HOURS_NO_TEXT
    elif len(out.message) > defaults.AWAY_TEXT_MAX:
        out.errors["message"] = messages.HOURS_LONG_TEXT.format(count=defaults.AWAY_TEXT_MAX,
                                                                length=len(out.message))
    if not out.errors:
        out.hours = Hours(tz=tz, weekly=weekly, holidays=frozenset(holidays))
    return out


def day_spans(raw: str) -> tuple[tuple[Span, ...], str | None]:
    """One weekday's ranges, in order, or the first problem with them."""
    parts = [p.strip() for p in SEPARATORS.split(raw or "") if p.strip()]
    if len(parts) > defaults.AWAY_RANGES_MAX:
        return (), messages.HOURS_TOO_MANY.format(count=defaults.AWAY_RANGES_MAX)
    spans: list[Span] = []
    for part in parts:
        found = RANGE.match(part)
        start = _minute(found.group(1), found.group(2)) if found else None
        end = _minute(found.group(3), found.group(4)) if found else None
        if start is None or end is None or start >= DAY_MINUTES:
            return (), messages.HOURS_TIME.format(part=part[:40])
        if end <= start:
            return (), messages.HOURS_BACKWARDS.format(part=part[:40])
        spans.append((start, end))
    spans.sort()
    for (a_start, a_end), (b_start, b_end) in zip(spans, spans[1:], strict=False):
        if b_start < a_end:
            return (), messages.HOURS_OVERLAP.format(first=f"{clock(a_start)}-{clock(a_end)}",
                                                     second=f"{clock(b_start)}-{clock(b_end)}")
    return tuple(spans), None


def holiday_dates(raw: str) -> tuple[list[date], str | None]:
    """The holiday dates, sorted and without repeats, or the first that is not a date."""
    found: set[date] = set()
    for part in (p.strip() for p in SEPARATORS.split(raw or "")):
        if not part:
            continue
        try:
            if not DATE.match(part):
                raise ValueError(part)
            found.add(date.fromisoformat(part))
        except ValueError:
            return [], messages.HOURS_DATE.format(part=part[:40])
    if len(found) > defaults.AWAY_HOLIDAYS_MAX:
        return [], messages.HOURS_TOO_MANY_DATES.format(count=defaults.AWAY_HOLIDAYS_MAX)
    return sorted(found), None


def spans_text(spans: tuple[Span, ...] | list[Span]) -> str:
    """A day's ranges as the modal shows them again ("09:00-12:00, 13:00-17:30")."""
    return ", ".join(f"{clock(a)}-{clock(b)}" for a, b in spans)


def _minute(hours: str, minutes: str) -> int | None:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m):
        return None
    return h * 60 + m


def _zone_known(name: str) -> bool:
    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
