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


def media_excerpt(graph: GraphClient, token: str, media_id: str) -> dict[str, Any]:
    """A post's caption and link, for the root of its comment thread: {"caption", "permalink"}."""
    return graph.get(media_id, token, fields="caption,permalink")


def reply_to_comment(graph: GraphClient, token: str, comment_id: str, text: str) -> str:
    """A public reply under a comment, as the account; returns the new comment's id."""
    answer = graph.post(f"{comment_id}/replies", token, data={"message": text})
    return str(answer.get("id"))


def hide_comment(graph: GraphClient, token: str, comment_id: str) -> None:
    graph.post(comment_id, token, data={"hide": "true"})


def delete_comment(graph: GraphClient, token: str, comment_id: str) -> None:
    graph.delete(comment_id, token)
