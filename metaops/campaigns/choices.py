"""What the campaign form offers: the workspace's WhatsApp business numbers and their accounts' APPROVED templates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from metaops import messages
from metaops.exceptions import NotConnected
from metaops.runtime import Runtime
from metaops.templates.send_template import approved
from store.models import PhoneNumber, WhatsAppAccount


def choices(rt: Runtime, team_id: str) -> tuple[list[tuple[str, str]], list[Any]]:
    """((phone number id, label)…, approved templates…); NotConnected without numbers."""
    with rt.db.session() as s:
        numbers = [(p.id, p.waba_id, f"{p.display_number or p.id} {p.verified_name or ''}".strip())
                   for p in s.scalars(select(PhoneNumber).join(WhatsAppAccount)
                                      .where(WhatsAppAccount.team_id == team_id).order_by(PhoneNumber.id))]
    if not numbers:
        raise NotConnected(messages.SEND_NO_NUMBER)
    templates: list[Any] = []
    seen: set[str] = set()
    for pid, waba, _ in numbers:
        if waba not in seen:
            seen.add(waba)
            templates.extend(approved(rt, team_id, pid))
    return [(pid, label) for pid, _, label in numbers], templates
