"""Instagram professional accounts, read through the token of their linked Page."""

from __future__ import annotations

from typing import Any

from integrations.meta.graph import GraphClient, Listing

ACCOUNT_FIELDS = "id,username,name,followers_count,media_count"
MEDIA_FIELDS = "id,media_type,caption,permalink,timestamp,like_count,comments_count"


def account(graph: GraphClient, token: str, ig_id: str) -> dict[str, Any]:
    """Username, name and Meta's current counts."""
    return graph.get(ig_id, token, fields=ACCOUNT_FIELDS)


def media(graph: GraphClient, token: str, ig_id: str, limit: int, after: str | None = None,
          before: str | None = None) -> Listing:
    """One page of the account's posts, newest first."""
    return graph.page(f"{ig_id}/media", token, fields=MEDIA_FIELDS, limit=limit, after=after, before=before)
