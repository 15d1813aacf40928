"""Facebook Pages: the Pages a user manages, their posts, publishing, and Messenger (the Send API and
profiles of the people who write), each with the Page's own token."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from integrations.meta import instagram
from integrations.meta.graph import GraphClient, Listing

PAGE_FIELDS = ("id,name,category,access_token,tasks,followers_count,"
               f"instagram_business_account{{{instagram.ACCOUNT_FIELDS}}}")
POST_FIELDS = ("id,message,created_time,permalink_url,reactions.summary(true).limit(0),"
               "comments.summary(true).limit(0)")


def accounts(graph: GraphClient, user_token: str) -> list[dict[str, Any]]:
    """Every Page the user manages, each with its `access_token` and its linked `instagram` account (or None)."""
    pages = list(graph.paged("me/accounts", user_token, fields=PAGE_FIELDS))
    for p in pages:
        p["instagram"] = p.pop("instagram_business_account", None)
    return pages


def posts(graph: GraphClient, token: str, page_id: str, limit: int, after: str | None = None,
          before: str | None = None) -> Listing:
    """One page of the Page's posts, with reaction and comment counts."""
    return graph.page(f"{page_id}/posts", token, fields=POST_FIELDS, limit=limit, after=after, before=before)


def publish(graph: GraphClient, token: str, page_id: str, message: str, link: str | None,
            when: datetime | None) -> str:
    """Publish a post now, or schedule it at `when`; returns the new post's link."""
    data: dict[str, Any] = {"message": message, "link": link or None}
    if when:
        data.update(published="false", scheduled_publish_time=int(when.timestamp()))
    answer = graph.post(f"{page_id}/feed", token, data=data)
    return f"https://www.facebook.com/{answer['id']}"


def send_text(graph: GraphClient, token: str, page_id: str, recipient_id: str, text: str) -> str:
    """A reply through the Send API (Messenger, or Instagram through its Page); returns Meta's message id."""
    answer = graph.post(f"{page_id}/messages", token, json_body={
        "recipient": {"id": recipient_id}, "messaging_type": "RESPONSE", "message": {"text": text}})
    return str(answer.get("message_id"))


def sender_name(graph: GraphClient, token: str, sender_id: str, instagram: bool) -> str:
    """What Meta's profile API says a Messenger or Instagram sender is called ("" when it says nothing):
    their name, with the Instagram @username when there is one."""
    p = graph.get(sender_id, token, fields="name,username" if instagram else "first_name,last_name")
    found = p.get("name") or " ".join(x for x in (p.get("first_name"), p.get("last_name")) if x)
    if p.get("username"):
        found = f"{found} (@{p['username']})" if found else f"@{p['username']}"
    return str(found or "")
