"""The modal and shortcut listeners (submissions, the send-template modal's buttons, the "Send to customer…"
shortcut), each called directly as Bolt calls it: the request from tests/fixtures/slack, recorders for ack and
respond, a WebClient on the Slack fake, the real runtime, and the real worker where the listener queued work."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.modals.post import post_submitted
from bot.modals.send_template import send_template_chosen, send_template_clicked, send_template_submitted
from bot.modals.template import template_submitted
from bot.modals.webhook import webhook_submitted
from bot.shortcuts.send_to_customer import (
    send_to_customer_chosen,
    send_to_customer_shortcut,
    send_to_customer_submitted,
)
from metaops import messages, permissions
from metaops.conversation.buttons import send_template_button
from metaops.surfaces import submissions
from metaops.templates import catalog
from tests.bot.bolt import Recorder, call
from tests.bot.test_send_template import CODE, ORDER, PENDING, PHOTO, PROMO
from tests.constants import PHONE_ID
from tests.helpers import connect_page, connect_whatsapp, customer_thread, run_worker, slack_fixture


@pytest.fixture
def whatsapp(rt, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    return rt


@pytest.fixture
def thread(client, rt, fake_slack, fake_graph) -> str:
    """+1 555 123 4567 wrote: their thread in #C_CONNECT (its root ts); the number has these templates, read from
    Meta already (as opening the modal does)."""
    ts = customer_thread(client, rt, fake_slack, fake_graph)
    fake_graph.templates = [dict(t) for t in (ORDER, PROMO, CODE, PHOTO, PENDING)]
    catalog.sync(rt, "T1")
    return ts


def submit(listener: Any, context: Any, web_client: Any, name: str, **changes: Any) -> dict[str, Any]:
    """The view_submission in `name`, changed by `changes`, handed to `listener`; returns what it acked."""
    ack = Recorder()
    body = slack_fixture(name, **changes)
    call(listener, ack=ack, body=body, view=body["view"], client=web_client, context=context)
    return ack.once


def working(answer: dict[str, Any]) -> bool:
    """The ack of a form that stays open while its job runs."""
    return answer["response_action"] == "update" and answer["view"]["blocks"][0]["text"]["text"] == \
        messages.MODAL_WORKING


def test_post_submitted_queues_the_post_and_checks_the_form(whatsapp, rt, context, web_client, fake_graph):
    connect_page(rt, fake_graph.issue_token("page", expires_in=0))
    before = len(fake_graph.posts["PAGE1"])
    assert submit(post_submitted, context, web_client, "views/post_modal.json", values={
        "message": {"value": {"value": "  "}}}) == {"response_action": "errors",
                                                    "errors": {"message": messages.POST_NO_MESSAGE}}
    assert working(submit(post_submitted, context, web_client, "views/post_modal.json"))
    assert len(fake_graph.posts["PAGE1"]) == before  # published by the worker, after the ack
    run_worker(rt)
    assert fake_graph.posts["PAGE1"][0]["message"] == "New jackets are in!"


def test_template_submitted_queues_the_template_and_checks_metas_rules(whatsapp, rt, context, web_client,
                                                                       fake_graph):
    refused = submit(template_submitted, context, web_client, "views/template_modal.json", values={
        "name": {"value": {"value": "Order Update"}}})
    assert refused["response_action"] == "errors" and set(refused["errors"]) == {"name"}
    assert working(submit(template_submitted, context, web_client, "views/template_modal.json"))
    run_worker(rt)
    assert [t["name"] for t in fake_graph.templates] == ["order_update"]


def test_webhook_submitted_closes_the_modal_and_queues_for_an_admin_only(whatsapp, rt, context, web_client):
    assert submit(webhook_submitted, context, web_client, "views/webhook_modal.json",
                  user={"id": "U_MEMBER"}) == {"response_action": "errors",
                                               "errors": {"whatsapp_business_account": messages.NOT_ALLOWED}}
    assert rt.queue.count == 0
    assert submit(webhook_submitted, context, web_client, "views/webhook_modal.json") == {}  # the modal closes
    assert rt.queue.count == 1
    assert rt.redis.exists(submissions.CLAIM_KEY.format(team="T1", view="V_WEBHOOK"))


def press_send_template(context: Any, web_client: Any, value: str, user: str = "U_ADMIN", home: str = "T1") -> Recorder:
    """`home`: the presser's own workspace (`user.team_id`; another one for a Slack Connect guest)."""
    ack, respond = Recorder(), Recorder()
    body = slack_fixture("actions/message_button.json", user={"id": user, "team_id": home},
                         action={"action_id": "template_send_open", "value": value})
    call(send_template_clicked, ack=ack, body=body, action=body["actions"][0], client=web_client, respond=respond,
         context=context)
    assert ack.once == {}
    return respond


def test_send_template_clicked_opens_the_modal_for_the_threads_customer(thread, context, web_client, fake_slack):
    button = send_template_button("C_CONNECT", thread)
    assert press_send_template(context, web_client, button["value"], user="U_MEMBER").once["text"] == \
        messages.NOT_ALLOWED
    assert press_send_template(context, web_client, "not-ours").once["text"] == messages.ACTION_NOT_VALID
    assert press_send_template(context, web_client, button["value"]).calls == []
    [view] = fake_slack.views
    assert view["callback_id"] == "send_template_modal" and "+15551234567" in json.dumps(view["blocks"][0])
    assert json.loads(view["private_metadata"])["thread"] == {"channel": "C_CONNECT", "thread_ts": thread}


def test_send_template_clicked_refuses_a_slack_connect_guest(thread, rt, context, web_client, fake_slack):
    permissions.set_admin(rt, "T1", "U_GUEST", True, "U_ADMIN")  # named an admin, yet a guest of another org
    button = send_template_button("C_CONNECT", thread)
    assert press_send_template(context, web_client, button["value"], user="U_GUEST", home="T_OTHER").once["text"] == \
        messages.BUTTON_GUEST
    assert fake_slack.views == []  # no modal: nothing can be sent from it


def thread_metadata(ts: str) -> str:
    return json.dumps({"team_id": "T1", "channel_id": "C_CONNECT", "thread": {"channel": "C_CONNECT",
                                                                              "thread_ts": ts}})


def test_send_template_chosen_shows_the_values_the_template_needs(thread, context, web_client, fake_slack):
    ack = Recorder()
    body = slack_fixture("actions/modal_select.json",
                         view={"callback_id": "send_template_modal", "private_metadata": thread_metadata(thread)},
                         action={"action_id": "template_send_choose", "block_id": "template",
                                 "selected_option": {"value": ORDER["id"]}})
    call(send_template_chosen, ack=ack, body=body, action=body["actions"][0], client=web_client, context=context)
    assert ack.once == {}
    [updated] = fake_slack.updates
    assert updated["view_id"] == "V1"
    inputs = [b["block_id"] for b in updated["view"]["blocks"] if b["type"] == "input"]
    assert inputs == ["template", "header_text", "body_1", "body_2", "body_3", "button_1"]
    other = slack_fixture("actions/modal_select.json", team={"id": "T2"},
                          view={"private_metadata": thread_metadata(thread)},
                          action={"action_id": "template_send_choose", "selected_option": {"value": ORDER["id"]}})
    call(send_template_chosen, ack=Recorder(), body=other, action=other["actions"][0], client=web_client,
         context=context)
    assert len(fake_slack.updates) == 1  # a view of another workspace: nothing read for it


def test_send_template_submitted_queues_the_send(thread, rt, context, web_client, fake_graph):
    answer = submit(send_template_submitted, context, web_client, "views/send_template_modal.json",
                    view={"private_metadata": thread_metadata(thread)}, values={"body_1": {"value": {"value": ""}}})
    assert answer["response_action"] == "errors" and set(answer["errors"]) == {"body_1"}
    answer = submit(send_template_submitted, context, web_client, "views/send_template_modal.json",
                    view={"id": "V_SEND_2", "private_metadata": thread_metadata(thread)})
    assert working(answer)
    run_worker(rt)
    [sent] = [s for s in fake_graph.sent if s.get("type") == "template"]
    assert sent["from"] == PHONE_ID and sent["to"] == "15551234567" and sent["template"]["name"] == "order_shipped"


def shortcut(context: Any, web_client: Any, **changes: Any) -> None:
    ack = Recorder()
    call(send_to_customer_shortcut, ack=ack, body=slack_fixture("shortcuts/message_action.json", **changes),
         client=web_client, context=context)
    assert ack.once == {}


def test_send_to_customer_shortcut_opens_the_customer_picker(thread, context, web_client, fake_slack):
    shortcut(context, web_client, type="shortcut")  # a global shortcut carries no message
    shortcut(context, web_client)
    notice, picker = fake_slack.views
    assert notice["blocks"][0]["text"]["text"] == messages.FORWARD_MESSAGES_ONLY
    assert picker["callback_id"] == "send_to_customer_modal"
    assert "Your parcel left the warehouse this morning." in json.dumps(picker["blocks"])
    [customer] = [b for b in picker["blocks"] if b.get("block_id") == "customer"]
    assert [o["text"]["text"] for o in customer["element"]["options"]] == ["Customer 4567 · +15551234567 (WhatsApp)"]


def test_send_to_customer_chosen_only_acks():
    ack = Recorder()
    send_to_customer_chosen(ack=ack)
    assert ack.once == {}


def test_send_to_customer_submitted_posts_in_the_thread_and_sends(thread, rt, context, web_client, fake_slack,
                                                                  fake_graph):
    shortcut(context, web_client)
    [picker] = fake_slack.views
    [customer] = [b for b in picker["blocks"] if b.get("block_id") == "customer"]
    [option] = customer["element"]["options"]
    ack = Recorder()
    forged = slack_fixture("views/send_to_customer.json", user={"id": "U_MEMBER"},
                           view={"private_metadata": json.dumps({**json.loads(picker["private_metadata"]),
                                                                 "team_id": "T2"})})
    call(send_to_customer_submitted, ack=ack, body=forged, view=forged["view"], context=context)
    assert ack.once == {"response_action": "errors", "errors": {"customer": messages.MODAL_NOT_THIS_TEAM}}
    ack = Recorder()
    body = slack_fixture("views/send_to_customer.json", user={"id": "U_MEMBER"},
                         view={"private_metadata": picker["private_metadata"]},
                         values={"customer": {"send_to_customer_choose": {"selected_option": option}}})
    call(send_to_customer_submitted, ack=ack, body=body, view=body["view"], context=context)
    assert ack.once == {}  # the modal closes
    [post] = [m for m in fake_slack.messages if m.get("thread_ts") == thread]
    assert "Your parcel left the warehouse this morning." in json.dumps(post["blocks"])
    run_worker(rt)
    assert [s["body"] for s in fake_graph.sent] == ["Your parcel left the warehouse this morning."]
