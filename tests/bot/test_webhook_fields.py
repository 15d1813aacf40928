"""The webhook fields as of December 2026: each offered with what it brings, subscribed at Meta, and a workspace
whose subscription was saved before told which new fields it lacks (`/meta webhook`, the Home tab)."""

from __future__ import annotations

from typing import Any

import pytest

from metaops.assets import webhook_fields
from store.models import WebhookSubscription
from tests.bot.test_home import open_home, text_of
from tests.helpers import connect_page, connect_whatsapp, interact, run_worker, slash_command

OLD_WHATSAPP = ["messages", "message_template_status_update", "template_category_update",
                "message_template_quality_update", "phone_number_quality_update", "account_update",
                "user_preferences", "smb_message_echoes"]
OLD_PAGE = ["messages", "messaging_postbacks", "feed"]


@pytest.fixture
def configured_before(rt, fake_graph):
    """Connected, and webhooks configured before this release: the fields offered then, verified."""
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    connect_page(rt, fake_graph.issue_token("page", expires_in=0))
    with rt.db.session() as s:
        s.add(WebhookSubscription(object="whatsapp_business_account", fields=OLD_WHATSAPP, state="active"))
        s.add(WebhookSubscription(object="page", fields=OLD_PAGE, state="active"))
    return rt


def submit(client: Any, view: dict[str, Any]) -> None:
    values = {b["block_id"]: {"value": {"type": "checkboxes", "selected_options": b["element"]["initial_options"]}}
              for b in view["blocks"] if b["type"] == "input"}
    interact(client, {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U_ADMIN"},
                      "api_app_id": "A1", "view": {**view, "id": "V1", "state": {"values": values}}})


def test_every_field_is_offered_with_one_line_saying_what_it_brings(client, rt, fake_graph, fake_slack):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    slash_command(client, "webhook configure", user="U_ADMIN", channel="C_CONNECT")
    [view] = fake_slack.views
    offered = {b["block_id"]: {o["value"]: o["description"]["text"] for o in b["element"]["options"]}
               for b in view["blocks"] if b["type"] == "input"}
    for field in ("standby", "messaging_handovers", "calls", "account_alerts", "history", "smb_app_state_sync",
                  "group_lifecycle_update", "group_participants_update", "group_settings_update",
                  "group_status_update"):
        assert offered["whatsapp_business_account"][field], field
    for field in ("message_echoes", "message_reactions", "message_reads", "message_deliveries", "message_edits",
                  "standby", "messaging_handovers"):
        assert offered["page"][field], field
    assert all(0 < len(line) <= 75 for lines in offered.values() for line in lines.values())
    assert "AI agent" in offered["whatsapp_business_account"]["standby"]


def test_a_workspace_configured_before_sees_the_new_fields_it_lacks(client, configured_before, fake_slack,
                                                                   fake_graph):
    text = slash_command(client, "webhook", user="U_MEMBER").get_json()["text"]
    assert "WhatsApp: new fields not subscribed yet" in text and "Facebook Page: new fields" in text
    assert f"`standby` — {webhook_fields.WHATSAPP['standby']}" in text
    assert "`message_reads`" in text and "`feed` —" not in text  # only what it lacks
    home = text_of(open_home(client, fake_slack, "U_MEMBER"))
    assert "WhatsApp lacks new fields" in home and "`messaging_handovers`" in home

    slash_command(client, "webhook configure", user="U_ADMIN", channel="C_CONNECT")
    [view] = fake_slack.views
    ticked = {b["block_id"]: {o["value"] for o in b["element"]["initial_options"]}
              for b in view["blocks"] if b["type"] == "input"}
    assert {"standby", "messaging_handovers", "group_status_update"} <= ticked["whatsapp_business_account"]
    assert {"message_edits", "standby"} <= ticked["page"]
    submit(client, view)
    run_worker(configured_before)
    fake_slack.wait_for_ephemeral()
    subscribed = fake_graph.subscriptions["whatsapp_business_account"]["fields"]
    assert {"standby", "messaging_handovers", "calls", "group_lifecycle_update"} <= set(subscribed)
    assert {"standby", "messaging_handovers", "message_reactions"} <= set(fake_graph.subscriptions["page"]["fields"])
    assert "new fields" not in slash_command(client, "webhook", user="U_MEMBER").get_json()["text"]


def test_nothing_is_said_lacking_before_any_configuration(client, rt, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    assert "new fields" not in slash_command(client, "webhook", user="U_MEMBER").get_json()["text"]
