"""Facebook Pages and Instagram accounts: what the connection manages, connecting them, and reading and
publishing through each Page's own token."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

import integrations.meta.pages
from integrations.meta import instagram
from integrations.meta.graph import Listing
from integrations.meta.subscriptions import subscribe_page
from metaops import messages
from metaops.assets import connections, subscriptions
from metaops.exceptions import NotConnected
from metaops.runtime import Runtime
from store import workspaces
from store.models import InstagramAccount, Page

DEFAULT_PAGE_FIELDS = subscriptions.OBJECTS["page"][1]  # every Page field offered, until webhooks are configured
PER_PAGE = 5
SCHEDULE_MIN, SCHEDULE_MAX = timedelta(minutes=10), timedelta(days=30)  # Meta's window for scheduled posts


class NotManaged(Exception):
    """The connection does not manage that Page or Instagram account."""


def refresh_pages(rt: Runtime, team_id: str) -> list[dict[str, Any]]:
    """Every Page the connection manages, read from Meta (their page tokens stored, encrypted)."""
    token = connections.token_of(rt, team_id)
    pages = integrations.meta.pages.accounts(rt.graph, token)
    with rt.db.session() as s:
        conn = workspaces.connection_of(s, team_id)
        if conn is None:  # disconnected since token_of
            raise NotConnected(messages.NOT_CONNECTED)
        taken = workspaces.save_pages(s, conn, pages, rt.crypto)
        connected = {p.id for p in conn.pages if p.connected}
    pages = [p for p in pages if p["id"] not in taken]
    for p in pages:
        p["connected"] = p["id"] in connected
        p.pop("access_token", None)
    return pages


def connect_page(rt: Runtime, team_id: str, page_id: str) -> str:
    """Connect a managed Page: fresh page token, subscribed to the app's page fields. Returns its name."""
    if not any(p["id"] == page_id for p in refresh_pages(rt, team_id)):
        raise NotManaged(page_id)
    page_subscription = subscriptions.chosen(rt).get("page")
    fields = (page_subscription.fields if page_subscription else None) or list(DEFAULT_PAGE_FIELDS)
    name, token = page_token(rt, team_id, page_id, connected_only=False)
    subscribe_page(rt.graph, token, page_id, fields)
    with rt.db.session() as s:
        s.get_one(Page, page_id).connected = True
    return name


def page_token(rt: Runtime, team_id: str, page_id: str, connected_only: bool = True) -> tuple[str, str]:
    with rt.db.session() as s:
        page = s.get(Page, page_id)
        if page is None or page.team_id != team_id or not page.token_enc or (connected_only and not page.connected):
            raise NotManaged(page_id)
        return page.name or page_id, rt.crypto.decrypt(page.token_enc)


def connected_pages(rt: Runtime, team_id: str) -> list[tuple[str, str]]:
    with rt.db.session() as s:
        return [(p.id, p.name or p.id) for p in s.scalars(
            select(Page).where(Page.team_id == team_id, Page.connected.is_(True)).order_by(Page.name))]


def posts(rt: Runtime, team_id: str, page_id: str, after: str | None = None, before: str | None = None) -> Listing:
    _, token = page_token(rt, team_id, page_id)
    return integrations.meta.pages.posts(rt.graph, token, page_id, PER_PAGE, after, before)


def publish(rt: Runtime, team_id: str, page_id: str, message: str, link: str | None,
            when: datetime | None) -> str:
    """Publish (or schedule) a post with the Page's token; returns the new post's link."""
    _, token = page_token(rt, team_id, page_id)
    return integrations.meta.pages.publish(rt.graph, token, page_id, message, link, when)


def instagram_accounts(rt: Runtime, team_id: str) -> list[dict[str, Any]]:
    """Instagram accounts linked to the connected Pages, with Meta's current counts."""
    out = []
    with rt.db.session() as s:
        rows = [(a.id, a.page_id, a.connected) for a in s.scalars(
            select(InstagramAccount).join(Page).where(Page.team_id == team_id, Page.connected.is_(True)))]
    for ig_id, page_id, connected in rows:
        _, token = page_token(rt, team_id, page_id)
        info = instagram.account(rt.graph, token, ig_id)
        out.append({**info, "connected": connected})
    return out


def connect_instagram(rt: Runtime, team_id: str, ig_id: str) -> str:
    with rt.db.session() as s:
        account = s.get(InstagramAccount, ig_id)
        if account is None or account.team_id != team_id or not account.page.connected:
            raise NotManaged(ig_id)
        account.connected = True
        return account.username or ig_id


def connected_instagram(rt: Runtime, team_id: str) -> list[tuple[str, str]]:
    with rt.db.session() as s:
        return [(a.id, a.username or a.id) for a in s.scalars(
            select(InstagramAccount).where(InstagramAccount.team_id == team_id, InstagramAccount.connected.is_(True)))]


def media(rt: Runtime, team_id: str, ig_id: str, after: str | None = None, before: str | None = None) -> Listing:
    with rt.db.session() as s:
        account = s.get(InstagramAccount, ig_id)
        if account is None or account.team_id != team_id or not account.connected:
            raise NotManaged(ig_id)
        page_id = account.page_id
    _, token = page_token(rt, team_id, page_id)
    return instagram.media(rt.graph, token, ig_id, PER_PAGE, after, before)


def only_one(options: list[tuple[str, str]], what: str) -> str:
    if not options:
        raise NotConnected(f"No {what} is connected yet.")
    if len(options) > 1:
        raise NotConnected(f"Several {what}s are connected; name one: " + ", ".join(f"`{i}` ({n})"
                                                                                  for i, n in options))
    return options[0][0]
