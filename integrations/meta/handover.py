"""Who holds a customer conversation when Meta's AI agent (Meta Business Agent) shares the number or Page with the
app, and moving it (Meta's thread control).

WhatsApp (Conversation Routing, Cloud API): `POST /{phone-number-id}/thread_control` with `action` `take` (only
the business's escalation partner may take; a service message sent while another responder holds the thread takes
it too) or `release` (only the holder; the conversation goes back to the agent, which answers next; no
`messaging_handovers` follows). Webhooks: `standby` carries the held conversation (the customer's `messages`, the
holder's replies as `message_echoes`, `statuses`), `messaging_handovers` a `control_passed` (to the new owner) or
`control_taken` (to the previous owner).

Messenger and Instagram (the Handover Protocol, now served by Conversation Routing): `POST /{page-id}/
take_thread_control` (an idle conversation, or any when the app is the Page's Primary Receiver) and
`release_thread_control` (the holder only); webhooks `entry[].standby[]` and, in `messaging[]`,
`pass_thread_control`, `take_thread_control`, `request_thread_control`, `app_roles`."""

from __future__ import annotations

from typing import Any

from integrations.meta.graph import GraphClient
from integrations.meta.whatsapp import Recipient

AGENT, TEAM = "agent", "team"  # who holds a conversation, as the app names it
METADATA = "metaops: taken or released by a team member from Slack"


def whatsapp_control(graph: GraphClient, token: str, phone_number_id: str, to: Recipient, action: str) -> None:
    """`take` or `release` the customer's thread on that number."""
    graph.post(f"{phone_number_id}/thread_control", token, json_body={
        "messaging_product": "whatsapp", **to.address(), "action": action, "metadata": METADATA})


def page_control(graph: GraphClient, page_token: str, page_id: str, recipient_id: str, action: str) -> None:
    """`take` or `release` the thread of a Messenger (PSID) or Instagram (IGSID) customer of that Page."""
    graph.post(f"{page_id}/{action}_thread_control", page_token, json_body={
        "recipient": {"id": recipient_id}, "metadata": METADATA})


def whatsapp_change(value: dict[str, Any]) -> tuple[str | None, str | None, str | None, str | None]:
    """A WhatsApp `messaging_handovers` value: (the business number, the customer's BSUID and phone, who holds the
    thread now for us: TEAM when control was passed to us, AGENT when it was taken from us, None otherwise)."""
    metadata, recipient, sender = (_dict(value.get(k)) for k in ("metadata", "recipient", "sender"))
    number = metadata.get("phone_number_id") or recipient.get("phone_number_id")
    bsuid, phone = sender.get("user_id"), sender.get("phone_number") or sender.get("wa_id")
    holder = {"control_passed": TEAM, "control_taken": AGENT}.get(str(value.get("type")))
    return (str(number) if number else None), (str(bsuid) if bsuid else None), (str(phone) if phone else None), holder


def messenger_change(m: dict[str, Any], app_id: str) -> str | None:
    """Who holds a Messenger or Instagram thread after a handover event, for the app whose id is `app_id`: TEAM
    when it now owns the thread, AGENT when another app does; None for a request or a role change."""
    for name in ("pass_thread_control", "take_thread_control"):
        event = m.get(name)
        if isinstance(event, dict):
            new_owner = event.get("new_owner_app_id")
            if new_owner is None:  # older payloads: passed to us, or taken from us
                return TEAM if name == "pass_thread_control" else AGENT
            return TEAM if str(new_owner) == app_id else AGENT
    return None


def _dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}
