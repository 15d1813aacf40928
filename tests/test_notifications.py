"""One realistic signed payload per event kind, through the real worker into the Slack fake: the right
channel, thread and content. Payloads are shaped after Meta's webhook documentation."""

from __future__ import annotations

import pytest

from store.models import NotificationRoute
from tests.fakes.meta_graph import WABA
from tests.helpers import PHONE_ID, connect_page, connect_whatsapp, post_webhook, run_worker, wa_payload

ROUTES = {"messages": "C_MSG", "alerts": "C_ALERTS", "templates": "C_TPL", "facebook": "C_FB", "instagram": "C_IG"}


@pytest.fixture
def routed(rt, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    connect_page(rt, fake_graph.issue_token("page", expires_in=0))
    with rt.db.session() as s:
        for kind, channel in ROUTES.items():
            s.add(NotificationRoute(team_id="T1", kind=kind, channel_id=channel))
    return rt


def deliver(client, rt, payload):
    assert post_webhook(client, payload).status_code == 200
    run_worker(rt)


def wa(message: dict) -> dict:
    return wa_payload([{"from": "15551234567", "id": f"wamid.{message['type']}", "timestamp": "1700000000",
                        **message}], {"15551234567": "Jane Doe"})


@pytest.mark.parametrize("message, expected", [
    ({"type": "text", "text": {"body": "Where is my order?"}}, "Where is my order?"),
    ({"type": "location", "location": {"latitude": 52.37, "longitude": 4.89, "name": "Dam Square",
                                       "address": "Amsterdam"}}, "maps.google.com/?q=52.37,4.89"),
    ({"type": "contacts", "contacts": [{"name": {"formatted_name": "Bob Li", "first_name": "Bob"},
                                        "phones": [{"phone": "+1 555 0100", "type": "CELL"}]}]}, "Bob Li"),
    ({"type": "interactive", "interactive": {"type": "list_reply", "list_reply": {"id": "r1", "title": "Returns",
                                                                                 "description": "x"}}}, "Returns"),
    ({"type": "button", "button": {"payload": "STOP", "text": "Stop promotions"},
      "context": {"from": "15550783881", "id": "wamid.tpl"}}, "Stop promotions"),
    ({"type": "reaction", "reaction": {"message_id": "wamid.x", "emoji": "❤️"}}, "❤️ added"),
    ({"type": "reaction", "reaction": {"message_id": "wamid.x"}}, "Reaction removed"),
    ({"type": "order", "order": {"catalog_id": "c1", "product_items": [{"product_retailer_id": "p1",
                                                                         "quantity": 2, "item_price": 5,
                                                                         "currency": "USD"}]}}, "1 item(s)"),
    ({"type": "system", "system": {"body": "Customer changed their number", "type": "user_changed_number"}},
     "changed their number"),
    ({"type": "unsupported", "errors": [{"code": 131051, "title": "Message type unknown"}]}, "Unsupported"),
    ({"type": "sticker", "sticker": {"mime_type": "image/webp", "sha256": "x", "id": "NOPE", "animated": False}},
     "Sticker"),
])
def test_every_whatsapp_message_type(client, routed, fake_slack, message, expected):
    deliver(client, routed, wa(message))
    first = fake_slack.messages[0]
    assert first["channel"] == "C_MSG" and "Jane Doe" in first["text"] and "+15551234567" in first["text"]
    assert expected in first["text"]


def test_image_is_fetched_and_uploaded_into_the_thread(client, routed, fake_slack, fake_graph):
    deliver(client, routed, wa({"type": "image", "image": {"caption": "my receipt", "mime_type": "image/png",
                                                           "sha256": "x", "id": "MEDIA1"}}))
    [post] = fake_slack.messages
    assert "my receipt" in post["text"]
    [upload] = fake_slack.files
    assert upload["channel_id"] == "C_MSG" and upload["thread_ts"] == post["ts"]
    assert list(fake_slack.uploaded.values()) == [len(fake_graph.media["MEDIA1"][0])]


def test_too_large_media_gets_a_note_not_an_upload(client, routed, fake_slack, fake_graph, monkeypatch):
    from metaops import defaults

    monkeypatch.setattr(defaults, "MEDIA_MAX_BYTES", 10)
    deliver(client, routed, wa({"type": "document", "document": {"filename": "big.pdf", "id": "MEDIA1",
                                                                 "mime_type": "application/pdf"}}))
    post, note = fake_slack.messages
    assert "big.pdf" in post["text"] and "over the" in note["text"] and note["thread_ts"] == post["ts"]
    assert fake_slack.files == []


def test_failed_status_alerts(client, routed, fake_slack):
    status = {"id": "wamid.gone", "status": "failed", "timestamp": "1", "recipient_id": "15557654321",
              "errors": [{"code": 131026, "title": "Message undeliverable",
                          "error_data": {"details": "Receiver is incapable of receiving this message"}}]}
    deliver(client, routed, wa_payload([], statuses=[status]))
    [alert] = fake_slack.messages
    assert alert["channel"] == "C_ALERTS" and "131026" in alert["text"] and "undeliverable" in alert["text"]


@pytest.mark.parametrize("field, value, expected", [
    ("phone_number_quality_update", {"display_phone_number": "15550783881", "event": "FLAGGED",
                                     "current_limit": "TIER_1K"}, "FLAGGED"),
    ("account_update", {"phone_number": "15550783881", "event": "VERIFIED_ACCOUNT"}, "VERIFIED_ACCOUNT"),
    ("template_category_update", {"message_template_id": 1, "message_template_name": "promo",
                                  "message_template_language": "en_US", "previous_category": "UTILITY",
                                  "new_category": "MARKETING"}, "MARKETING"),
])
def test_account_quality_and_category_updates_go_to_alerts(client, routed, fake_slack, field, value, expected):
    deliver(client, routed, {"object": "whatsapp_business_account",
                             "entry": [{"id": WABA, "time": 1, "changes": [{"field": field, "value": value}]}]})
    [alert] = fake_slack.messages
    assert alert["channel"] == "C_ALERTS" and expected in alert["text"]


def messenger(event: dict, obj: str = "page", asset: str = "PAGE1") -> dict:
    return {"object": obj, "entry": [{"id": asset, "time": 1700000000, "messaging": [{
        "sender": {"id": "PSID777" if obj == "page" else "IGSID888"}, "recipient": {"id": asset},
        "timestamp": 1700000000, **event}]}]}


def test_page_messages_and_postbacks_share_the_senders_thread(client, routed, fake_slack):
    deliver(client, routed, messenger({"message": {"mid": "m_1", "text": "Do you ship to Canada?"}}))
    deliver(client, routed, messenger({"postback": {"mid": "m_2", "title": "Talk to a human", "payload": "HUMAN"}}))
    deliver(client, routed, messenger({"message": {"mid": "m_echo", "text": "our own", "is_echo": True}}))
    root, postback = fake_slack.messages
    assert root["channel"] == "C_FB" and "Acme Page 1" in root["text"] and "Pat Lee" in root["text"]
    assert "Do you ship to Canada?" in root["text"]
    assert postback["thread_ts"] == root["ts"] and "Talk to a human" in postback["text"]


def test_page_feed_comment(client, routed, fake_slack):
    deliver(client, routed, {"object": "page", "entry": [{"id": "PAGE1", "time": 1, "changes": [{
        "field": "feed", "value": {"item": "comment", "verb": "add", "comment_id": "1_2", "post_id": "1_1",
                                   "from": {"id": "42", "name": "Sam Doe"}, "message": "Love it!",
                                   "created_time": 1700000000}}]}]})
    [post] = fake_slack.messages
    assert post["channel"] == "C_FB" and "Sam Doe" in post["text"] and "Love it!" in post["text"]


def test_instagram_dm_comment_and_mention(client, routed, fake_slack):
    deliver(client, routed, messenger({"message": {"mid": "ig_1", "text": "Is this in stock?"}}, "instagram", "IG1"))
    deliver(client, routed, {"object": "instagram", "entry": [{"id": "IG1", "time": 1, "changes": [
        {"field": "comments", "value": {"from": {"id": "9", "username": "fan1"}, "media": {"id": "M1"},
                                        "id": "C9", "text": "Great photo"}},
        {"field": "mentions", "value": {"media_id": "M2", "comment_id": "C10"}}]}]})
    dm, comment, mention = fake_slack.messages
    assert dm["channel"] == "C_IG" and "@acme" in dm["text"] and "Is this in stock?" in dm["text"]
    assert "@fan1" in comment["text"] and "Great photo" in comment["text"]
    assert "mentioned" in mention["text"] and mention["channel"] == "C_IG"


def test_mixed_batch_lands_in_the_right_places(client, routed, fake_slack):
    batch = wa({"type": "text", "text": {"body": "hello"}})
    batch["entry"].append({"id": WABA, "changes": [{"field": "message_template_status_update", "value": {
        "event": "APPROVED", "message_template_id": 5, "message_template_name": "welcome",
        "message_template_language": "en_US", "reason": "NONE"}}]})
    batch["entry"].append({"id": WABA, "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"phone_number_id": PHONE_ID},
        "statuses": [{"id": "wamid.a", "status": "read", "timestamp": "1", "recipient_id": "1"}]}}]})
    deliver(client, routed, batch)
    assert sorted(m["channel"] for m in fake_slack.messages) == ["C_MSG", "C_TPL"]


def test_a_channel_routed_elsewhere_gets_new_threads_there(client, routed, fake_slack):
    deliver(client, routed, wa({"type": "text", "text": {"body": "first"}}))
    with routed.db.session() as s:
        s.get(NotificationRoute, ("T1", "messages")).channel_id = "C_NEW"
    payload = wa({"type": "text", "text": {"body": "second"}})
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = "wamid.second"
    deliver(client, routed, payload)
    first, second = fake_slack.messages
    assert first["channel"] == "C_MSG" and second["channel"] == "C_NEW" and "thread_ts" not in second


def test_a_failed_upload_never_reposts_the_text(client, routed, fake_slack, fake_graph):
    from tests.fakes.slack_api import rate_limited
    from tests.helpers import run_due_scheduled

    fake_slack.fail_next("/api/files.getUploadURLExternal", rate_limited(1))
    deliver(client, routed, wa({"type": "image", "image": {"caption": "receipt", "id": "MEDIA1",
                                                           "mime_type": "image/png"}}))
    assert len(fake_slack.messages) == 1 and fake_slack.files == []
    import time

    time.sleep(1.1)
    run_due_scheduled(routed)
    run_worker(routed)
    assert len(fake_slack.messages) == 1  # the text, once
    [upload] = fake_slack.files
    assert upload["thread_ts"] == fake_slack.messages[0]["ts"]
