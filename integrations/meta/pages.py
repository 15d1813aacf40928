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


HUMAN_AGENT = "HUMAN_AGENT"  # the message tag of a person's reply between 24 hours and 7 days after the customer's


def messaging(tag: str | None) -> dict[str, str]:
    """How a send is typed: a reply within 24 hours of the customer's last message (`RESPONSE`), or tagged
    (`MESSAGE_TAG` with `tag`, e.g. HUMAN_AGENT)."""
    return {"messaging_type": "MESSAGE_TAG", "tag": tag} if tag else {"messaging_type": "RESPONSE"}


def send_text(graph: GraphClient, token: str, page_id: str, recipient_id: str, text: str,
              tag: str | None = None) -> str:
    """A reply through the Send API (Messenger, or Instagram through its Page); returns Meta's message id."""
    answer = graph.post(f"{page_id}/messages", token, json_body={
        "recipient": {"id": recipient_id}, **messaging(tag), "message": {"text": text}})
    return str(answer.get("message_id"))


SENDER_ACTIONS = ("mark_seen", "typing_on", "typing_off")


def sender_action(graph: GraphClient, token: str, page_id: str, recipient_id: str, action: str) -> None:
    """A sender action through the Send API (Messenger, or Instagram through its Page): `mark_seen` (the customer's
    last message seen), `typing_on` / `typing_off` (the typing bubble). Meta takes it alone: recipient and action,
    no message."""
    if action not in SENDER_ACTIONS:
        raise ValueError(f"unknown sender action {action!r}")
    graph.post(f"{page_id}/messages", token, json_body={"recipient": {"id": recipient_id}, "sender_action": action})


def send_reaction(graph: GraphClient, token: str, page_id: str, recipient_id: str, message_id: str,
                  emoji: str | None) -> None:
    """The Page's reaction on a Messenger message (`sender_action` react, with the emoji); None removes it
    (unreact, with the message id only)."""
    payload: dict[str, str] = {"message_id": message_id}
    if emoji:
        payload["reaction"] = emoji
    graph.post(f"{page_id}/messages", token, json_body={
        "recipient": {"id": recipient_id}, "sender_action": "react" if emoji else "unreact", "payload": payload})


def upload_attachment(graph: GraphClient, token: str, page_id: str, kind: str, filename: str, data: bytes,
                      mime_type: str, instagram: bool = False) -> str:
    """A file uploaded for the Page's Send API (the Attachment Upload API, multipart `filedata`; `kind`: image,
    video, audio or file); returns its attachment id. Serves Messenger and, through its Page (`platform`
    instagram), Instagram."""
    fields: dict[str, Any] = {"message": {"attachment": {"type": kind, "payload": {"is_reusable": False}}}}
    if instagram:
        fields["platform"] = "instagram"
    answer = graph.post(f"{page_id}/message_attachments", token, data=fields,
                        files={"filedata": (filename, data, mime_type)})
    return str(answer.get("attachment_id"))


def send_attachment(graph: GraphClient, token: str, page_id: str, recipient_id: str, kind: str,
                    attachment_id: str, tag: str | None = None) -> str:
    """An uploaded attachment sent through the Send API; returns Meta's message id."""
    answer = graph.post(f"{page_id}/messages", token, json_body={
        "recipient": {"id": recipient_id}, **messaging(tag),
        "message": {"attachment": {"type": kind, "payload": {"attachment_id": attachment_id}}}})
    return str(answer.get("message_id"))


def sender_name(graph: GraphClient, token: str, sender_id: str, instagram: bool) -> str:
    """What Meta's profile API says a Messenger or Instagram sender is called ("" when it says nothing):
    their name, with the Instagram @username when there is one."""
    p = graph.get(sender_id, token, fields="name,username" if instagram else "first_name,last_name")
    found = p.get("name") or " ".join(x for x in (p.get("first_name"), p.get("last_name")) if x)
    if p.get("username"):
        found = f"{found} (@{p['username']})" if found else f"@{p['username']}"
    return str(found or "")


def post_excerpt(graph: GraphClient, token: str, post_id: str) -> dict[str, Any]:
    """A Page post's text and link, for the root of its comment thread: {"message", "permalink_url"}."""
    return graph.get(post_id, token, fields="message,permalink_url")


def reply_to_comment(graph: GraphClient, token: str, comment_id: str, text: str) -> str:
    """A public reply under a comment on a Page post, as the Page; returns the new comment's id."""
    answer = graph.post(f"{comment_id}/comments", token, data={"message": text})
    return str(answer.get("id"))


def hide_comment(graph: GraphClient, token: str, comment_id: str) -> None:
    """Hidden from everyone but its author and their friends."""
    graph.post(comment_id, token, data={"is_hidden": "true"})


def delete_comment(graph: GraphClient, token: str, comment_id: str) -> None:
    graph.delete(comment_id, token)
