"""Workspaces, the assets they connected, and where each kind of notification goes."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from store.models import MetaConnection, NotificationRoute, PhoneNumber, WhatsAppAccount, Workspace

KINDS = ("messages", "templates", "alerts", "facebook", "instagram")


def owner_of(engine: Engine, asset_id: str) -> str | None:
    """The team that connected this asset (`entry[].id` of a webhook), or None."""
    with engine.connect() as conn:
        return conn.execute(select(WhatsAppAccount.team_id).where(WhatsAppAccount.id == asset_id)).scalar_one_or_none()


def channel_for(engine: Engine, team_id: str, kind: str) -> str | None:
    """The kind's route, else the channel where /meta connect was run."""
    with engine.connect() as conn:
        routed = conn.execute(
            select(NotificationRoute.channel_id).where(
                NotificationRoute.team_id == team_id, NotificationRoute.kind == kind
            )
        ).scalar_one_or_none()
        if routed:
            return routed
        return conn.execute(select(Workspace.connect_channel).where(Workspace.team_id == team_id)).scalar_one_or_none()


def ensure_workspace(session: Session, team_id: str, name: str | None = None) -> Workspace:
    ws = session.get(Workspace, team_id)
    if ws is None:
        ws = Workspace(team_id=team_id, name=name)
        session.add(ws)
        session.flush()
    return ws


def add_whatsapp_account(
    session: Session, connection: MetaConnection, waba_id: str, name: str | None, numbers: list[dict]
) -> WhatsAppAccount:
    """Attach a WABA and its numbers to a connection (replacing what was known of them)."""
    account = session.get(WhatsAppAccount, waba_id) or WhatsAppAccount(id=waba_id)
    session.add(account)
    account.connection = connection
    account.team_id = connection.team_id
    account.name = name
    phones = []
    with session.no_autoflush:
        for n in numbers:
            phone = session.get(PhoneNumber, str(n["id"])) or PhoneNumber(id=str(n["id"]))
            phone.display_number = n.get("display_phone_number")
            phone.verified_name = n.get("verified_name")
            phone.quality_rating = n.get("quality_rating")
            phones.append(phone)
    account.phone_numbers = phones
    return account
