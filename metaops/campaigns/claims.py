"""Each campaign recipient sent at most once: a row goes pending -> claimed (by one UPDATE, so two workers never take
the same row) -> sent, failed or unknown. A row found claimed when a send job starts belonged to a worker that died
mid-send: whether Meta got it is not known, so it becomes `unknown` and is never sent again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from metaops.runtime import Runtime
from store.models import CampaignRecipient
from store.timestamps import utcnow


def next_row(rt: Runtime, campaign_id: int) -> CampaignRecipient | None:
    """The next pending row, claimed for this worker; None when none is left."""
    with rt.db.session() as s:
        while True:
            row_id = s.scalars(select(CampaignRecipient.id).where(
                CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.state == "pending")
                .order_by(CampaignRecipient.line).limit(1)).first()
            if row_id is None:
                return None
            if _move(s, row_id, "pending", "claimed"):
                s.commit()
                row = s.get_one(CampaignRecipient, row_id)
                s.expunge(row)
                return row


def settle(rt: Runtime, row_id: int, state: str, message_id: str | None = None, error: str | None = None,
           at: datetime | None = None, code: int | None = None) -> None:
    """A claimed row's outcome: sent (with Meta's message id), failed (Meta's reason and code), unknown, or pending
    again (Meta refused to take it now: nothing was sent)."""
    values: dict[str, object] = {"state": state, "error": error, "error_code": code}
    if message_id:
        values.update(message_id=message_id, status="accepted", sent_at=at or utcnow())
    with rt.db.session() as s:
        s.execute(update(CampaignRecipient).where(CampaignRecipient.id == row_id).values(**values)
                  .execution_options(synchronize_session=False))


def orphans_unknown(rt: Runtime, campaign_id: int) -> int:
    """Rows a dead worker had claimed: their outcome is unknown, never resent. Called only by the job holding the
    campaign's lock, so no live worker is sending them."""
    with rt.db.session() as s:
        done = s.execute(update(CampaignRecipient).where(
            CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.state == "claimed")
            .values(state="unknown", error="the worker stopped while sending: not sent again")
            .execution_options(synchronize_session=False))
        return int(getattr(done, "rowcount", 0) or 0)


def _move(s: Session, row_id: int, old: str, new: str) -> bool:
    done = s.execute(update(CampaignRecipient).where(CampaignRecipient.id == row_id, CampaignRecipient.state == old)
                     .values(state=new).execution_options(synchronize_session=False))
    return bool(getattr(done, "rowcount", 0))
