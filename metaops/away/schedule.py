"""Opening hours and the closed period a moment falls in: pure arithmetic on the runtime's clock (UTC, naive, as
`Runtime.now` gives it) and a local time zone.

A day's ranges are wall-clock minutes from local midnight (end 1440: midnight at the end of the day). Each range is
turned into UTC with the zone's rules for that date, so a daylight-saving change moves UTC times and never the
local ones; a wall time the change skips is read with the offset before it (02:30 on a spring-forward night in
Paris is 03:30), a repeated one as its first occurrence. Ranges that touch across midnight (22:00-24:00, then
00:00-02:00 the next day) are one opening. A holiday (a local date) has no opening at all. A closed period runs
from the end of the last opening to the start of the next: a customer writing on Friday night and again on Sunday
is in the same one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
DAY_MINUTES = 24 * 60
Span = tuple[int, int]  # minutes from local midnight: start, end (end up to DAY_MINUTES)


@dataclass(frozen=True)
class Hours:
    """When a number or Page is open: ranges per weekday (0 Monday), local holidays, in time zone `tz`."""

    tz: str
    weekly: dict[int, tuple[Span, ...]]
    holidays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Closed:
    """The closed period a moment is in, in UTC: since the last opening ended, until the next one starts (None: no
    opening within the look-back or look-ahead)."""

    since: datetime | None
    until: datetime | None


def to_utc(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC moment (naive) of local wall-clock `minute` of `day` in `zone`."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    return wall.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def local_date(at: datetime, zone: ZoneInfo) -> date:
    return at.replace(tzinfo=UTC).astimezone(zone).date()


def openings(hours: Hours, first: date, last: date) -> list[tuple[datetime, datetime]]:
    """The openings of the local days `first`..`last`, in UTC, in order, touching ones merged."""
    zone = ZoneInfo(hours.tz)
    spans: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        if day not in hours.holidays:
            spans += [(to_utc(day, start, zone), to_utc(day, end, zone)) for start, end in hours.weekly.get(
                day.weekday(), ())]
        day += timedelta(days=1)
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(s for s in spans if s[0] < s[1]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def closed_period(hours: Hours, now: datetime, look_days: int) -> Closed | None:
    """None while open at `now` (UTC, naive); else the closed period it falls in, looking `look_days` local days
    back and ahead for openings."""
    today = local_date(now, ZoneInfo(hours.tz))
    spans = openings(hours, today - timedelta(days=look_days), today + timedelta(days=look_days))
    if any(start <= now < end for start, end in spans):
        return None
    return Closed(since=max((end for _, end in spans if end <= now), default=None),
                  until=min((start for start, _ in spans if start > now), default=None))


def clock(minute: int) -> str:
    """A day's minute as HH:MM (1440 is 24:00)."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def describe(hours: Hours) -> str:
    """One line: each weekday's ranges, closed days left out ("mon 09:00-17:00; tue …")."""
    days = [f"{DAYS[d]} " + ", ".join(f"{clock(a)}-{clock(b)}" for a, b in hours.weekly[d])
            for d in range(7) if hours.weekly.get(d)]
    return "; ".join(days) or "closed every day"
