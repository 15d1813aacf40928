"""What Meta says of a campaign's messages afterwards: each status (sent, delivered, read, failed, with its pricing)
lands on the recipient's row, never backwards; a customer's message answering one marks the row replied."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from integrations.meta.pricing import pricing_of
from metaops.campaigns import progress, replies
from metaops.costs import billed
from metaops.runtime import Runtime
from store.models import CampaignRecipient

ORDER = ("accepted", "sent", "delivered", "read", "played")


def record(rt: Runtime, status: dict[str, Any]) -> bool:
    """A status of a campaign message on its row; False when it is no campaign's."""
    message_id = str(status.get("id") or "")
    if not message_id.startswith("wamid"):
        return False
    with rt.db.session() as s:
        row = s.scalars(select(CampaignRecipient).where(CampaignRecipient.message_id == message_id)).first()
        if row is None:
            return False
        found = pricing_of(status)
        if found is not None:
            billed.count(rt, row.pricing_type, found.type, found.category)
            row.pricing_type, row.pricing_category = found.type, found.category
        new = str(status.get("status") or "")
        if new == "failed":
            errors = status.get("errors") or [{}]
            e = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
            row.status, row.error = "failed", f"{e.get('code', '')} {e.get('title', '')}".strip()[:500]
        elif new in ORDER and (row.status not in ORDER or ORDER.index(new) > ORDER.index(row.status)):
            row.status = new
        campaign_id = row.campaign_id
    progress.later(rt, campaign_id)
    return True


def customer_replied(rt: Runtime, business_id: str, message: dict[str, Any]) -> bool:
    """A customer's message answering a campaign (its context names the campaign message, or the customer got one
    from this number within defaults.CAMPAIGN_REPLY_DAYS): the row marked replied (True the first time), and the
    progress refreshed (each reply may change how many wait to be shown)."""
    context_id = str((message.get("context") or {}).get("id") or "")
    phone, bsuid = message.get("from"), message.get("from_user_id") or message.get("user_id")
    r = CampaignRecipient
    with rt.db.session() as s:
        row = s.scalars(select(r).where(r.message_id == context_id)).first() if context_id.startswith("wamid") \
            else None
        if row is None:
            row = replies.last_sent(s, business_id, str(phone or "") or None, str(bsuid or "") or None)
        if row is None:
            return False
        first = not row.replied
        row.replied = True
        campaign_id = row.campaign_id
    progress.later(rt, campaign_id)
    return first
