"""WhatsApp Cloud API calls: sending a message, message templates, analytics, business profile, media."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from integrations.meta.graph import GraphClient

TEMPLATE_FIELDS = "id,name,language,category,status,components,quality_score,rejected_reason"
PROFILE_FIELDS = "about,address,description,email,websites,vertical,profile_picture_url"
PHONE_STATE_FIELDS = "display_phone_number,verified_name,quality_rating,messaging_limit_tier,status"


@dataclass(frozen=True)
class Recipient:
    """Whom a message goes to: a customer's phone when Meta shared it, else their business-scoped user id
    (BSUID: customers with a username may not share a phone), or a group."""

    phone: str | None = None
    bsuid: str | None = None
    group_id: str | None = None

    def address(self) -> dict[str, str]:
        """The addressing fields of a send: `to` (phone or group), else `recipient` (BSUID) in place of `to`."""
        if self.group_id:
            return {"recipient_type": "group", "to": self.group_id}
        if self.phone:
            return {"recipient_type": "individual", "to": self.phone}
        if self.bsuid:
            return {"recipient_type": "individual", "recipient": self.bsuid}
        raise ValueError("a recipient needs a phone, a BSUID or a group id")


def send_text(graph: GraphClient, token: str, phone_number_id: str, to: Recipient, body: str) -> str:
    """A text message from the number to a customer, link previews on; returns Meta's message id."""
    answer = graph.post(f"{phone_number_id}/messages", token, json_body={
        "messaging_product": "whatsapp", **to.address(), "type": "text",
        "text": {"preview_url": True, "body": body}})
    return str((answer.get("messages") or [{}])[0].get("id"))


def templates(graph: GraphClient, token: str, waba_id: str) -> list[dict[str, Any]]:
    """Every message template of the account (all pages)."""
    return list(graph.paged(f"{waba_id}/message_templates", token, fields=TEMPLATE_FIELDS))


def create_template(graph: GraphClient, token: str, waba_id: str, name: str, language: str, category: str,
                    components: list[dict[str, Any]]) -> dict[str, Any]:
    """Meta's answer: the new template's id, status and category."""
    return graph.post(f"{waba_id}/message_templates", token, json_body={
        "name": name, "language": language, "category": category, "components": components})


def edit_template(graph: GraphClient, token: str, template_id: str, category: str,
                  components: list[dict[str, Any]]) -> None:
    graph.post(template_id, token, json_body={"category": category, "components": components})


def delete_template(graph: GraphClient, token: str, waba_id: str, name: str) -> None:
    """Every language of the template `name`."""
    graph.delete(f"{waba_id}/message_templates", token, name=name)


def analytics(graph: GraphClient, token: str, waba_id: str, start: int, end: int) -> list[dict[str, Any]]:
    """Sent and delivered counts a day for the account's numbers, between Unix times `start` and `end`."""
    answer = graph.get(waba_id, token, fields=f"analytics.start({start}).end({end}).granularity(DAY)")
    points: list[dict[str, Any]] = (answer.get("analytics") or {}).get("data_points") or []
    return points


def template_analytics(graph: GraphClient, token: str, waba_id: str, start: int, end: int,
                       template_ids: list[str]) -> list[dict[str, Any]]:
    """Sent, delivered and read a day per template (at most 10 ids a call): the data points, all blocks."""
    answer = graph.get(f"{waba_id}/template_analytics", token, start=start, end=end, granularity="DAILY",
                       metric_types=["SENT", "DELIVERED", "READ"], template_ids=template_ids)
    return [point for block in answer.get("data") or [] for point in block.get("data_points") or []]


def business_profile(graph: GraphClient, token: str, phone_number_id: str) -> dict[str, Any]:
    """The number's business profile ({} when Meta has none)."""
    data = graph.get(f"{phone_number_id}/whatsapp_business_profile", token, fields=PROFILE_FIELDS).get("data")
    return data[0] if isinstance(data, list) and data else {}


def phone_numbers(graph: GraphClient, token: str, waba_id: str) -> list[dict[str, Any]]:
    """The account's numbers as Meta sees them now: id, display number, verified name, quality rating (GREEN,
    YELLOW, RED, UNKNOWN), messaging limit tier (TIER_250, TIER_1K…, TIER_UNLIMITED) and status (CONNECTED,
    FLAGGED, RESTRICTED…), all pages."""
    return list(graph.paged(f"{waba_id}/phone_numbers", token, fields=f"id,{PHONE_STATE_FIELDS}"))


def media_info(graph: GraphClient, token: str, media_id: str) -> dict[str, Any]:
    """A customer's media: its short-lived download `url`, `mime_type`, `file_size`."""
    return graph.get(media_id, token)


def upload_media(graph: GraphClient, token: str, phone_number_id: str, filename: str, data: bytes,
                 mime_type: str) -> str:
    """A file uploaded for the number to send (multipart, `messaging_product=whatsapp`); returns its media id."""
    answer = graph.post(f"{phone_number_id}/media", token, data={"messaging_product": "whatsapp", "type": mime_type},
                        files={"file": (filename, data, mime_type)})
    return str(answer.get("id"))


def send_media(graph: GraphClient, token: str, phone_number_id: str, to: Recipient, kind: str, media_id: str,
               caption: str | None = None, filename: str | None = None) -> str:
    """A media message by uploaded media id (`kind`: image, video, audio, document, sticker); a caption only where
    Meta takes one (image, video, document), a filename only on a document. Returns Meta's message id."""
    media: dict[str, str] = {"id": media_id}
    if caption and kind in CAPTIONED:
        media["caption"] = caption
    if filename and kind == "document":
        media["filename"] = filename
    answer = graph.post(f"{phone_number_id}/messages", token, json_body={
        "messaging_product": "whatsapp", **to.address(), "type": kind, kind: media})
    return str((answer.get("messages") or [{}])[0].get("id"))


CAPTIONED = ("image", "video", "document")  # the media types whose messages take a caption


def send_template(graph: GraphClient, token: str, phone_number_id: str, to: Recipient, name: str, language: str,
                  components: list[dict[str, Any]]) -> str:
    """An approved message template with its parameters (`components`, as Meta takes them: header, body and
    button parameters); returns Meta's message id."""
    template: dict[str, Any] = {"name": name, "language": {"code": language}}
    if components:
        template["components"] = components
    answer = graph.post(f"{phone_number_id}/messages", token, json_body={
        "messaging_product": "whatsapp", **to.address(), "type": "template", "template": template})
    return str((answer.get("messages") or [{}])[0].get("id"))


def mark_read(graph: GraphClient, token: str, phone_number_id: str, message_id: str, typing: bool = False) -> None:
    """A customer's message marked read (blue ticks on their phone): WhatsApp's read receipt. `typing`: the same call
    also shows the customer a typing indicator, until the next message from the number or for 25 seconds (Meta's
    "Typing indicators": `typing_indicator: {"type": "text"}` on the read call, with a received message's id)."""
    body: dict[str, Any] = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
    if typing:
        body["typing_indicator"] = {"type": "text"}
    graph.post(f"{phone_number_id}/messages", token, json_body=body)
