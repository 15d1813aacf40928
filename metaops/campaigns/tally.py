"""A campaign's numbers as its recipients' rows say: sent, delivered, read, failed (with Meta's reasons), replied,
unknown, waiting, and held back over the messaging limit (or cancelled after)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from metaops.runtime import Runtime
from store.models import CampaignRecipient

ORDER = ("accepted", "sent", "delivered", "read")


@dataclass
class Tally:
    total: int = 0
    waiting: int = 0  # pending or being sent
    held: int = 0  # held back over the messaging limit (hold)
    cancelled: int = 0  # held, then dropped by an admin
    sent: int = 0  # taken by Meta (any status after)
    delivered: int = 0  # delivered or read
    read: int = 0
    failed: int = 0
    unknown: int = 0
    replied: int = 0
    reasons: Counter[str] = field(default_factory=Counter)  # Meta's reason -> failed rows

    @property
    def done(self) -> int:
        return self.total - self.waiting - self.held


def tally(rt: Runtime, campaign_id: int) -> Tally:
    t = Tally()
    r = CampaignRecipient
    with rt.db.session() as s:
        rows = s.execute(select(r.state, r.status, r.replied, r.error, func.count()).where(r.campaign_id == campaign_id)
                         .group_by(r.state, r.status, r.replied, r.error)).all()
    for state, status, replied, error, n in rows:
        t.total += n
        t.replied += n if replied else 0
        if state in ("pending", "claimed"):
            t.waiting += n
        elif state == "held":
            t.held += n
        elif state == "cancelled":
            t.cancelled += n
        elif state == "unknown":
            t.unknown += n
        elif state == "failed" or status == "failed":
            t.failed += n
            t.reasons[(error or "?")[:120]] += n
        else:
            t.sent += n
            t.delivered += n if status in ("delivered", "read") else 0
            t.read += n if status == "read" else 0
    return t
