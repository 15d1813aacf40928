"""Messenger and Instagram senders' names (Meta's profile API), cached a day in Redis."""

from __future__ import annotations

import logging

from integrations.meta import pages
from integrations.meta.errors import GraphError
from metaops import defaults
from metaops.runtime import Runtime
from store.models import InstagramAccount, Page

log = logging.getLogger(__name__)


def _profile_key(platform: str, asset_id: str, sender_id: str) -> str:
    return f"metaops:profile:{platform}:{asset_id}:{sender_id}"


def cached_sender_name(rt: Runtime, platform: str, asset_id: str, sender_id: str) -> str | None:
    """A Messenger or Instagram sender's name when `sender_name` already read it (no call to Meta), else None."""
    cached = rt.redis.get(_profile_key(platform, asset_id, sender_id))
    return (cached.decode() if isinstance(cached, bytes) else cached) if cached else None


def sender_name(rt: Runtime, platform: str, asset_id: str, sender_id: str) -> str:
    """A Messenger or Instagram sender's name (Meta's profile API, cached a day); the id when Meta won't say."""
    key = _profile_key(platform, asset_id, sender_id)
    cached = rt.redis.get(key)
    if cached:
        return cached.decode() if isinstance(cached, bytes) else cached
    name = f"{platform.capitalize()} user {sender_id}"
    try:
        with rt.db.session() as s:
            page = s.get(Page, asset_id) if platform == "messenger" else None
            if platform == "instagram":
                account = s.get(InstagramAccount, asset_id)
                page = s.get(Page, account.page_id) if account else None
            token = rt.crypto.decrypt(page.token_enc) if page and page.token_enc else None
        if token:
            name = pages.sender_name(rt.graph, token, sender_id, instagram=platform == "instagram") or name
    except GraphError as e:
        log.info("no profile for a %s sender: %s", platform, e.user_text())
    rt.redis.set(key, name, ex=defaults.PROFILE_CACHE_TTL)
    return name
