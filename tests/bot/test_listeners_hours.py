"""The `/meta hours` listeners, each called directly as Bolt calls it: the Edit button (`hours_edit_clicked`) and
the modal's submission (`hours_submitted`), with the request from tests/fixtures/slack, a WebClient on the Slack
fake and the real runtime."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.commands.hours import EDIT_ACTION, hours_edit_clicked
from bot.modals.hours import hours_submitted
from metaops import messages
from metaops.away import config
from metaops.templates import catalog
from tests.bot.bolt import Recorder, call
from tests.constants import PHONE_ID
from tests.helpers import connect_whatsapp, slack_fixture

GREETING = {"id": "900000000000001", "name": "closed_now", "language": "en_US", "category": "UTILITY",
            "status": "APPROVED", "components": [{"type": "BODY", "text": "We are closed; we answer from 9:00."}]}
ORDER = {"id": "900000000000002", "name": "order_ready", "language": "en_US", "category": "UTILITY",
         "status": "APPROVED", "components": [{"type": "BODY", "text": "Order {{1}} is ready",
                                               "example": {"body_text": [["A1"]]}}]}


@pytest.fixture
def number(rt, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    fake_graph.templates = [dict(GREETING), dict(ORDER)]
    catalog.sync(rt, "T1")
    return PHONE_ID


def click(context, web_client, value, user="U_ADMIN"):
    body = slack_fixture("actions/message_button.json", action={"action_id": EDIT_ACTION, "value": value},
                         user={"id": user})
    ack = Recorder()
    call(hours_edit_clicked, ack=ack, body=body, client=web_client, context=context)
    assert ack.once == {}


def submit(context, web_client, **values: Any) -> dict[str, Any]:
    ack = Recorder()
    body = slack_fixture("views/hours_modal.json", values={k: {"value": v} for k, v in values.items()})
    call(hours_submitted, ack=ack, body=body, view=body["view"], client=web_client, context=context)
    return ack.once


def test_hours_edit_clicked_opens_the_modal_in_the_admins_time_zone(number, context, web_client, fake_slack):
    fake_slack.users["U_ADMIN"]["tz"] = "America/Chicago"
    click(context, web_client, PHONE_ID)
    [view] = fake_slack.views
    assert view["callback_id"] == "hours_modal"
    assert json.loads(view["private_metadata"]) == {"team_id": "T1", "channel_id": "C_CONNECT",
                                                    "business_id": PHONE_ID}
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    assert by_id["tz"]["element"]["initial_value"] == "America/Chicago"
    assert {f"day_{d}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")} <= set(by_id)
    offered = [o["value"] for o in by_id["template"]["element"]["options"]]
    assert offered == ["none", GREETING["id"]]  # a template with a variable cannot go unattended


def test_hours_edit_clicked_refuses_members_and_other_workspaces_assets(number, context, web_client, fake_slack):
    click(context, web_client, PHONE_ID, user="U_MEMBER")
    click(context, web_client, "PAGE_OF_SOMEONE_ELSE")
    assert fake_slack.views == []
    assert [e["text"] for e in fake_slack.ephemerals] == [messages.NOT_ALLOWED, messages.HOURS_GONE]


def test_hours_submitted_checks_each_field_then_saves(number, rt, context, web_client, fake_slack):
    answer = submit(context, web_client, day_mon={"value": "09:00-12:00, 11:00-13:00"},
                    day_tue={"value": "18:00-08:00"}, day_wed={"value": "nine to five"},
                    holidays={"value": "2026-13-01"}, message={"value": ""}, tz={"value": "Moon/Base"})
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"day_mon", "day_tue", "day_wed", "holidays", "message", "tz"}
    assert "overlap" in answer["errors"]["day_mon"] and "ends before it starts" in answer["errors"]["day_tue"]
    assert config.setting(rt.db.engine, "T1", PHONE_ID) is None  # nothing stored while a field is wrong

    assert submit(context, web_client, template={"selected_option": {"value": ORDER["id"]}}) == {
        "response_action": "errors", "errors": {"template": messages.HOURS_TEMPLATE_GONE}}
    assert submit(context, web_client, template={"selected_option": {"value": GREETING["id"]}}) == {}
    saved = config.setting(rt.db.engine, "T1", PHONE_ID)
    assert saved is not None and saved.enabled and saved.template_id == GREETING["id"]
    assert saved.hours.tz == "Europe/Paris" and saved.hours.weekly[4] == ((540, 720), (780, 1020))
    assert fake_slack.ephemerals[-1]["text"] == messages.HOURS_SAVED.format(name="Test Co", state="on")


def test_hours_submitted_refuses_a_member_and_a_forged_team(number, rt, context, web_client, fake_slack):
    ack = Recorder()
    body = slack_fixture("views/hours_modal.json", user={"id": "U_MEMBER"})
    call(hours_submitted, ack=ack, body=body, view=body["view"], client=web_client, context=context)
    assert ack.once == {"response_action": "errors", "errors": {"message": messages.NOT_ALLOWED}}
    ack = Recorder()
    body = slack_fixture("views/hours_modal.json", view={"private_metadata": json.dumps({
        "team_id": "T2", "business_id": PHONE_ID})})
    call(hours_submitted, ack=ack, body=body, view=body["view"], client=web_client, context=context)
    assert ack.once["response_action"] == "errors" and config.setting(rt.db.engine, "T1", PHONE_ID) is None
