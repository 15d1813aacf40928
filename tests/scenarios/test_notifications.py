"""One realistic signed payload per event kind, through the real worker into the Slack fake: each test reads
"this payload file -> this post" (the right channel, thread and content). The payloads are the JSON files in
tests/fixtures/meta/, shaped after Meta's webhook documentation."""

from __future__ import annotations

import pytest

from store.models import NotificationRoute
from tests.helpers import batch, connect_page, connect_whatsapp, fixture, post_webhook, run_worker

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


@pytest.mark.parametrize("payload, expected", [
    ("whatsapp/text.json", "Where is my order?"),
    ("whatsapp/location.json", "maps.google.com/?q=52.37,4.89"),
    ("whatsapp/contacts.json", "Bob Li"),
    ("whatsapp/interactive_list_reply.json", "Returns"),
    ("whatsapp/button.json", "Stop promotions"),
    ("whatsapp/reaction.json", "❤️ added"),
    ("whatsapp/reaction_removed.json", "Reaction removed"),
    ("whatsapp/order.json", "1 item(s)"),
    ("whatsapp/forwarded.json", "_Forwarded_ Look at this deal"),
    ("whatsapp/referral_ctwa.json", "Came from your Click-to-WhatsApp ad *Boots -30%* (<https://fb.me/3cr4Wqqkv|open>)"),
    ("whatsapp/call_permission_reply.json", "Allowed the business to call them until <!date^1700604800^"),
    ("whatsapp/flow_reply.json", "Completed the form\n• Delivery date: 2026-12-24\n• Size: 42\n• Gift wrap: True"),
    ("whatsapp/call_connect.json", "Incoming WhatsApp call"),
    ("whatsapp/edit.json", "Edited a message: Where is my order #42?"),  # its original is not in Slack
    ("whatsapp/revoke.json", "Deleted a message"),
    ("whatsapp/system.json", "changed their number"),
    ("whatsapp/unsupported.json", "Unsupported"),
    ("whatsapp/sticker.json", "Sticker"),
])
def test_every_whatsapp_message_type(client, routed, fake_slack, payload, expected):
    deliver(client, routed, fixture(payload))
    first = fake_slack.messages[0]
    assert first["channel"] == "C_MSG" and "Jane Doe" in first["text"] and "+15551234567" in first["text"]
    assert expected in first["text"]


def test_image_is_fetched_and_uploaded_into_the_thread(client, routed, fake_slack, fake_graph):
    deliver(client, routed, fixture("whatsapp/image.json"))
    [post] = fake_slack.messages
    assert "my receipt" in post["text"]
    [upload] = fake_slack.files
    assert upload["channel_id"] == "C_MSG" and upload["thread_ts"] == post["ts"]
    assert list(fake_slack.uploaded.values()) == [len(fake_graph.media["MEDIA1"][0])]


def test_too_large_media_gets_a_note_not_an_upload(client, routed, fake_slack, fake_graph, monkeypatch):
    from metaops import defaults

    monkeypatch.setattr(defaults, "MEDIA_MAX_BYTES", 10)
    deliver(client, routed, fixture("whatsapp/document.json"))
    post, note = fake_slack.messages
    assert "big.pdf" in post["text"] and "over the" in note["text"] and note["thread_ts"] == post["ts"]
    assert fake_slack.files == []


def test_failed_status_alerts(client, routed, fake_slack):
    deliver(client, routed, fixture("whatsapp/status_failed.json"))
    [alert] = fake_slack.messages
    assert alert["channel"] == "C_ALERTS" and "131026" in alert["text"] and "undeliverable" in alert["text"]


@pytest.mark.parametrize("payload, expected", [
    ("whatsapp/phone_number_quality_update.json", "FLAGGED"),
    ("whatsapp/account_update.json", "VERIFIED_ACCOUNT"),
    ("whatsapp/template_category_update.json", "MARKETING"),
])
def test_account_quality_and_category_updates_go_to_alerts(client, routed, fake_slack, payload, expected):
    deliver(client, routed, fixture(payload))
    [alert] = fake_slack.messages
    assert alert["channel"] == "C_ALERTS" and expected in alert["text"]


def test_page_messages_and_postbacks_share_the_senders_thread(client, routed, fake_slack):
    deliver(client, routed, fixture("page/message.json"))
    deliver(client, routed, fixture("page/postback.json"))
    deliver(client, routed, fixture("page/message_echo.json"))
    root, postback = fake_slack.messages
    assert root["channel"] == "C_FB" and "Acme Page 1" in root["text"] and "Pat Lee" in root["text"]
    assert "Do you ship to Canada?" in root["text"]
    assert postback["thread_ts"] == root["ts"] and "Talk to a human" in postback["text"]


def test_page_feed_comment(client, routed, fake_slack):
    deliver(client, routed, fixture("page/feed_comment.json"))
    root, post = fake_slack.messages  # the post's thread (tests/scenarios/test_comment_threads.py), then the comment
    assert root["channel"] == post["channel"] == "C_FB" and post["thread_ts"] == root["ts"]
    assert "Sam Doe" in post["text"] and "Love it!" in post["text"]


def test_instagram_dm_comment_and_mention(client, routed, fake_slack):
    deliver(client, routed, fixture("instagram/message.json"))
    deliver(client, routed, batch(fixture("instagram/comment.json"), fixture("instagram/mention.json")))
    dm, root, comment, mention = fake_slack.messages  # a comment goes to its post's thread
    assert dm["channel"] == "C_IG" and "@acme" in dm["text"] and "Is this in stock?" in dm["text"]
    assert "@fan1" in comment["text"] and "Great photo" in comment["text"] and comment["thread_ts"] == root["ts"]
    assert "mentioned" in mention["text"] and mention["channel"] == "C_IG"


def test_mixed_batch_lands_in_the_right_places(client, routed, fake_slack):
    deliver(client, routed, batch(fixture("whatsapp/text.json", text="hello"),
                                  fixture("whatsapp/template_status_approved.json"),
                                  fixture("whatsapp/status_read.json")))
    assert sorted(m["channel"] for m in fake_slack.messages) == ["C_MSG", "C_TPL"]


def test_a_channel_routed_elsewhere_gets_new_threads_there(client, routed, fake_slack):
    deliver(client, routed, fixture("whatsapp/text.json", text="first"))
    with routed.db.session() as s:
        s.get(NotificationRoute, ("T1", "messages")).channel_id = "C_NEW"
    deliver(client, routed, fixture("whatsapp/text.json", text="second", id="wamid.second"))
    first, second = fake_slack.messages
    assert first["channel"] == "C_MSG" and second["channel"] == "C_NEW" and "thread_ts" not in second


def test_a_failed_upload_never_reposts_the_text(client, routed, fake_slack, fake_graph):
    from tests.fakes.slack_api import rate_limited
    from tests.helpers import run_due_scheduled

    fake_slack.fail_next("/api/files.getUploadURLExternal", rate_limited(1))
    deliver(client, routed, fixture("whatsapp/image.json", image={"caption": "receipt"}))
    assert len(fake_slack.messages) == 1 and fake_slack.files == []
    import time

    time.sleep(1.1)
    run_due_scheduled(routed)
    run_worker(routed)
    assert len(fake_slack.messages) == 1  # the text, once
    [upload] = fake_slack.files
    assert upload["thread_ts"] == fake_slack.messages[0]["ts"]


def test_flow_answers_are_the_posts_fields(client, routed, fake_slack):
    deliver(client, routed, fixture("whatsapp/flow_reply.json"))
    [post] = fake_slack.messages
    [fields] = [b["fields"] for b in post["blocks"] if "fields" in b]
    assert [f["text"] for f in fields] == ["*Delivery date*\n2026-12-24", "*Size*\n42", "*Gift wrap*\nTrue"]
    assert "TOKEN" not in str(post)  # Meta's flow_token is no answer


def test_a_contact_shared_after_a_contact_request_names_the_username_customer(client, routed, fake_slack):
    deliver(client, routed, fixture("whatsapp/contacts_request.json"))
    [post] = fake_slack.messages
    assert post["text"] == "Sheena Nelson @realsheenanelson: :bust_in_silhouette: Contact card: Sheena Nelson"


def test_the_customer_declining_the_business_call_is_said_in_their_thread(client, routed, fake_slack):
    deliver(client, routed, fixture("whatsapp/text.json"))
    deliver(client, routed, fixture("whatsapp/call_status_rejected.json"))
    root, declined = fake_slack.messages
    assert declined["thread_ts"] == root["ts"] and "declined the business's call" in declined["text"]
    deliver(client, routed, fixture("whatsapp/call_status_rejected.json", id="wacid.call3", status="RINGING"))
    assert len(fake_slack.messages) == 2  # ringing is no news


def test_a_group_event_is_a_sentence_in_the_group_thread(client, routed, fake_slack):
    deliver(client, routed, fixture("whatsapp/group_text.json"))
    group_id = fixture("whatsapp/group_text.json")["entry"][0]["changes"][0]["value"]["messages"][0]["group_id"]
    payload = fixture("whatsapp/group_participants_update.json")
    payload["entry"][0]["changes"][0]["value"]["groups"][0]["group_id"] = group_id
    deliver(client, routed, payload)
    root, left = fake_slack.messages
    assert left["channel"] == "C_MSG" and left["thread_ts"] == root["ts"]
    assert left["text"] == f"Group `{group_id}`: :busts_in_silhouette: @janedoe +15551234567 left the group"


def test_a_messenger_referral_says_which_link_brought_them(client, routed, fake_slack):
    deliver(client, routed, fixture("page/referral.json"))
    [post] = fake_slack.messages
    assert post["channel"] == "C_FB" and "Came through your m.me link (ref `winter_sale`)" in post["text"]
