"""The names our RQ jobs are queued under.

RQ stores a job's function as a dotted path and imports it when the job runs. Every job we queue names a
function of this module, and each is a thin wrapper, so the code behind it can move between modules
without stranding jobs already waiting in Redis. Renaming or removing one of these is a migration: keep
the old name until no job under it can be waiting (longer than the longest retry).
"""

from __future__ import annotations

from typing import Any

from metaops import replies
from metaops.delivery import drain as _drain
from metaops.delivery import periodic


def drain() -> int:
    """Process queued events in order, in batches (metaops.delivery.drain)."""
    return _drain.drain()


def process_event(event_id: int) -> None:
    """One event in a job of its own, with RQ's Retry."""
    _drain.process_event(event_id)


def sweep() -> int:
    """Queue again the events that were stored but never processed."""
    return periodic.sweep()


def check_tokens() -> int:
    """Every connection's token checked, refreshed or alerted about."""
    return periodic.check_tokens()


def send_reply(team_id: str, event: dict[str, Any]) -> str:
    """A team member's message in a customer thread, sent to the customer (metaops.replies)."""
    return replies.send(team_id, event)
