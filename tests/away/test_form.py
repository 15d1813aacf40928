"""The `/meta hours` form's checks (metaops.away.form): each problem under its own field."""

from __future__ import annotations

from datetime import date

from metaops import defaults, messages
from metaops.away.form import Entered, check, day_spans, holiday_dates

DAYS = {"mon": "09:00-12:00, 13:00-17:30", "tue": "9:00-17:00", "sat": "22:00-24:00", "sun": "00:00-02:00"}


def entered(**changes):
    fields = {"enabled": True, "tz": "Europe/Paris", "days": DAYS, "holidays": "2026-12-25\n2027-01-01",
              "message": "We are closed; back at 9."}
    return Entered(**{**fields, **changes})


def test_a_good_form_gives_the_hours():
    checked = check(entered())
    assert checked.errors == {}
    assert checked.hours is not None and checked.hours.tz == "Europe/Paris"
    assert checked.hours.weekly == {0: ((540, 720), (780, 1050)), 1: ((540, 1020),), 5: ((1320, 1440),),
                                    6: ((0, 120),)}
    assert checked.hours.holidays == {date(2026, 12, 25), date(2027, 1, 1)}


def test_each_bad_field_is_said_under_it():
    checked = check(entered(tz="Mars/Olympus", days={"mon": "09:00-12:00, 11:30-13:00", "tue": "17:00-09:00",
                                                     "wed": "9am-5pm", "thu": "25:00-26:00", "fri": "09:60-10:00"},
                            holidays="2026-12-25\n2026-02-30", message="  "))
    assert checked.hours is None
    assert checked.errors == {
        "tz": messages.HOURS_ZONE.format(zone="Mars/Olympus"),
        "day_mon": messages.HOURS_OVERLAP.format(first="09:00-12:00", second="11:30-13:00"),
        "day_tue": messages.HOURS_BACKWARDS.format(part="17:00-09:00"),
        "day_wed": messages.HOURS_TIME.format(part="9am-5pm"),
        "day_thu": messages.HOURS_TIME.format(part="25:00-26:00"),
        "day_fri": messages.HOURS_TIME.format(part="09:60-10:00"),
        "holidays": messages.HOURS_DATE.format(part="2026-02-30"),
        "message": messages.HOURS_NO_TEXT,
    }


def test_an_empty_text_is_fine_while_off_and_limits_hold():
    assert check(entered(enabled=False, message="")).errors == {}
    long = "x" * (defaults.AWAY_TEXT_MAX + 1)
    assert check(entered(message=long)).errors == {"message": messages.HOURS_LONG_TEXT.format(
        count=defaults.AWAY_TEXT_MAX, length=len(long))}
    assert day_spans(", ".join(["01:00-02:00"] * (defaults.AWAY_RANGES_MAX + 1)))[1] == messages.HOURS_TOO_MANY.format(
        count=defaults.AWAY_RANGES_MAX)
    assert day_spans("10:00-10:00")[1] == messages.HOURS_BACKWARDS.format(part="10:00-10:00")
    assert day_spans("24:00-24:00")[1] == messages.HOURS_TIME.format(part="24:00-24:00")
    assert holiday_dates("2026-12-25, 2026-12-25;2026-12-24") == ([date(2026, 12, 24), date(2026, 12, 25)], None)
    assert holiday_dates("25/12/2026")[1] == messages.HOURS_DATE.format(part="25/12/2026")
    assert check(entered(tz="../etc/passwd")).errors.keys() == {"tz"}
