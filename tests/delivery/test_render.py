"""Notification texts: customer text escaped; each message type described."""

from __future__ import annotations

import pytest

from integrations.meta.payload import items, person
from metaops.delivery.render import describe, escape, whatsapp_message
from tests.helpers import wa_payload


def test_customer_text_cannot_mention_the_channel_or_fake_a_link():
    assert escape("<!channel> <https://evil|bank> & co") == "&lt;!channel&gt; &lt;https://evil|bank&gt; &amp; co"


def test_message_post_has_name_number_and_text():
    [item] = items(wa_payload([{"from": "447700900123", "id": "w", "type": "text", "text": {"body": "Hi <there>"}}],
                              {"447700900123": "Ann <admin>"}))
    text, blocks = whatsapp_message(item, person(item))
    assert text == "Ann &lt;admin&gt; +447700900123: Hi &lt;there&gt;"
    assert "+447700900123" in blocks[0]["text"]["text"]


@pytest.mark.parametrize("message, expected", [
    ({"type": "image", "image": {"caption": "receipt", "id": "1"}}, "Image: receipt"),
    ({"type": "document", "document": {"filename": "invoice.pdf", "id": "1"}}, "Document: invoice.pdf"),
    ({"type": "location", "location": {"latitude": 51.5, "longitude": -0.12, "name": "Office"}},
     "<https://maps.google.com/?q=51.5,-0.12|map>"),
    ({"type": "interactive", "interactive": {"type": "button_reply", "button_reply": {"id": "b", "title": "Yes"}}},
     "Reply: Yes"),
    ({"type": "button", "button": {"text": "Stop promotions", "payload": "p"}}, "Button: Stop promotions"),
    ({"type": "reaction", "reaction": {"message_id": "m", "emoji": "👍"}}, "👍 added"),
    ({"type": "reaction", "reaction": {"message_id": "m"}}, "Reaction removed"),
    ({"type": "contacts", "contacts": [{"name": {"formatted_name": "Bob Li"}}]}, "Contact card: Bob Li"),
    ({"type": "unsupported", "errors": [{"code": 131051}]}, "Unsupported message"),
    ({"type": "brand_new_type"}, "Unsupported message: brand_new_type"),
])
def test_non_text_messages_are_described(message, expected):
    assert expected in describe(message)
