"""Meta pausing or disabling a campaign's template mid-campaign. Its webhook (message_template_status_update) or a
send it refused (132015, 132016) pauses the campaign and says why in its channel; when Meta makes the template
active again the channel is told, and an admin's Resume sends again the rows Meta refused while it was paused
(those and no other failures: nothing was sent to them). A Resume while the stored template is still paused or
disabled is refused."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from metaops import messages
from metaops.campaigns import progress, records
from metaops.runtime import Runtime
from store.models import Campaign, CampaignRecipient, Template

REFUSED_CODES = (132015, 132016)  # Meta: the template is paused / disabled; the message was not sent
STOPPED = {"PAUSED": messages.CAMPAIGN_TEMPLATE_PAUSED, "DISABLED": messages.CAMPAIGN_TEMPLATE_DISABLED}
ACTIVE = ("APPROVED", "REINSTATED")  # the webhook's events that make it sendable again


def still_refused(rt: Runtime, c: Campaign) -> str | None:
    """Why Resume cannot send yet (the stored template paused or disabled), or None."""
    with rt.db.session() as s:
        status = s.scalar(select(Template.status).where(Template.id == c.template_id))
    if status in STOPPED:
        return messages.CAMPAIGN_TEMPLATE_STILL.format(template=c.template_name, state=str(status).lower())
    return None


def retry(rt: Runtime, c: Campaign) -> int:
    """The rows Meta refused because the template was paused or disabled back to pending (each once per Resume);
    how many. Counted on the progress message."""
    r = CampaignRecipient
    with rt.db.session() as s:
        done = s.execute(update(r).where(r.campaign_id == c.id, r.state == "failed", r.error_code.in_(REFUSED_CODES))
                         .values(state="pending", error=None, error_code=None)
                         .execution_options(synchronize_session=False))
        n = int(getattr(done, "rowcount", 0) or 0)
        if n:
            s.execute(update(Campaign).where(Campaign.id == c.id).values(
                summary={**c.summary, "retried": int(c.summary.get("retried") or 0) + n})
                .execution_options(synchronize_session=False))
    return n


def status_changed(rt: Runtime, t: Template, value: dict[str, Any]) -> None:
    """A template's new status from Meta's webhook: its sending campaigns paused (paused or disabled), or their
    channels told it is active again (Resume sends the rest)."""
    event = str(value.get("event") or "")
    with rt.db.session() as s:
        campaigns = list(s.scalars(select(Campaign.id).where(
            Campaign.template_id == t.id, Campaign.state.in_(("scheduled", "sending", "paused")))))
    other = value.get("other_info")
    info: dict[str, Any] = other if isinstance(other, dict) else {}
    reason = str(info.get("description") or info.get("title") or value.get("reason") or event)
    for campaign_id in campaigns:
        c = records.by_id(rt, campaign_id)
        if event in STOPPED:
            said = STOPPED[event].format(reason=reason)
            if records.move(rt, c.id, ("scheduled", "sending"), "paused", reason=said):
                progress.show(rt, c.id, force=True)
                progress.say(rt, c.id, messages.CAMPAIGN_STOPPED.format(name=c.name, reason=said))
        elif event in ACTIVE and c.state == "paused":
            progress.say(rt, c.id, messages.CAMPAIGN_TEMPLATE_ACTIVE.format(name=c.name, template=c.template_name))
