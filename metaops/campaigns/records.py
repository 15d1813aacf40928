"""Campaigns as stored: a checked draft with its recipients, confirmed, approved or rejected by a second admin."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import insert, update

from metaops import defaults, messages
from metaops.campaigns.preview import Preview
from metaops.exceptions import Refusal
from metaops.runtime import Runtime
from store.models import Campaign, CampaignRecipient, Template

INSERT_CHUNK = 1000  # recipient rows per INSERT, count


def save_draft(rt: Runtime, team_id: str, user_id: str, channel_id: str, name: str, number: str, t: Template,
               send_at: datetime | None, p: Preview, reply_channel: str | None = None, overflow: int = 0) -> int:
    """The checked campaign and the recipients it will send to, as a draft; its id. `reply_channel`, `overflow`:
    where its replies open threads (replies.py)."""
    with rt.db.session() as s:
        c = Campaign(team_id=team_id, name=name[:120], created_by=user_id, channel_id=channel_id,
                     phone_number_id=number, template_id=t.id, template_name=t.name, language=t.language,
                     category=t.category, state="draft", send_at=send_at, summary=p.summary,
                     reply_channel_id=reply_channel or None, overflow=overflow, overflow_channels=[])
        s.add(c)
        s.flush()
        campaign_id = c.id
        rows = [{"campaign_id": campaign_id, "line": r.line, "phone": r.phone, "bsuid": r.bsuid, "values": r.values,
                 "state": "pending", "replied": False} for r in p.to_send]
        for i in range(0, len(rows), INSERT_CHUNK):
            s.execute(insert(CampaignRecipient), rows[i:i + INSERT_CHUNK])
    return campaign_id


def needs_approval(summary: dict[str, object]) -> bool:
    """Over the threshold (defaults.CAMPAIGN_APPROVAL_*): a second admin approves it before it is sent."""
    cost = summary.get("cost") or {}
    assert isinstance(cost, dict)
    return int(str(summary.get("to_send") or 0)) > defaults.CAMPAIGN_APPROVAL_RECIPIENTS or any(
        Decimal(str(v)) > defaults.CAMPAIGN_APPROVAL_COST for v in cost.values())


def get(rt: Runtime, team_id: str, campaign_id: object) -> Campaign:
    """The workspace's campaign (never another's); Refusal when there is none."""
    with rt.db.session() as s:
        c = s.get(Campaign, int(str(campaign_id))) if str(campaign_id).isdigit() else None
        if c is None or c.team_id != team_id:
            raise Refusal(messages.CAMPAIGN_GONE)
        s.expunge(c)
    return c


def move(rt: Runtime, campaign_id: int, old: tuple[str, ...], new: str, **changes: object) -> bool:
    """The campaign's state from one of `old` to `new` (with `changes`), atomically; False when it was not in
    `old` (someone else moved it first)."""
    with rt.db.session() as s:
        done = s.execute(update(Campaign).where(Campaign.id == campaign_id, Campaign.state.in_(old))
                         .values(state=new, **changes).execution_options(synchronize_session=False))
        return bool(getattr(done, "rowcount", 0))


def by_id(rt: Runtime, campaign_id: int) -> Campaign:
    with rt.db.session() as s:
        c = s.get_one(Campaign, campaign_id)
        s.expunge(c)
    return c


def state_of(rt: Runtime, campaign_id: int) -> str | None:
    with rt.db.session() as s:
        c = s.get(Campaign, campaign_id)
        return c.state if c else None


def set_overflow_channels(rt: Runtime, campaign_id: int, channels: list[str]) -> None:
    with rt.db.session() as s:
        s.get_one(Campaign, campaign_id).overflow_channels = list(channels)


def set_progress_ts(rt: Runtime, campaign_id: int, ts: str) -> None:
    with rt.db.session() as s:
        s.get_one(Campaign, campaign_id).progress_ts = ts
