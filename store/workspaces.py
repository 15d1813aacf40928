"""Workspaces, the assets they connected, and where each kind of notification goes."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from store.crypto import Crypto
from store.models import (
    InstagramAccount,
    MetaConnection,
    NotificationRoute,
    Page,
    PhoneNumber,
    WhatsAppAccount,
    Workspace,
)

KINDS = ("messages", "templates", "alerts", "facebook", "instagram")


def owner_of(engine: Engine, asset_id: str) -> str | None:
    """The team that connected this asset (`entry[].id` of a webhook: a WABA, a connected Page or
    Instagram account), or None."""
    with engine.connect() as conn:
        for q in (select(WhatsAppAccount.team_id).where(WhatsAppAccount.id == asset_id),
                  select(Page.team_id).where(Page.id == asset_id, Page.connected.is_(True)),
                  select(InstagramAccount.team_id).where(InstagramAccount.id == asset_id,
                                                         InstagramAccount.connected.is_(True))):
            team = conn.execute(q).scalar_one_or_none()
            if team:
                return team
    return None


def asset_name(engine: Engine, asset_id: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(Page.name).where(Page.id == asset_id)).scalar_one_or_none() or \
            conn.execute(select(InstagramAccount.username).where(InstagramAccount.id == asset_id)).scalar_one_or_none()


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
    session: Session, connection: MetaConnection, waba_id: str, name: str | None, numbers: list[dict],
    business_id: str | None = None,
) -> WhatsAppAccount:
    """Attach a WABA and its numbers to a connection (replacing what was known of them)."""
    account = session.get(WhatsAppAccount, waba_id) or WhatsAppAccount(id=waba_id)
    session.add(account)
    account.connection = connection
    account.team_id = connection.team_id
    account.name = name
    account.business_id = business_id
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


def connection_of(session: Session, team_id: str) -> MetaConnection | None:
    return session.scalars(select(MetaConnection).where(MetaConnection.team_id == team_id)).one_or_none()


def save_pages(session: Session, connection: MetaConnection, pages: list[dict], crypto: Crypto,
               take: Collection[str] = ()) -> list[str]:
    """The Pages the token manages, with their page tokens (encrypted) and Instagram accounts.
    A Page or account connected before stays connected; ones no longer managed are forgotten. A Page or
    Instagram account another workspace has is left to it (its customers' messages must not move unseen) unless
    its id is in `take` (that workspace no longer reaches it): the ids left are returned. One taken over arrives
    not connected, like a Page found for the first time."""
    keep, taken = set(), []
    for p in pages:
        page = session.get(Page, str(p["id"])) or Page(id=str(p["id"]))
        if page.team_id and page.team_id != connection.team_id:
            if page.id not in take:
                taken.append(page.id)
                continue
            page.connected = False
            for moved in page.instagram_accounts:
                moved.team_id, moved.connected = connection.team_id, False
        session.add(page)
        page.connection, page.team_id = connection, connection.team_id
        page.name, page.category = p.get("name"), p.get("category")
        if p.get("access_token"):
            page.token_enc = crypto.encrypt(p["access_token"])
        keep.add(page.id)
        ig = p.get("instagram")
        with session.no_autoflush:
            account = session.get(InstagramAccount, str(ig["id"])) if ig and ig.get("id") else None
            if account is not None and account.team_id != connection.team_id and account.page_id != page.id:
                if account.id not in take:
                    taken.append(account.id)
                    ig = None
                else:
                    account.connected = False
            if ig and ig.get("id"):
                account = account or InstagramAccount(id=str(ig["id"]))
                account.page, account.team_id = page, connection.team_id
                account.username, account.name = ig.get("username"), ig.get("name")
                page.instagram_accounts = [account]
            else:
                page.instagram_accounts = []
    for page in list(connection.pages):
        if page.id not in keep:
            session.delete(page)
    return taken


ASSET_MODELS: dict[str, type[WhatsAppAccount] | type[Page] | type[InstagramAccount]] = {
    "whatsapp": WhatsAppAccount, "page": Page, "instagram": InstagramAccount}


def _asset(session: Session, kind: str, asset_id: str) -> WhatsAppAccount | Page | InstagramAccount | None:
    model = ASSET_MODELS[kind]
    if model is WhatsAppAccount:
        return session.get(WhatsAppAccount, asset_id)
    return session.get(Page, asset_id) if model is Page else session.get(InstagramAccount, asset_id)


@dataclass(frozen=True)
class Holder:
    """The workspace that holds an asset, and what it takes to ask it: its connection's (encrypted) user token,
    the Meta name of who connected it, their Slack user id, and the workspace's name."""

    team_id: str
    token_enc: str
    meta_user_name: str | None
    connected_by: str | None
    workspace_name: str | None


def holder_of(session: Session, kind: str, asset_id: str) -> Holder | None:
    """Who holds this asset (`kind`: whatsapp, page or instagram), or None when nobody does."""
    row = _asset(session, kind, asset_id)
    if row is None or not row.team_id:
        return None
    conn = connection_of(session, row.team_id)
    if conn is None:
        return None
    ws = session.get(Workspace, row.team_id)
    return Holder(row.team_id, conn.token_enc, conn.meta_user_name, conn.connected_by, ws.name if ws else None)


@dataclass(frozen=True)
class Held:
    """An asset a workspace holds: `routed` when webhooks of it reach the workspace (owner_of)."""

    kind: str
    id: str
    name: str | None
    routed: bool


def held_by(session: Session, team_id: str) -> list[Held]:
    """Every asset the workspace holds: its WhatsApp Business Accounts, Pages and Instagram accounts."""
    return [
        *(Held("whatsapp", a.id, a.name, True)
          for a in session.scalars(select(WhatsAppAccount).where(WhatsAppAccount.team_id == team_id))),
        *(Held("page", p.id, p.name, p.connected)
          for p in session.scalars(select(Page).where(Page.team_id == team_id))),
        *(Held("instagram", a.id, a.username, a.connected)
          for a in session.scalars(select(InstagramAccount).where(InstagramAccount.team_id == team_id))),
    ]


def release(session: Session, team_id: str, kind: str, asset_id: str) -> bool:
    """Forget an asset the workspace holds (a WABA with its numbers, a Page with its Instagram account); its
    webhooks then reach nobody until a workspace connects it again. False when the workspace does not hold it."""
    row = _asset(session, kind, asset_id)
    if row is None or row.team_id != team_id:
        return False
    session.delete(row)
    return True
