"""Claiming a deliverable item before its post (store/dedupe.py), in the name of this process: a claim whose
process died is taken over as soon as its heartbeat has stopped (metaops/delivery/leases.py), unless its post
is found in Slack (metaops/delivery/landed.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from metaops import defaults
from metaops.conversation import landed
from metaops.queue import leases
from store import dedupe

if TYPE_CHECKING:
    from metaops.runtime import Runtime


def claim(rt: Runtime, key: str, event_id: int | None = None) -> bool:
    """True: deliver `key` now. False: delivered already. Raises dedupe.ClaimBusy while a live worker has it."""
    return dedupe.claim(rt.db.engine, key, event_id, rt.now(), defaults.DEDUPE_LEASE, owner=leases.me(rt.redis),
                        alive=lambda owner: leases.alive(rt.redis, owner), recheck=defaults.LEASE_TTL,
                        landed=lambda k: landed.landed(rt, k))
