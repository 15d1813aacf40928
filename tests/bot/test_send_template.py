"""Templates from Slack (issue 13, point 1): `/meta send [+PHONE | BSUID]` and a thread's "Send template" button
open the modal; choosing a template shows the values it needs; the submission is checked the way Meta checks it,
sent once per view by the worker, and the sent template is posted in the customer's thread with its values."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import select

from metaops import messages
from metaops.conversation.buttons import TEMPLATE_SEND_OPEN, send_template_button
from store import customers
from store.models import ContactThread, OutboundMessage
from tests.constants import PHONE_ID
from tests.helpers import (
    connect_whatsapp,
    customer_thread,
    fixture,
    interact,
    post_webhook,
    run_worker,
    slash_command,
)

BSUID = "US.13491208655302741918"
ORDER = {"id": "800000000000001", "name": "order_shipped", "language": "en_US", "category": "UTILITY",
         "status": "APPROVED", "components": [
             {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}", "example": {"header_text": ["18273"]}},
             {"type": "BODY", "text": "Hi {{1}}, your order {{2}} ships on {{3}}.",
              "example": {"body_text": [["Ana", "18273", "Monday"]]}},
             {"type": "FOOTER", "text": "Acme"},
             {"type": "BUTTONS", "buttons": [
                 {"type": "QUICK_REPLY", "text": "Thanks"},
                 {"type": "URL", "text": "Track", "url": "https://acme.test/track/{{1}}",
                  "example": ["https://acme.test/track/abc"]}]}]}
PROMO = {"id": "800000000000002", "name": "spring_sale", "language": "pt_BR", "category": "MARKETING",
         "status": "APPROVED", "components": [{"type": "BODY", "text": "Sale: {{1}} off today only",
                                               "example": {"body_text": [["20%"]]}}]}
CODE = {"id": "800000000000003", "name": "login_code", "language": "en", "category": "AUTHENTICATION",
        "status": "APPROVED", "components": [
            {"type": "BODY", "text": "{{1}} is your verification code.", "example": {"body_text": [["123456"]]}},
            {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE", "text": "Copy code"}]}]}
PHOTO = {"id": "800000000000004", "name": "new_arrivals", "language": "en_US", "category": "UTILITY",
         "status": "APPROVED", "components": [{"type": "HEADER", "format": "IMAGE"},
                                              {"type": "BODY", "text": "New jackets are in."}]}
PENDING = {"id": "800000000000005", "name": "not_yet", "language": "en_US", "category": "UTILITY",
           "status": "PENDING", "components": [{"type": "BODY", "text": "Hello"}]}
# a coupon template: Meta lists a copy-code button with its example code; the code itself is given at send
COUPON = {"id": "800000000000006", "name": "fall_coupon", "language": "en_US", "category": "MARKETING",
          "status": "APPROVED", "components": [
              {"type": "BODY", "text": "Use code {{1}} for {{2}} off.", "example": {"body_text": [["FALL25", "25%"]]}},
              {"type": "BUTTONS", "buttons": [
                  {"type": "QUICK_REPLY", "text": "Stop promotions"},
                  {"type": "COPY_CODE", "text": "Copy offer code", "example": ["FALL25"]}]}]}
CODE_15 = "FALL25-ABCDEFGH"  # the longest coupon code Meta takes, 15 characters
ORDER_VALUES = {"header_text": "18273", "body_1": "Ana", "body_2": "18273", "body_3": "Monday", "button_1": "XYZ-9"}


@pytest.fixture
def thread(client, rt, fake_slack, fake_graph) -> str:
    """A customer (+1 555 123 4567) wrote: their thread in #C_CONNECT; the number has these templates."""
    ts = customer_thread(client, rt, fake_slack, fake_graph)
    fake_graph.templates = [dict(t) for t in (ORDER, PROMO, CODE, PHOTO, PENDING)]
    return ts


@pytest.fixture
def connected(rt, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    fake_graph.templates = [dict(t) for t in (ORDER, PROMO, CODE, PHOTO, PENDING)]
    return rt


def wait_for(items: list[Any], count: int = 1, timeout: float = 10.0) -> Any:
    """The `count`th item, waiting for work a listener does after its ack."""
    deadline = time.monotonic() + timeout
    while len(items) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(items) >= count
    return items[count - 1]


def press_thread_button(client, fake_slack, channel: str, ts: str, user: str = "U_ADMIN",
                        value: str | None = None) -> Any:
    button = send_template_button(channel, ts)
    assert button["action_id"] == TEMPLATE_SEND_OPEN and button["type"] == "button"
    return interact(client, {
        "type": "block_actions", "team": {"id": "T1"}, "user": {"id": user}, "api_app_id": "A1",
        "trigger_id": "1.2", "response_url": fake_slack.url + "/response", "channel": {"id": channel},
        "container": {"type": "message", "message_ts": ts}, "actions": [
            {**button, "block_id": "b", "value": button["value"] if value is None else value}]})


def choose(client, view: dict[str, Any], template_id: str, team: str = "T1") -> Any:
    state = {"values": {"template": {"template_send_choose": {
        "type": "static_select", "selected_option": {"value": template_id}}}}}
    return interact(client, {
        "type": "block_actions", "team": {"id": team}, "user": {"id": "U_ADMIN"}, "api_app_id": "A1",
        "trigger_id": "1.3", "container": {"type": "view", "view_id": "V1"},
        "view": {**view, "id": "V1", "hash": "h1", "state": state},
        "actions": [{"type": "static_select", "action_id": "template_send_choose", "block_id": "template",
                     "selected_option": {"value": template_id}}]})


def submit(client, view: dict[str, Any], template_id: str, values: dict[str, str], user: str = "U_ADMIN",
           view_id: str = "V1") -> Any:
    state: dict[str, Any] = {"template": {"template_send_choose": {"type": "static_select",
                                                                   "selected_option": {"value": template_id}}}}
    for key, value in values.items():
        state[key] = {"value": {"type": "plain_text_input", "value": value}}
    return interact(client, {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": user},
                             "api_app_id": "A1", "trigger_id": "1.4",
                             "view": {**view, "id": view_id, "state": {"values": state}}})


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def errors(r: Any) -> dict[str, str]:
    body = r.get_json()
    assert body["response_action"] == "errors", body
    return dict(body["errors"])


def test_thread_button_modal_fields_and_exact_components(client, rt, thread, fake_slack, fake_graph):
    r = press_thread_button(client, fake_slack, "C_CONNECT", thread)
    assert r.status_code == 200
    view = wait_for(fake_slack.views)
    assert view["callback_id"] == "send_template_modal"
    assert "+15551234567" in json.dumps(view["blocks"][0])  # whom it goes to, no recipient input
    picker = inputs(view)["template"]
    assert picker["dispatch_action"] is True
    labels = [o["text"]["text"] for o in picker["element"]["options"]]
    assert labels == ["login_code · en · AUTHENTICATION", "new_arrivals · en_US · UTILITY",
                      "order_shipped · en_US · UTILITY", "spring_sale · pt_BR · MARKETING"]  # APPROVED only
    assert json.loads(view["private_metadata"])["thread"] == {"channel": "C_CONNECT", "thread_ts": thread}

    choose(client, view, ORDER["id"])
    updated = wait_for(fake_slack.updates)
    assert updated["view_id"] == "V1"
    fields = inputs(updated["view"])
    assert list(fields) == ["template", "header_text", "body_1", "body_2", "body_3", "button_1"]
    assert fields["template"]["element"]["initial_option"]["value"] == ORDER["id"]
    assert fields["header_text"]["hint"]["text"] == "Example: 18273"
    assert [fields[f"body_{i}"]["hint"]["text"] for i in (1, 2, 3)] == \
        ["Example: Ana", "Example: 18273", "Example: Monday"]
    assert "https://acme.test/track/{{1}}" in fields["button_1"]["hint"]["text"]

    r = submit(client, updated["view"], ORDER["id"], ORDER_VALUES)
    assert r.get_json()["response_action"] == "update"  # the working view while the job runs
    run_worker(rt)
    [sent] = [s for s in fake_graph.sent if s.get("type") == "template"]
    assert sent["from"] == PHONE_ID and sent["to"] == "15551234567" and "recipient" not in sent
    assert sent["template"] == {"name": "order_shipped", "language": {"code": "en_US"}, "components": [
        {"type": "header", "parameters": [{"type": "text", "text": "18273"}]},
        {"type": "body", "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "18273"},
                                        {"type": "text", "text": "Monday"}]},
        {"type": "button", "sub_type": "url", "index": "1", "parameters": [{"type": "text", "text": "XYZ-9"}]}]}
    [post] = [m for m in fake_slack.messages if m.get("thread_ts") == thread]
    assert "order_shipped" in post["text"] and "<@U_ADMIN>" in post["text"]
    assert "*Order 18273*" in post["text"] and "Hi Ana, your order 18273 ships on Monday." in post["text"]
    assert "https://acme.test/track/XYZ-9" in post["text"] and "[Thanks]" in post["text"]
    with rt.db.session() as s:  # statuses of the sent template answer in this thread
        out = s.scalars(select(OutboundMessage)).one()
        assert (out.channel_id, out.thread_ts, out.slack_ts) == ("C_CONNECT", thread, post["ts"])
    outcome = wait_for(fake_slack.ephemerals)
    assert "order_shipped was sent" in outcome["text"]


def test_marketing_refused_for_opted_out_customer(client, rt, thread, fake_slack, fake_graph):
    customers.set_marketing_opt_out(rt.db.engine, PHONE_ID, customers.Seen(phone="15551234567"), True)
    press_thread_button(client, fake_slack, "C_CONNECT", thread)
    view = wait_for(fake_slack.views)
    assert errors(submit(client, view, PROMO["id"], {"body_1": "20%"})) == {"template": messages.SEND_OPTED_OUT}
    run_worker(rt)
    assert not [s for s in fake_graph.sent if s.get("type") == "template"]
    # a utility template still goes
    assert submit(client, view, ORDER["id"], ORDER_VALUES).get_json()["response_action"] == "update"
    run_worker(rt)
    assert [s["template"]["name"] for s in fake_graph.sent if s.get("type") == "template"] == ["order_shipped"]


def test_opt_out_after_submission_is_refused_by_the_job(client, rt, thread, fake_slack, fake_graph):
    press_thread_button(client, fake_slack, "C_CONNECT", thread)
    view = wait_for(fake_slack.views)
    assert submit(client, view, PROMO["id"], {"body_1": "20%"}).get_json()["response_action"] == "update"
    customers.set_marketing_opt_out(rt.db.engine, PHONE_ID, customers.Seen(phone="15551234567"), True)
    run_worker(rt)
    assert not [s for s in fake_graph.sent if s.get("type") == "template"]
    shown = json.dumps(fake_slack.updates[-1]["view"])
    assert "stop marketing messages" in shown and '"submit"' in shown  # the form again, with the reason


def test_send_to_a_new_phone_creates_the_thread(client, rt, connected, fake_slack, fake_graph):
    r = slash_command(client, "send +1 (555) 987-6543", user="U_ADMIN", channel="C_WORK")
    assert r.status_code == 200
    [view] = fake_slack.views
    assert "+15559876543" in json.dumps(view["blocks"][0]) and "to" not in inputs(view)
    assert json.loads(view["private_metadata"])["phone"] == "15559876543"
    assert submit(client, view, ORDER["id"], ORDER_VALUES).get_json()["response_action"] == "update"
    run_worker(rt)
    [sent] = [s for s in fake_graph.sent if s.get("type") == "template"]
    assert sent["to"] == "15559876543"
    [root] = [m for m in fake_slack.messages if "order_shipped" in m["text"]]
    assert root["channel"] == "C_CONNECT" and "thread_ts" not in root  # the new thread's root, in `messages`
    # the root names whom the thread is with, first, as a customer's own first message does
    assert root["text"].startswith("+15559876543: :outbox_tray: <@U_ADMIN> sent the template *order_shipped*")
    assert lines(root)[:2] == ["+15559876543", messages.SEND_POSTED.format(
        user="U_ADMIN", name="order_shipped", language="en_US", category="UTILITY")]
    with rt.db.session() as s:
        t = s.scalars(select(ContactThread)).one()
        assert (t.channel_id, t.root_ts, t.business_id) == ("C_CONNECT", root["ts"], PHONE_ID)
        customer = customers.from_thread_key(rt.db.engine, t.contact)
        assert customer is not None and customer.phone == "15559876543"
    assert "<#C_CONNECT>" in fake_slack.ephemerals[-1]["text"] and fake_slack.ephemerals[-1]["channel"] == "C_WORK"


def lines(post: dict[str, Any]) -> list[str]:
    """The lines of a post's first block, as Slack shows them."""
    return str(post["blocks"][0]["text"]["text"]).split("\n")


def test_a_new_thread_names_a_known_customer_by_name_username_and_phone(client, rt, connected, fake_slack,
                                                                         fake_graph):
    jane = fixture("whatsapp/text_with_bsuid.json")
    jane["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["username"] = "@janedoe"
    post_webhook(client, jane)  # Jane wrote: her thread is in #C_CONNECT ...
    run_worker(rt)
    routed = slash_command(client, "route messages <#C_PUBLIC|support>", user="U_ADMIN")
    assert "<#C_PUBLIC>" in routed.get_json()["text"]
    fake_slack.reset()  # ... and customer messages now go to #C_PUBLIC, where she has no thread yet
    slash_command(client, "send +1 555 123 4567", user="U_ADMIN")
    [view] = fake_slack.views
    assert submit(client, view, ORDER["id"], ORDER_VALUES).get_json()["response_action"] == "update"
    run_worker(rt)
    [root] = fake_slack.messages
    assert root["channel"] == "C_PUBLIC" and "thread_ts" not in root
    assert lines(root)[0] == "*Jane Doe* @janedoe +15551234567"
    assert root["text"].startswith("Jane Doe @janedoe +15551234567: :outbox_tray: <@U_ADMIN> sent the template")
    assert "Hi Ana, your order 18273 ships on Monday." in root["text"]


def test_sending_to_a_customer_with_a_thread_posts_in_it(client, rt, thread, fake_slack, fake_graph):
    slash_command(client, "send +15551234567", user="U_ADMIN")
    [view] = fake_slack.views
    assert submit(client, view, ORDER["id"], ORDER_VALUES).get_json()["response_action"] == "update"
    run_worker(rt)
    [post] = fake_slack.messages
    assert post["thread_ts"] == thread  # the thread keeps its root (the customer's message): no second one
    assert lines(post)[0] == messages.SEND_POSTED.format(user="U_ADMIN", name="order_shipped", language="en_US",
                                                         category="UTILITY")
    assert fake_slack.edits == []
    with rt.db.session() as s:
        assert s.scalars(select(ContactThread.root_ts)).all() == [thread]


def test_send_to_a_bsuid_uses_recipient(client, rt, connected, fake_slack, fake_graph):
    slash_command(client, f"send {BSUID}", user="U_ADMIN")
    [view] = fake_slack.views
    assert BSUID in json.dumps(view["blocks"][0])
    # authentication templates cannot go to a BSUID (Meta's 131062): refused before anything is sent
    assert errors(submit(client, view, CODE["id"], {"body_1": "123456"})) == {"template": messages.SEND_AUTH_BSUID}
    assert submit(client, view, PROMO["id"], {"body_1": "20%"}).get_json()["response_action"] == "update"
    run_worker(rt)
    [sent] = [s for s in fake_graph.sent if s.get("type") == "template"]
    assert sent["recipient"] == BSUID and sent["to"] is None
    assert sent["template"] == {"name": "spring_sale", "language": {"code": "pt_BR"}, "components": [
        {"type": "body", "parameters": [{"type": "text", "text": "20%"}]}]}
    with rt.db.session() as s:
        customer = customers.from_thread_key(rt.db.engine, s.scalars(select(ContactThread)).one().contact)
    assert customer is not None and customer.bsuid == BSUID and customer.phone is None
    [root] = [m for m in fake_slack.messages if "spring_sale" in m["text"]]
    assert lines(root)[0] == f"`{BSUID}`"  # nothing else names this customer yet


def test_authentication_template_to_a_phone_carries_the_code(client, rt, thread, fake_slack, fake_graph):
    press_thread_button(client, fake_slack, "C_CONNECT", thread)
    view = wait_for(fake_slack.views)
    assert submit(client, view, CODE["id"], {"body_1": "482913"}).get_json()["response_action"] == "update"
    run_worker(rt)
    [sent] = [s for s in fake_graph.sent if s.get("type") == "template"]
    assert sent["template"]["components"] == [
        {"type": "body", "parameters": [{"type": "text", "text": "482913"}]},
        {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "482913"}]}]


def test_without_recipient_the_modal_asks_for_one(client, rt, connected, fake_slack, fake_graph):
    slash_command(client, "send", user="U_ADMIN")
    [view] = fake_slack.views
    assert "to" in inputs(view) and "private_metadata" in view
    choose(client, view, PROMO["id"])
    updated = wait_for(fake_slack.updates)["view"]
    assert list(inputs(updated)) == ["to", "template", "body_1"]
    assert errors(submit(client, updated, PROMO["id"], {"to": "hello", "body_1": "20%"}))["to"] == \
        messages.SEND_BAD_RECIPIENT.format(value="hello")
    assert submit(client, updated, PROMO["id"], {"to": "+44 7700 900123", "body_1": "20%"}) \
        .get_json()["response_action"] == "update"
    run_worker(rt)
    [sent] = [s for s in fake_graph.sent if s.get("type") == "template"]
    assert sent["to"] == "447700900123"


def test_values_checked_like_meta(client, rt, thread, fake_slack, fake_graph):
    press_thread_button(client, fake_slack, "C_CONNECT", thread)
    choose(client, wait_for(fake_slack.views), ORDER["id"])
    view = wait_for(fake_slack.updates)["view"]
    bad = {**ORDER_VALUES, "header_text": "x" * 60, "body_1": "", "body_2": "two\nlines",
           "body_3": "too     many spaces", "button_1": "has space"}
    found = errors(submit(client, view, ORDER["id"], bad))
    assert found == {"header_text": messages.SEND_HEADER_LONG.format(limit=60),
                     "body_1": messages.SEND_VALUE_MISSING, "body_2": messages.SEND_PARAMETER_SPACES,
                     "body_3": messages.SEND_PARAMETER_SPACES, "button_1": messages.SEND_URL_SPACES}
    assert errors(submit(client, view, PENDING["id"], {}))["template"] == \
        messages.SEND_NOT_APPROVED.format(name="not_yet", status="PENDING")
    assert errors(submit(client, view, "999", {}))["template"] == messages.SEND_TEMPLATE_GONE
    run_worker(rt)
    assert not [s for s in fake_graph.sent if s.get("type") == "template"]


def test_copy_code_button_takes_a_coupon_code(client, rt, thread, fake_slack, fake_graph):
    fake_graph.templates.append(dict(COUPON))
    press_thread_button(client, fake_slack, "C_CONNECT", thread)
    choose(client, wait_for(fake_slack.views), COUPON["id"])
    view = wait_for(fake_slack.updates)["view"]
    fields = inputs(view)
    assert list(fields) == ["template", "body_1", "body_2", "coupon_code"]
    assert fields["coupon_code"]["label"]["text"] == "Coupon code (“Copy offer code” button)"
    assert fields["coupon_code"]["hint"]["text"] == \
        messages.SEND_COUPON_HINT.format(limit=15) + " · " + messages.SEND_EXAMPLE_HINT.format(example="FALL25")
    assert len(CODE_15) == 15
    r = submit(client, view, COUPON["id"], {"body_1": CODE_15, "body_2": "25%", "coupon_code": CODE_15})
    assert r.get_json()["response_action"] == "update"
    run_worker(rt)
    [sent] = [s for s in fake_graph.sent if s.get("type") == "template"]
    assert sent["template"] == {"name": "fall_coupon", "language": {"code": "en_US"}, "components": [
        {"type": "body", "parameters": [{"type": "text", "text": CODE_15}, {"type": "text", "text": "25%"}]},
        {"type": "button", "sub_type": "copy_code", "index": "1",
         "parameters": [{"type": "coupon_code", "coupon_code": CODE_15}]}]}
    [post] = [m for m in fake_slack.messages if m.get("thread_ts") == thread]
    assert f"Use code {CODE_15} for 25% off." in post["text"]
    assert f"[Copy offer code] {CODE_15}" in post["text"] and "[Stop promotions]" in post["text"]


@pytest.mark.parametrize(("code", "problem"), [
    ("", messages.SEND_VALUE_MISSING),
    ("   ", messages.SEND_VALUE_MISSING),
    (CODE_15 + "X", messages.SEND_COUPON_LONG.format(limit=15, given=16)),
    ("FALL 25", messages.SEND_COUPON_SPACES),
])
def test_coupon_code_checked_under_its_field(client, rt, thread, fake_slack, fake_graph, code, problem):
    fake_graph.templates.append(dict(COUPON))
    press_thread_button(client, fake_slack, "C_CONNECT", thread)
    choose(client, wait_for(fake_slack.views), COUPON["id"])
    view = wait_for(fake_slack.updates)["view"]
    found = errors(submit(client, view, COUPON["id"], {"body_1": "FALL25", "body_2": "25%", "coupon_code": code}))
    assert found == {"coupon_code": problem}
    assert "coupon_code" in inputs(view)  # the error shows under the field itself
    run_worker(rt)
    assert not [s for s in fake_graph.sent if s.get("type") == "template"]


def test_media_header_from_a_slack_file(client, rt, thread, fake_slack, fake_graph):
    fake_slack.share_file("F0PIC1234", "jackets.png", "image/png", b"\x89PNG jackets" * 50)
    fake_slack.share_file("F0DOC1234", "terms.pdf", "application/pdf", b"%PDF-1.4 terms")
    press_thread_button(client, fake_slack, "C_CONNECT", thread)
    view = wait_for(fake_slack.views)
    choose(client, view, PHOTO["id"])
    updated = wait_for(fake_slack.updates)["view"]
    assert list(inputs(updated)) == ["template", "header_media"]
    assert errors(submit(client, updated, PHOTO["id"], {"header_media": "not a file"})) == \
        {"header_media": messages.SEND_MEDIA_MISSING}
    assert errors(submit(client, updated, PHOTO["id"], {"header_media": "F0DOC1234"})) == {
        "header_media": messages.SEND_MEDIA_TYPE.format(kind="image", types="image/jpeg, image/png",
                                                        mime="application/pdf")}
    assert errors(submit(client, updated, PHOTO["id"], {"header_media": "F0GONE123"})) == \
        {"header_media": messages.SEND_MEDIA_UNREADABLE}
    link = "https://acme.slack.com/files/U_ADMIN/F0PIC1234/jackets.png"
    assert submit(client, updated, PHOTO["id"], {"header_media": link}).get_json()["response_action"] == "update"
    run_worker(rt)
    assert fake_slack.downloads == ["F0PIC1234"]  # read with the bot token
    [(media_id, upload)] = fake_graph.uploads.items()
    assert upload["from"] == PHONE_ID and upload["mime_type"] == "image/png"
    assert upload["bytes"] == b"\x89PNG jackets" * 50
    [sent] = [s for s in fake_graph.sent if s.get("type") == "template"]
    assert sent["template"]["components"] == [
        {"type": "header", "parameters": [{"type": "image", "image": {"id": media_id}}]}]
    [post] = [m for m in fake_slack.messages if m.get("thread_ts") == thread]
    assert "[image: jackets.png]" in post["text"] and "New jackets are in." in post["text"]


def test_another_members_file_from_another_channel_is_refused(client, rt, thread, fake_slack, fake_graph):
    """Issue 20: the bot reads files of every channel it is in; a file typed in the form is used only when the
    submitter owns it or it is shared in the form's channel (the thread's, #C_CONNECT)."""
    fake_slack.share_file("F0SECRET1", "payroll.png", "image/png", b"\x89PNG secret" * 20, user="U_OTHER",
                          channels=(), groups=("G_PRIVATE",))
    press_thread_button(client, fake_slack, "C_CONNECT", thread)
    choose(client, wait_for(fake_slack.views), PHOTO["id"])
    updated = wait_for(fake_slack.updates)["view"]
    link = "https://acme.slack.com/files/U_OTHER/F0SECRET1/payroll.png"
    assert errors(submit(client, updated, PHOTO["id"], {"header_media": link})) == \
        {"header_media": messages.SEND_MEDIA_NOT_YOURS}
    run_worker(rt)
    assert fake_slack.downloads == [] and fake_graph.uploads == {}
    assert not [s for s in fake_graph.sent if s.get("type") == "template"]


@pytest.mark.parametrize("owner, channels", [("U_ADMIN", ("C_ELSEWHERE",)), ("U_OTHER", ("C_CONNECT",))])
def test_own_file_or_one_shared_in_the_forms_channel_is_sent(client, rt, thread, fake_slack, fake_graph, owner,
                                                            channels):
    fake_slack.share_file("F0PIC5678", "jackets.png", "image/png", b"\x89PNG jackets" * 50, user=owner,
                          channels=channels)
    press_thread_button(client, fake_slack, "C_CONNECT", thread)
    choose(client, wait_for(fake_slack.views), PHOTO["id"])
    updated = wait_for(fake_slack.updates)["view"]
    assert submit(client, updated, PHOTO["id"], {"header_media": "F0PIC5678"}).get_json()["response_action"] == \
        "update"
    run_worker(rt)
    assert fake_slack.downloads == ["F0PIC5678"]
    assert len([s for s in fake_graph.sent if s.get("type") == "template"]) == 1


def test_a_file_the_bot_cannot_see_is_not_found(client, rt, thread, fake_slack, fake_graph):
    fake_slack.share_file("F0NOWHERE", "a.png", "image/png", b"\x89PNG", channels=())  # shared nowhere the bot is
    press_thread_button(client, fake_slack, "C_CONNECT", thread)
    choose(client, wait_for(fake_slack.views), PHOTO["id"])
    updated = wait_for(fake_slack.updates)["view"]
    assert errors(submit(client, updated, PHOTO["id"], {"header_media": "F0NOWHERE"})) == \
        {"header_media": messages.SEND_MEDIA_UNREADABLE}


def test_meta_refusal_shown_and_a_view_sends_once(client, rt, thread, fake_slack, fake_graph):
    press_thread_button(client, fake_slack, "C_CONNECT", thread)
    view = wait_for(fake_slack.views)
    fake_graph.templates = [t for t in fake_graph.templates if t["id"] != ORDER["id"]]  # deleted at Meta meanwhile
    assert submit(client, view, ORDER["id"], ORDER_VALUES).get_json()["response_action"] == "update"
    run_worker(rt)
    assert not [s for s in fake_graph.sent if s.get("type") == "template"]
    assert "132001" in json.dumps(fake_slack.updates[-1]["view"]) or \
        "Template name does not exist" in json.dumps(fake_slack.updates[-1]["view"])
    # refused: the same view may be sent again, and goes once however often it is submitted
    fake_graph.templates.append(dict(ORDER))
    for _ in range(2):
        submit(client, view, ORDER["id"], ORDER_VALUES)
    run_worker(rt)
    assert len([s for s in fake_graph.sent if s.get("type") == "template"]) == 1


def test_non_admin_refused(client, rt, thread, fake_slack, fake_graph):
    r = slash_command(client, "send +15559876543", user="U_MEMBER")
    assert r.get_json()["text"] == messages.NOT_ALLOWED
    press_thread_button(client, fake_slack, "C_CONNECT", thread, user="U_MEMBER")
    [answer] = fake_slack.responses()
    assert answer["text"] == messages.NOT_ALLOWED
    assert not fake_slack.views
    # an admin opened it, then lost the right: refused at submission
    press_thread_button(client, fake_slack, "C_CONNECT", thread)
    view = wait_for(fake_slack.views)
    assert errors(submit(client, view, ORDER["id"], ORDER_VALUES, user="U_MEMBER")) == \
        {"template": messages.NOT_ALLOWED}
    run_worker(rt)
    assert not [s for s in fake_graph.sent if s.get("type") == "template"]


def test_bad_buttons_and_commands(client, rt, thread, fake_slack, fake_graph):
    press_thread_button(client, fake_slack, "C_CONNECT", thread, value="not json")
    assert fake_slack.responses()[-1]["text"] == messages.ACTION_NOT_VALID
    fake_slack.reset()
    press_thread_button(client, fake_slack, "C_CONNECT", "1700000000.424242")  # no such thread
    assert fake_slack.responses()[-1]["text"] == messages.SEND_NOT_A_THREAD
    r = slash_command(client, "send 12ab", user="U_ADMIN")
    assert r.get_json()["text"] == messages.SEND_BAD_RECIPIENT.format(value="12ab")
    assert not fake_slack.views
    # a view whose metadata names another workspace is refused; its template choice reads nothing
    press_thread_button(client, fake_slack, "C_CONNECT", thread)
    view = wait_for(fake_slack.views)
    forged = {**view, "private_metadata": json.dumps({**json.loads(view["private_metadata"]), "team_id": "T2"})}
    assert errors(submit(client, forged, ORDER["id"], ORDER_VALUES)) == {"template": messages.MODAL_NOT_THIS_TEAM}
    choose(client, forged, ORDER["id"])
    choose(client, view, PROMO["id"])  # queued after it: once this one is updated, the forged one was handled
    assert wait_for(fake_slack.updates)["view"]["blocks"][1]["element"]["initial_option"]["value"] == PROMO["id"]
    assert len(fake_slack.updates) == 1


def test_help_lists_send(client):
    assert "`/meta send [+PHONE | BSUID]`" in slash_command(client, "help").get_json()["text"]
