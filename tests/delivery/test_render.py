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


@pytest.mark.parametrize("message, expected", [
    ({"type": "interactive", "interactive": {"type": "nfm_reply", "nfm_reply": {
        "name": "signup", "response_json": '{"flow_token": "t", "email": "a@b.co", "topics": ["x", "y"]}'}}},
     ":clipboard: Completed the form *signup*\n• Email: a@b.co\n• Topics: x, y"),
    ({"type": "interactive", "interactive": {"type": "nfm_reply", "nfm_reply": {"response_json": "not json"}}},
     "• Answer: not json"),
    ({"type": "interactive", "interactive": {"type": "call_permission_reply",
                                             "call_permission_reply": {"response": "reject"}}}, "Declined calls"),
    ({"type": "interactive", "interactive": {"type": "call_permission_reply", "call_permission_reply": {
        "response": "accept", "is_permanent": True}}}, "Allowed the business to call them from now on"),
    ({"type": "interactive", "interactive": {"type": "call_permission_reply", "call_permission_reply": {
        "response": "accept", "expiration_timestamp": "2026-12-24T10:00:00+00:00"}}}, "until <!date^1798106400^"),
    ({"type": "order", "order": {"product_items": [{"product_retailer_id": "A", "quantity": "2", "item_price": "1.5",
                                                    "currency": "EUR"}, "junk"]}}, "Order of 1 item(s), total 3 EUR"),
    ({"type": "text", "text": {"body": "hi"}, "referral": {"source_type": "post", "headline": "New menu",
                                                            "source_url": "https://fb.com/p/1"}},
     "hi\n:mega: Came from your post *New menu* (<https://fb.com/p/1|open>)"),
    ({"type": "contacts", "contacts": [{"phones": [{"phone": "15551234567"}]}]}, "Contact card: +15551234567"),
    ({"type": "interactive", "interactive": {"type": "button_reply", "button_reply": {}}}, "did not include"),
])
def test_more_message_kinds_are_described(message, expected):
    assert expected in describe(message)


@pytest.mark.parametrize("bad", [
    {"type": "interactive", "interactive": "yes"}, {"type": "order", "order": None}, {"type": None},
    {"type": "text", "text": None}, {"type": "edit", "edit": "x"}, {"type": "reaction", "reaction": []},
    {"type": "contacts", "contacts": "Bob"}, {"type": "location", "location": {"latitude": "north"}},
    {"type": "text", "text": {"body": "x"}, "context": "forwarded", "referral": "an ad"},
    {"type": "interactive", "interactive": {"type": "call_permission_reply", "call_permission_reply": {
        "response": "accept", "expiration_timestamp": "soon"}}},
])
def test_a_bad_shape_is_described_never_raised_on(bad):
    said = describe(bad)
    assert said and "None" not in said
