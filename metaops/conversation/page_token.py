"""Which Page sends to a Messenger or Instagram customer, and its token: the thread's Page (Messenger) or the Page
linked to the Instagram account, each of the workspace's own and connected."""

from __future__ import annotations

from metaops import messages
from metaops.exceptions import NotConnected
from metaops.runtime import Runtime
from store.models import InstagramAccount, Page


def page_for(rt: Runtime, team_id: str, platform: str, business_id: str) -> tuple[str, str]:
    """(Page id, page token); NotConnected when the workspace no longer has that Page or account connected."""
    with rt.db.session() as s:
        page_id = business_id
        if platform == "instagram":
            account = s.get(InstagramAccount, business_id)
            # the account must be the thread's workspace's and connected, as must its Page below
            mine = account is not None and account.team_id == team_id and account.connected
            page_id = account.page_id if account and mine else ""
        page = s.get(Page, page_id) if page_id else None
        if page is None or page.team_id != team_id or not page.connected or not page.token_enc:
            raise NotConnected(messages.REPLY_NO_ASSET.format(platform=platform.capitalize()))
        return page.id, rt.crypto.decrypt(page.token_enc)
