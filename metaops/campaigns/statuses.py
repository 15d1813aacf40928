"""What Meta says of a campaign's messages afterwards: each status (sent, delivered, read, failed, with its pricing)
lands on the recipient's row, never backwards; a customer's message answering one marks the row replied."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select

from integrations.meta.pricing import pricing_of
from metaops import defaults
from metaops.campaigns import progress
from metaops.costs import billed
from metaops.runtime import Runtime
from store.models import Campaign, CampaignRecipient
from store.timestamps import utcnow

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
    from this number within defaults.CAMPAIGN_REPLY_DAYS): the row marked replied."""
    context_id = str((message.get("context") or {}).get("id") or "")
    phone, bsuid = message.get("from"), message.get("from_user_id") or message.get("user_id")
    since = utcnow() - timedelta(days=defaults.CAMPAIGN_REPLY_DAYS)
    r = CampaignRecipient
    with rt.db.session() as s:
        row = s.scalars(select(r).where(r.message_id == context_id)).first() if context_id.startswith("wamid") \
            else None
        if row is None and (phone or bsuid):
            row = s.scalars(select(r).join(Campaign, Campaign.id == r.campaign_id).where(
                Campaign.phone_number_id == business_id, r.sent_at >= since,
                or_(r.phone == str(phone or "-"), r.bsuid == str(bsuid or "-"))).order_by(r.sent_at.desc())).first()
        if row is None or row.replied:
            return False
        row.replied = True
        campaign_id = row.campaign_id
    progress.later(rt, campaign_id)
    return True
