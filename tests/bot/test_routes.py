"""`/meta route`, `routes`, `webhook`, `webhook configure`, and Meta's verification activating it."""

from __future__ import annotations

import pytest

from store import workspaces
from tests.constants import VERIFY_TOKEN, WABA
from tests.fakes.meta_graph import APP_ID
from tests.helpers import connect_page, connect_whatsapp, interact, run_worker, slash_command


@pytest.fixture
def connected(rt, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    connect_page(rt, fake_graph.issue_token("page", expires_in=0))
    return rt


def test_route_by_mention_joins_a_public_channel(client, connected, fake_slack):
    r = slash_command(client, "route messages <#C_PUBLIC|support>", user="U_ADMIN").get_json()["text"]
    assert "<#C_PUBLIC>" in r
    assert any(c.path == "/api/conversations.join" for c in fake_slack.calls)
    assert workspaces.channel_for(connected.db.engine, "T1", "messages") == "C_PUBLIC"


def test_route_by_name_to_a_private_channel_asks_for_an_invite(client, connected, fake_slack):
    r = slash_command(client, "route alerts #secret", user="U_ADMIN").get_json()["text"]
    assert "private" in r and "/invite" in r
    assert workspaces.channel_for(connected.db.engine, "T1", "alerts") == "G_PRIVATE"


def test_route_errors_and_refusals(client, connected):
    assert "KIND" in slash_command(client, "route everything #support", user="U_ADMIN").get_json()["text"]
    assert "can't find" in slash_command(client, "route alerts #nope", user="U_ADMIN").get_json()["text"]
    assert "Only workspace admins" in slash_command(client, "route alerts #support", user="U_MEMBER"
                                                    ).get_json()["text"]


def test_routes_lists_every_kind_with_the_fallback(client, connected):
    slash_command(client, "route templates <#C_PUBLIC|support>", user="U_ADMIN")
    text = slash_command(client, "routes", user="U_MEMBER").get_json()["text"]
    assert "`templates` → <#C_PUBLIC>" in text and "`messages` → <#C_CONNECT>" in text
    assert "`instagram` → <#C_CONNECT>" in text


def test_webhook_shows_url_and_masks_the_token_for_members(client, connected):
    member = slash_command(client, "webhook", user="U_MEMBER").get_json()["text"]
    admin = slash_command(client, "webhook", user="U_ADMIN").get_json()["text"]
    assert "https://metaops.example.test/meta/webhook" in member
    assert VERIFY_TOKEN not in member and VERIFY_TOKEN in admin
    assert "not subscribed" in member


def test_configure_subscribes_app_waba_and_pages_then_verification_activates(client, connected, fake_slack,
                                                                            fake_graph):
    slash_command(client, "webhook configure", user="U_ADMIN", channel="C_CONNECT")
    [view] = fake_slack.views
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels == ["WhatsApp", "Facebook Page", "Instagram"]
    assert "subscriptions" in view["blocks"][0]["elements"][0]["text"]  # says the app is subscribed for everyone
    values = {b["block_id"]: {"value": {"type": "checkboxes", "selected_options": b["element"]["initial_options"]}}
              for b in view["blocks"] if b["type"] == "input"}
    values["instagram"]["value"]["selected_options"] = []
    r = interact(client, {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U_ADMIN"},
                          "api_app_id": "A1", "view": {**view, "id": "V1", "state": {"values": values}}})
    assert r.status_code == 200 and not r.data  # the modal closes at once
    assert not fake_graph.subscriptions  # subscribing is the worker's
    run_worker(connected)
    outcome = fake_slack.wait_for_ephemeral()  # subscribing goes on after the modal closed
    assert set(fake_graph.subscriptions) == {"whatsapp_business_account", "page"}
    assert "message_template_status_update" in fake_graph.subscriptions["whatsapp_business_account"]["fields"]
    assert fake_graph.subscriptions["page"]["verify_token"] == VERIFY_TOKEN
    assert fake_graph.subscriptions["page"]["callback_url"] == "https://metaops.example.test/meta/webhook"
    assert fake_graph.subscribed == [WABA, "PAGE1"]
    assert outcome["text"].count(":white_check_mark:") == 5 and ":x:" not in outcome["text"]
    assert "pending" in slash_command(client, "webhook", user="U_ADMIN").get_json()["text"]

    client.get("/meta/webhook", query_string={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN,
                                              "hub.challenge": "42"})
    text = slash_command(client, "webhook", user="U_ADMIN").get_json()["text"]
    assert "*WhatsApp:* active" in text and "*Instagram:* off" in text


def test_a_failed_step_is_shown_and_the_rest_go_on(client, connected, fake_slack, fake_graph):
    from tests.fakes.meta_graph import graph_error

    fake_graph.fail_next(f"/v26.0/{WABA}/subscribed_apps", graph_error(200, "Permissions error", 403))
    slash_command(client, "webhook configure", user="U_ADMIN", channel="C_CONNECT")
    [view] = fake_slack.views
    values = {b["block_id"]: {"value": {"type": "checkboxes", "selected_options": b["element"]["initial_options"]}}
              for b in view["blocks"] if b["type"] == "input"}
    interact(client, {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U_ADMIN"},
                      "api_app_id": "A1", "view": {**view, "id": "V1", "state": {"values": values}}})
    run_worker(connected)
    text = fake_slack.wait_for_ephemeral()["text"]
    assert ":x: WhatsApp Business Account" in text and "Permissions error" in text
    assert "PAGE1" in fake_graph.subscribed


def test_generated_verify_token_when_none_is_set(config, fake_graph):
    from metaops import create_app, runtime
    from metaops.assets import subscriptions
    from tests.helpers import connect_whatsapp as seed

    app = create_app({**config, "META_VERIFY_TOKEN": ""})
    rt = app.extensions["metaops"]
    try:
        seed(rt, token=fake_graph.issue_token())
        assert subscriptions.verify_token(rt) is None
        assert app.test_client().get("/meta/webhook", query_string={
            "hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}).status_code == 403
        subscriptions.configure(rt, "T1", {"whatsapp_business_account": ["messages"]})
        token = subscriptions.verify_token(rt)
        assert token and fake_graph.subscriptions["whatsapp_business_account"]["verify_token"] == token
        r = app.test_client().get("/meta/webhook", query_string={"hub.mode": "subscribe", "hub.verify_token": token,
                                                                  "hub.challenge": "ok"})
        assert r.status_code == 200 and r.data == b"ok"
        assert APP_ID in [c.path.split("/")[2] for c in fake_graph.calls if c.path.endswith("/subscriptions")]
    finally:
        rt.db.dispose()
        runtime.install(None)
