"""Opening hours and closed periods (metaops.away.schedule): time zones, daylight-saving changes, midnight, holidays."""

from __future__ import annotations

from datetime import date, datetime

from metaops.away.schedule import Closed, Hours, closed_period, describe, openings

WEEKDAYS_9_TO_5 = {d: ((9 * 60, 17 * 60),) for d in range(5)}


def at(text: str) -> datetime:
    """A UTC moment, naive, as Runtime.now gives it."""
    return datetime.fromisoformat(text)


def test_open_and_closed_in_the_zone_of_the_hours():
    paris = Hours("Europe/Paris", WEEKDAYS_9_TO_5)
    assert closed_period(paris, at("2026-06-10 07:30"), 14) is None  # Wednesday 09:30 in Paris (UTC+2)
    closed = closed_period(paris, at("2026-06-10 06:30"), 14)  # 08:30 in Paris
    assert closed == Closed(since=at("2026-06-09 15:00"), until=at("2026-06-10 07:00"))


def test_a_closed_period_spans_midnight_and_the_weekend():
    ny = Hours("America/New_York", WEEKDAYS_9_TO_5)
    friday_night = closed_period(ny, at("2026-06-13 03:00"), 14)  # Friday 23:00 in New York
    monday_dawn = closed_period(ny, at("2026-06-15 10:00"), 14)  # Monday 06:00
    assert friday_night == monday_dawn == Closed(since=at("2026-06-12 21:00"), until=at("2026-06-15 13:00"))


def test_daylight_saving_moves_utc_not_the_local_hours():
    paris = Hours("Europe/Paris", {6: ((9 * 60, 17 * 60),), 5: ((9 * 60, 17 * 60),)})  # Saturday and Sunday
    # 2026-03-29: Paris goes from UTC+1 to UTC+2 at 02:00 local; 09:00 is 08:00 UTC the day before, 07:00 after
    assert closed_period(paris, at("2026-03-28 07:30"), 14) is not None  # Saturday 08:30 local: closed
    assert closed_period(paris, at("2026-03-29 07:30"), 14) is None  # Sunday 09:30 local: open
    assert closed_period(paris, at("2026-03-29 06:30"), 14) == Closed(since=at("2026-03-28 16:00"),
                                                                       until=at("2026-03-29 07:00"))


def test_the_fall_back_night_and_a_skipped_hour():
    ny = Hours("America/New_York", {6: ((60, 4 * 60),)})  # Sunday 01:00-04:00; 2026-11-01 01:00-02:00 happens twice
    [(start, end)] = openings(ny, date(2026, 11, 1), date(2026, 11, 1))
    assert (start, end) == (at("2026-11-01 05:00"), at("2026-11-01 09:00"))  # first 01:00 (EDT) to 04:00 (EST)
    paris = Hours("Europe/Paris", {6: ((150, 300),)})  # Sunday 02:30-05:00; 02:30 does not exist on 2026-03-29
    [(start, end)] = openings(paris, date(2026, 3, 29), date(2026, 3, 29))
    assert (start, end) == (at("2026-03-29 01:30"), at("2026-03-29 03:00"))  # read as 03:30 local


def test_ranges_touching_across_midnight_are_one_opening_and_holidays_close_all_day():
    night = Hours("UTC", {0: ((22 * 60, 24 * 60),), 1: ((0, 2 * 60),)})
    assert openings(night, date(2026, 6, 8), date(2026, 6, 9)) == [(at("2026-06-08 22:00"), at("2026-06-09 02:00"))]
    assert closed_period(night, at("2026-06-09 00:30"), 14) is None
    christmas = Hours("UTC", WEEKDAYS_9_TO_5, frozenset({date(2026, 12, 25)}))  # a Friday
    closed = closed_period(christmas, at("2026-12-25 12:00"), 14)
    assert closed == Closed(since=at("2026-12-24 17:00"), until=at("2026-12-28 09:00"))


def test_never_open_has_no_ends_and_describe_says_the_week():
    assert closed_period(Hours("UTC", {}), at("2026-06-10 12:00"), 14) == Closed(None, None)
    assert describe(Hours("UTC", {0: ((540, 720), (780, 1440))})) == "mon 09:00-12:00, 13:00-24:00"
    assert describe(Hours("UTC", {})) == "closed every day"
