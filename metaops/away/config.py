"""The away-hours settings of a workspace's numbers, Pages and Instagram accounts: which assets can have them, and
each one's stored settings read back as `schedule.Hours`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select

from metaops.away.schedule import Hours
from metaops.runtime import Runtime
from store import away_hours
from store.models import AwayHours, InstagramAccount, Page, PhoneNumber, WhatsAppAccount

PLATFORM_NAMES = {"whatsapp": "WhatsApp", "messenger": "Messenger", "instagram": "Instagram"}


@dataclass(frozen=True)
class Asset:
    """A business number, Page or Instagram account customers write to: its id (the threads' business id), its
    platform and how to name it."""

    id: str
    platform: str
    name: str


@dataclass(frozen=True)
class Setting:
    """One asset's stored away settings."""

    enabled: bool
    hours: Hours
    message: str
    template_id: str | None
    version: str  # when they were saved: a closed period with no opening in sight is counted from there


def assets(rt: Runtime, team_id: str) -> list[Asset]:
    """The workspace's WhatsApp numbers, connected Pages and connected Instagram accounts."""
    with rt.db.session() as s:
        numbers = [Asset(n.id, "whatsapp", n.verified_name or n.display_number or n.id) for n in s.scalars(
            select(PhoneNumber).join(WhatsAppAccount).where(WhatsAppAccount.team_id == team_id)
            .order_by(PhoneNumber.display_number))]
        pages = [Asset(p.id, "messenger", p.name or p.id) for p in s.scalars(
            select(Page).where(Page.team_id == team_id, Page.connected.is_(True)).order_by(Page.name))]
        accounts = [Asset(a.id, "instagram", f"@{a.username}" if a.username else a.id) for a in s.scalars(
            select(InstagramAccount).where(InstagramAccount.team_id == team_id, InstagramAccount.connected.is_(True))
            .order_by(InstagramAccount.username))]
    return numbers + pages + accounts


def asset(rt: Runtime, team_id: str, business_id: str) -> Asset | None:
    """One of the workspace's own assets, or None (another workspace's, or gone)."""
    return next((a for a in assets(rt, team_id) if a.id == business_id), None)


def setting(engine: Engine, team_id: str, business_id: str) -> Setting | None:
    row = away_hours.get(engine, team_id, business_id)
    return _setting(row) if row is not None else None


def settings_of(rt: Runtime, team_id: str) -> dict[str, Setting]:
    return {business_id: _setting(row) for business_id, row in away_hours.of_team(rt.db.engine, team_id).items()}


def save(rt: Runtime, team_id: str, found: Asset, user_id: str, enabled: bool, hours: Hours, message: str,
         template_id: str | None) -> None:
    away_hours.save(rt.db.engine, team_id, found.id, rt.now(), platform=found.platform, enabled=enabled,
                    tz=hours.tz, weekly={str(d): [list(s) for s in spans] for d, spans in hours.weekly.items()},
                    holidays=sorted(d.isoformat() for d in hours.holidays), message=message,
                    template_id=template_id if found.platform == "whatsapp" else None, updated_by=user_id)


def _setting(row: AwayHours) -> Setting:
    weekly = {int(d): tuple((int(a), int(b)) for a, b in spans) for d, spans in (row.weekly or {}).items() if spans}
    hours = Hours(tz=row.tz, weekly=weekly, holidays=frozenset(date.fromisoformat(d) for d in row.holidays or []))
    return Setting(enabled=bool(row.enabled), hours=hours, message=row.message or "", template_id=row.template_id,
                   version=row.updated_at.isoformat())
