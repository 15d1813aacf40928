"""The portfolio's messaging limit kept: Meta lets a business portfolio reach so many customers with templates in
a rolling 24 hours (limit.daily_limit). A campaign sends to as many as the window leaves and holds the rest back
(rows `held`); when the oldest sends age out of the window, the held rows go in file order, resumable like the
rest (the send job waits for `Campaign.held_until`). An admin may drop the held rows instead (Cancel held).

What counts as reached: this app's campaign messages from the numbers of the same WhatsApp Business Account, one
per customer, sent (or of unknown outcome) in the window. Templates sent one by one (`/meta send`) are not counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from integrations.slack.blocks import button, context_block
from metaops import defaults, messages
from metaops.campaigns.tally import Tally
from metaops.delivery.when import slack_date
from metaops.runtime import Runtime
from store.models import Campaign, CampaignRecipient, PhoneNumber
from store.timestamps import utcnow

CANCEL_HELD = "campaign_cancel_held"
CHUNK = 1000  # row ids per UPDATE, count
REACHED = ("sent", "unknown")  # row states whose customer Meta may have reached


def window() -> timedelta:
    return timedelta(seconds=defaults.CAMPAIGN_LIMIT_WINDOW)


def reached(rt: Runtime, phone_number_id: str, now: datetime | None = None) -> tuple[int, datetime | None]:
    """(customers reached in the window from the number's account, when the oldest of those sends went)."""
    r, since = CampaignRecipient, (now or utcnow()) - window()
    at = func.coalesce(r.sent_at, r.updated_at)
    with rt.db.session() as s:
        waba = s.scalar(select(PhoneNumber.waba_id).where(PhoneNumber.id == phone_number_id))
        numbers = list(s.scalars(select(PhoneNumber.id).where(PhoneNumber.waba_id == waba))) if waba else []
        count, oldest = s.execute(
            select(func.count(func.distinct(func.coalesce(r.phone, r.bsuid))), func.min(at))
            .join(Campaign, Campaign.id == r.campaign_id)
            .where(Campaign.phone_number_id.in_(numbers or [phone_number_id]), r.state.in_(REACHED), at >= since)
        ).one()
    return int(count or 0), oldest


def free(daily: int | None, count: int) -> int | None:
    """New customers the window still takes (None: no limit to keep: unlimited, or Meta did not say)."""
    if daily is None or daily < 0:
        return None
    return max(0, daily - count)


def forecast(rt: Runtime, phone_number_id: str, to_send: int, daily: int | None,
             start: datetime | None) -> dict[str, Any]:
    """For the review: customers reached in the window, and how many of this campaign would be held back and from
    when (unix time) they would go."""
    count, oldest = reached(rt, phone_number_id)
    room = free(daily, count)
    held = 0 if room is None else max(0, to_send - room)
    first = oldest if count and oldest is not None else (start or utcnow())
    return {"reached": count, "held": held, "held_from": _unix(first + window()) if held else None}


def balance(rt: Runtime, c: Campaign, daily: int | None) -> int | None:
    """The campaign's waiting rows, in file order: as many pending as the window takes, the rest held (with the time
    the window next makes room in `held_until`). Returns how many may go now (None: all of them). Called by the
    send job holding the campaign's lock."""
    r = CampaignRecipient
    count, oldest = reached(rt, c.phone_number_id)
    room = free(daily, count)
    with rt.db.session() as s:
        ids = list(s.scalars(select(r.id).where(r.campaign_id == c.id, r.state.in_(("pending", "held")))
                            .order_by(r.line)))
        go, wait = (ids, []) if room is None else (ids[:room], ids[room:])
        _move(s, go, "held", "pending")
        _move(s, wait, "pending", "held")
        until = ((oldest or utcnow()) + window()) if wait else None
        s.execute(update(Campaign).where(Campaign.id == c.id).values(held_until=until)
                  .execution_options(synchronize_session=False))
    return room


def _move(s: Any, ids: list[int], old: str, new: str) -> None:
    r = CampaignRecipient
    for i in range(0, len(ids), CHUNK):
        s.execute(update(r).where(r.id.in_(ids[i:i + CHUNK]), r.state == old).values(state=new)
                  .execution_options(synchronize_session=False))


def held(rt: Runtime, campaign_id: int) -> int:
    r = CampaignRecipient
    with rt.db.session() as s:
        return int(s.scalar(select(func.count()).where(r.campaign_id == campaign_id, r.state == "held")) or 0)


def cancel_held(rt: Runtime, campaign_id: int) -> int:
    """An admin's Cancel held: the held rows are never sent (state cancelled); how many."""
    r = CampaignRecipient
    with rt.db.session() as s:
        done = s.execute(update(r).where(r.campaign_id == campaign_id, r.state == "held").values(state="cancelled")
                         .execution_options(synchronize_session=False))
        s.execute(update(Campaign).where(Campaign.id == campaign_id).values(held_until=None)
                  .execution_options(synchronize_session=False))
        return int(getattr(done, "rowcount", 0) or 0)


def line(c: Campaign, t: Tally) -> dict[str, Any] | None:
    """The progress message's line on the held rows, when there are any."""
    if t.held:
        return context_block(messages.CAMPAIGN_HELD.format(held=t.held, when=slack_date(c.held_until) or "?"))
    if t.cancelled:
        return context_block(messages.CAMPAIGN_HELD_CANCELLED.format(n=t.cancelled))
    return None


def buttons(c: Campaign, t: Tally) -> list[dict[str, Any]]:
    return [button(messages.CAMPAIGN_CANCEL_HELD, CANCEL_HELD, str(c.id))] if t.held else []


def _unix(at: datetime) -> int:
    return int(at.replace(tzinfo=UTC).timestamp())
