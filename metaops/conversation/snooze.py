"""When a snooze ends: the Snooze menu's choices (an hour; tomorrow morning in the workspace's time zone; a time
picked in a modal), checked, as the naive UTC times everything is stored in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from metaops import defaults
from metaops import inbox_messages as texts

HOUR, TOMORROW, PICK = "hour", "tomorrow", "pick"  # the Snooze menu's option values
CHOICES = ((texts.SNOOZE_HOUR, HOUR), (texts.SNOOZE_TOMORROW, TOMORROW), (texts.SNOOZE_PICK, PICK))


def until(choice: str, now: datetime, tz_name: str | None) -> datetime | None:
    """When a Snooze menu choice ends (UTC, naive like every stored time): in an hour, or tomorrow at
    SNOOZE_MORNING_HOUR in the time zone Slack gives (UTC when none or unknown). None for a choice we did not make
    (or "pick", which asks for the time)."""
    if choice == HOUR:
        return now + timedelta(seconds=defaults.SNOOZE_HOUR)
    if choice != TOMORROW:
        return None
    zone = _zone(tz_name)
    local = now.replace(tzinfo=UTC).astimezone(zone)
    morning = (local + timedelta(days=1)).replace(hour=defaults.SNOOZE_MORNING_HOUR, minute=0, second=0,
                                                  microsecond=0)
    return morning.astimezone(UTC).replace(tzinfo=None)


def _zone(name: str | None) -> tzinfo:
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def picked(unix: object, now: datetime) -> tuple[datetime | None, str | None]:
    """A time picked in the modal (Slack's datetimepicker: Unix seconds): (when, None), or (None, why not)."""
    if not isinstance(unix, int | float) or isinstance(unix, bool):
        return None, texts.SNOOZE_PAST
    at = datetime.fromtimestamp(unix, UTC).replace(tzinfo=None)
    if at <= now:
        return None, texts.SNOOZE_PAST
    if at > now + timedelta(days=defaults.SNOOZE_MAX_DAYS):
        return None, texts.SNOOZE_TOO_FAR.format(days=defaults.SNOOZE_MAX_DAYS)
    return at, None
