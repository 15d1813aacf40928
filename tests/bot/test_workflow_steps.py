"""Workflow Builder steps (issue 14, point 5): signed `function_executed` events as Slack sends them run the
"Send WhatsApp template" and "Publish Page post" steps in the worker, which completes each execution with its own
token: `functions.completeSuccess` with the outputs, or `functions.completeError` with words a person can act on."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from integrations.slack import functions
from metaops import manifest, messages
from metaops.surfaces import workflow_steps
from store import customers
from store.models import MetaConnection, OutboundMessage
from tests.bot.test_send_template import BSUID, CODE, CODE_15, COUPON, ORDER, PHOTO, PROMO
from tests.constants import PHONE_ID
from tests.fakes.meta_graph import graph_error
from tests.fakes.slack_api import BOT_TOKEN
from tests.helpers import (
    connect_page,
    connect_whatsapp,
    post_webhook,
    run_worker,
    slack_event,
    slash_command,
    wa_message,
    wa_payload,
)

_executions = itertools.count(1)
SEND_PARAMETERS = ("number", "recipient", "template", "language", "variables", "allow_paid")
POST_PARAMETERS = ("page", "message", "link")


def function_executed(client: Any, fake_slack: Any, callback_id: str, inputs: dict[str, Any],
                      execution_id: str | None = None, retry: int | None = None, queued: bool = True) -> str:
    """The event Slack sends when a workflow reaches the step (shaped after Slack's `function_executed`), signed;
    returns the execution id once Bolt's listener, which runs after the acknowledgement, has queued its job."""
    execution_id = execution_id or f"Fx{next(_executions):010d}"
    token = fake_slack.function_tokens.get(execution_id) or fake_slack.function_execution(execution_id)
    params = SEND_PARAMETERS if callback_id == workflow_steps.SEND_TEMPLATE else POST_PARAMETERS
    event = {
        "type": "function_executed",
        "function": {"id": "Fn0123456789", "callback_id": callback_id, "title": callback_id, "description": "",
                     "type": "app", "app_id": "A1", "date_created": 1700000000, "date_updated": 1700000000,
                     "date_deleted": 0,
                     "input_parameters": [{"type": "boolean" if p == "allow_paid" else "string", "name": p, "title": p,
                                           "is_required": False}
                                          for p in params],
                     "output_parameters": []},
        "inputs": inputs,
        "function_execution_id": execution_id,
        "workflow_execution_id": "Wx0123456789",
        "event_ts": "1700000000.000100",
        "bot_access_token": token,
    }
    r = slack_event(client, event, event_id=f"Ev{execution_id}", retry=retry)
    assert r.status_code == 200
    if queued:
        rt = client.application.extensions["metaops"]
        key = workflow_steps.CLAIM_KEY.format(execution=execution_id)
        wait(lambda: rt.redis.get(key) is not None and rt.queue.count > 0 or any(
            c["function_execution_id"] == execution_id for c in fake_slack.completions))
    return execution_id


def wait(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.02)
    assert predicate()


def templates_sent(fake_graph: Any) -> list[dict[str, Any]]:
    return [s for s in fake_graph.sent if s.get("type") == "template"]


@pytest.fixture
def whatsapp(rt, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    fake_graph.templates = [dict(t) for t in (ORDER, PROMO, CODE, PHOTO, COUPON)]
    return rt


def test_manifest_declares_the_steps_the_app_listens_to():
    text = manifest.render("https://ops.example.test")
    assert "- function_executed" in text and "org_deploy_enabled: true" in text and "function_runtime: remote" in text
    functions = text.split("\nfunctions:", 1)[1]
    for callback_id, params, outputs in ((workflow_steps.SEND_TEMPLATE, SEND_PARAMETERS,
                                          ("message_id", "status", "billing", "billing_note")),
                                         (workflow_steps.PUBLISH_POST, POST_PARAMETERS, ("post_id", "post_url"))):
        assert f"\n  {callback_id}:\n" in functions
        block = functions.split(f"\n  {callback_id}:\n", 1)[1].split("\n  publish_page_post:")[0]
        for name in params + outputs:
            assert f"name: {name}\n" in block + "\n"


def test_send_template_step_completes_with_the_message_id(client, whatsapp, fake_slack, fake_graph):
    execution = function_executed(client, fake_slack, workflow_steps.SEND_TEMPLATE, {
        "number": "+1 555-078-3881", "recipient": "+1 (555) 123-4567", "template": "order_shipped",
        "variables": "18273, Ana, 18273, Monday, XYZ-9"})
    assert not fake_slack.completions  # acknowledged at once; the worker does the rest
    run_worker(whatsapp)
    [sent] = templates_sent(fake_graph)
    assert sent["from"] == PHONE_ID and sent["to"] == "15551234567"
    assert sent["template"] == {"name": "order_shipped", "language": {"code": "en_US"}, "components": [
        {"type": "header", "parameters": [{"type": "text", "text": "18273"}]},
        {"type": "body", "parameters": [{"type": "text", "text": t} for t in ("Ana", "18273", "Monday")]},
        {"type": "button", "sub_type": "url", "index": "1", "parameters": [{"type": "text", "text": "XYZ-9"}]}]}
    done = fake_slack.wait_for_completion()
    assert done["kind"] == "success" and done["function_execution_id"] == execution
    assert done["token"] == fake_slack.function_tokens[execution]  # the execution's own token, not the bot's
    assert done["outputs"]["status"] == "accepted" and done["outputs"]["message_id"].startswith("wamid.")
    # the team sees it in the customer's (new) thread, as /meta send shows it
    [root] = [m for m in fake_slack.messages if "order_shipped" in m["text"]]
    assert root["channel"] == "C_CONNECT" and "thread_ts" not in root
    assert root["text"].startswith("+15551234567: :outbox_tray: A workflow sent the template *order_shipped*")
    assert "Hi Ana, your order 18273 ships on Monday." in root["text"]
    with whatsapp.db.session() as s:
        assert s.get(OutboundMessage, done["outputs"]["message_id"]).channel_id == "C_CONNECT"


def test_send_template_step_takes_a_list_and_the_number_id_and_runs_once(client, whatsapp, fake_slack, fake_graph):
    inputs = {"number": PHONE_ID, "recipient": BSUID, "template": "spring_sale", "language": "pt_BR",
              "variables": ["20%, today"]}
    execution = function_executed(client, fake_slack, workflow_steps.SEND_TEMPLATE, inputs)
    function_executed(client, fake_slack, workflow_steps.SEND_TEMPLATE, inputs, execution_id=execution, retry=1)
    run_worker(whatsapp)
    [sent] = templates_sent(fake_graph)  # Slack's redelivery of the same execution sends nothing again
    assert sent["recipient"] == BSUID and sent["to"] is None
    assert sent["template"]["components"] == [{"type": "body", "parameters": [{"type": "text", "text": "20%, today"}]}]
    [done] = fake_slack.completions
    assert done["kind"] == "success" and done["function_execution_id"] == execution


@pytest.mark.parametrize(("inputs", "expected"), [
    ({"recipient": "+15551234567", "template": "no_such_template", "variables": ""},
     "No approved template *no_such_template*"),
    ({"recipient": "+15551234567", "template": "order_shipped", "language": "de", "variables": "1,2,3,4,5"},
     "No approved template *order_shipped* (de)"),
    ({"recipient": "+15551234567", "template": "", "variables": ""}, messages.STEP_TEMPLATE_MISSING),
    ({"recipient": "not a phone", "template": "order_shipped", "variables": ""}, "is neither a phone number"),
    ({"number": "+1 555 000 0000", "recipient": "+15551234567", "template": "order_shipped"},
     "is not a WhatsApp number of this workspace"),
    ({"recipient": "+15551234567", "template": "order_shipped", "variables": "18273, Ana"},
     "takes 5 value(s) (header {{1}}, body {{1}}, body {{2}}, body {{3}}, button “Track” link ending)"),
    ({"recipient": "+15551234567", "template": "order_shipped", "variables": "18273, Ana, , Monday, XYZ 9"},
     f"body {{{{2}}}}: {messages.SEND_VALUE_MISSING}"),
    ({"recipient": "+15551234567", "template": "order_shipped", "variables": {"a": 1}}, messages.STEP_VARIABLES_BAD),
    ({"recipient": "+15551234567", "template": "new_arrivals", "variables": ""}, "has a image header"),
    ({"recipient": BSUID, "template": "login_code", "variables": "123456"}, messages.SEND_AUTH_BSUID),
    # a copy-code button's coupon code comes last, and is checked like the modal checks it
    ({"recipient": "+15551234567", "template": "fall_coupon", "variables": "FALL25, 25%"},
     "takes 3 value(s) (body {{1}}, body {{2}}, copy-code button coupon code)"),
    ({"recipient": "+15551234567", "template": "fall_coupon", "variables": ["FALL25", "25%", ""]},
     f"copy-code button coupon code: {messages.SEND_VALUE_MISSING}"),
    ({"recipient": "+15551234567", "template": "fall_coupon", "variables": f"FALL25, 25%, {CODE_15}X"},
     f"copy-code button coupon code: {messages.SEND_COUPON_LONG.format(limit=15, given=16)}"),
    ({"recipient": "+15551234567", "template": "fall_coupon", "variables": ["FALL25", "25%", "FALL 25"]},
     f"copy-code button coupon code: {messages.SEND_COUPON_SPACES}"),
])
def test_send_template_step_fails_with_the_reason(client, whatsapp, fake_slack, fake_graph, inputs, expected):
    execution = function_executed(client, fake_slack, workflow_steps.SEND_TEMPLATE, inputs)
    run_worker(whatsapp)
    done = fake_slack.wait_for_completion()
    assert done["kind"] == "error" and done["function_execution_id"] == execution
    assert expected in done["error"]
    assert not templates_sent(fake_graph)


def test_send_template_step_fills_the_copy_code_button(client, whatsapp, fake_slack, fake_graph):
    function_executed(client, fake_slack, workflow_steps.SEND_TEMPLATE, {
        "recipient": "+15551234567", "template": "fall_coupon", "variables": f"FALL25, 25%, {CODE_15}"})
    run_worker(whatsapp)
    [sent] = templates_sent(fake_graph)
    assert sent["template"] == {"name": "fall_coupon", "language": {"code": "en_US"}, "components": [
        {"type": "body", "parameters": [{"type": "text", "text": "FALL25"}, {"type": "text", "text": "25%"}]},
        {"type": "button", "sub_type": "copy_code", "index": "1",
         "parameters": [{"type": "coupon_code", "coupon_code": CODE_15}]}]}
    assert fake_slack.wait_for_completion()["kind"] == "success"
    [root] = [m for m in fake_slack.messages if "fall_coupon" in m["text"]]
    assert f"[Copy offer code] {CODE_15}" in root["text"]


def test_send_template_step_fails_for_an_opted_out_customer(client, whatsapp, fake_slack, fake_graph):
    customers.resolve(whatsapp.db.engine, PHONE_ID, customers.Seen(phone="15551234567"))
    customers.set_marketing_opt_out(whatsapp.db.engine, PHONE_ID, customers.Seen(phone="15551234567"), True)
    function_executed(client, fake_slack, workflow_steps.SEND_TEMPLATE, {
        "recipient": "+15551234567", "template": "spring_sale", "variables": "20%"})
    run_worker(whatsapp)
    assert fake_slack.wait_for_completion() | {"token": ""} == {
        "kind": "error", "function_execution_id": fake_slack.completions[0]["function_execution_id"],
        "error": messages.SEND_OPTED_OUT, "token": ""}
    assert not templates_sent(fake_graph)
    # a UTILITY template still reaches them
    function_executed(client, fake_slack, workflow_steps.SEND_TEMPLATE, {
        "recipient": "+15551234567", "template": "order_shipped", "variables": "1, Ana, 2, Monday, X"})
    run_worker(whatsapp)
    assert fake_slack.wait_for_completion(2)["kind"] == "success" and len(templates_sent(fake_graph)) == 1


def test_send_template_step_refuses_marketing_to_an_opted_out_customer_named_by_bsuid(client, whatsapp, fake_slack,
                                                                                     fake_graph):
    """Issue 20: the step refuses what `/meta send` refuses, by the same check, whichever way the workflow names the
    customer: here by the BSUID of a customer who opted out of marketing (and whose phone is known)."""
    seen = customers.Seen(bsuid=BSUID, phone="15551234567")
    customers.resolve(whatsapp.db.engine, PHONE_ID, seen)
    customers.set_marketing_opt_out(whatsapp.db.engine, PHONE_ID, seen, True)
    execution = function_executed(client, fake_slack, workflow_steps.SEND_TEMPLATE, {
        "recipient": BSUID, "template": "spring_sale", "variables": "20%"})
    run_worker(whatsapp)
    done = fake_slack.wait_for_completion()
    assert (done["kind"], done["function_execution_id"], done["error"]) == ("error", execution,
                                                                            messages.SEND_OPTED_OUT)
    assert not templates_sent(fake_graph) and not [c for c in fake_graph.calls if "/messages" in c.path]


def test_send_template_step_refuses_authentication_to_a_bsuid_only_customer(client, whatsapp, fake_slack, fake_graph):
    """Issue 20: a stored customer Meta knows only by BSUID gets no AUTHENTICATION template (Meta's 131062), and the
    step says so before anything reaches Meta, as `/meta send` does."""
    customers.resolve(whatsapp.db.engine, PHONE_ID, customers.Seen(bsuid=BSUID))
    execution = function_executed(client, fake_slack, workflow_steps.SEND_TEMPLATE, {
        "number": PHONE_ID, "recipient": BSUID, "template": "login_code", "variables": "123456"})
    run_worker(whatsapp)
    done = fake_slack.wait_for_completion()
    assert (done["kind"], done["function_execution_id"], done["error"]) == ("error", execution,
                                                                            messages.SEND_AUTH_BSUID)
    assert not [c for c in fake_graph.calls if "/messages" in c.path]


# --- whether Meta bills what a step sends (issue 23, point 5) ------------------------------------------------------

def test_a_billed_template_says_so_in_the_outputs_and_the_thread(client, whatsapp, fake_slack, fake_graph):
    """A utility template to a customer who has not written in 24 hours is billed (North America is not on the shipped
    rate card: no price); the workflow gets it as outputs and the team reads it in the thread."""
    function_executed(client, fake_slack, workflow_steps.SEND_TEMPLATE, {
        "recipient": "+15551234567", "template": "order_shipped", "variables": "1, Ana, 2, Monday, X"})
    run_worker(whatsapp)
    done = fake_slack.wait_for_completion()
    note = messages.SEND_PAID_UNPRICED.format(category="UTILITY")
    assert done["kind"] == "success" and done["outputs"]["billing"] == "paid"
    assert done["outputs"]["billing_note"] == note
    [root] = [m for m in fake_slack.messages if "order_shipped" in m["text"]]
    assert root["text"].endswith(note)


@pytest.mark.parametrize("allow_paid", [False, "false", " FALSE "])
def test_a_step_that_allows_only_free_messages_sends_no_billed_one(client, whatsapp, fake_slack, fake_graph,
                                                                    allow_paid):
    execution = function_executed(client, fake_slack, workflow_steps.SEND_TEMPLATE, {
        "recipient": "+5491155550001", "template": "spring_sale", "variables": "20%", "allow_paid": allow_paid})
    run_worker(whatsapp)
    done = fake_slack.wait_for_completion()
    assert (done["kind"], done["function_execution_id"]) == ("error", execution)
    assert done["error"] == messages.STEP_PAID_REFUSED.format(note=messages.SEND_PAID_NOTE.format(
        category="MARKETING", price="USD 0.0618"))
    assert not [c for c in fake_graph.calls if "/messages" in c.path]


def test_a_utility_template_inside_the_customers_window_is_free_and_allowed(client, whatsapp, fake_slack, fake_graph):
    post_webhook(client, wa_payload([wa_message("wamid.IN1", "15551234567", "Where is my order?")]))
    run_worker(whatsapp)
    function_executed(client, fake_slack, workflow_steps.SEND_TEMPLATE, {
        "recipient": "+15551234567", "template": "order_shipped", "variables": "1, Ana, 2, Monday, X",
        "allow_paid": False})
    run_worker(whatsapp)
    done = fake_slack.wait_for_completion()
    assert done["kind"] == "success", done
    assert (done["outputs"]["billing"], done["outputs"]["billing_note"]) == ("free", messages.SEND_FREE_NOTE)
    assert len(templates_sent(fake_graph)) == 1


@pytest.mark.parametrize("allow_paid", ["maybe", 1, ["true"]])
def test_allow_paid_that_is_not_true_or_false_fails_the_step(client, whatsapp, fake_slack, fake_graph, allow_paid):
    function_executed(client, fake_slack, workflow_steps.SEND_TEMPLATE, {
        "recipient": "+15551234567", "template": "order_shipped", "variables": "1, Ana, 2, Monday, X",
        "allow_paid": allow_paid})
    run_worker(whatsapp)
    done = fake_slack.wait_for_completion()
    assert done["kind"] == "error"
    assert done["error"] == messages.STEP_VARIABLE_BAD.format(what="allow_paid", problem=messages.STEP_FLAG_BAD)
    assert not templates_sent(fake_graph)


# --- who may add the steps to a workflow (issue 20) -----------------------------------------------------------

def builders(fake_slack: Any) -> dict[str, dict[str, Any]]:
    return {callback: dict(d) for callback, d in fake_slack.distributions.items()}


def test_admins_add_and_remove_set_who_may_add_the_steps(client, fake_slack):
    """`/meta admins add|remove` keeps each step's distribution (named_entities) equal to the app's admins: the
    workspace's admins and owners and the users the admins named."""
    added = slash_command(client, "admins add <@U_MEMBER>", user="U_ADMIN").get_json()["text"]
    assert added == messages.ADMIN_ADDED.format(user="U_MEMBER")
    everyone = {"permission_type": "named_entities", "user_ids": ["U_ADMIN", "U_MEMBER", "U_OWNER"]}
    assert builders(fake_slack) == {workflow_steps.SEND_TEMPLATE: everyone, workflow_steps.PUBLISH_POST: everyone}
    slash_command(client, "admins remove <@U_MEMBER>", user="U_ADMIN")
    admins = {"permission_type": "named_entities", "user_ids": ["U_ADMIN", "U_OWNER"]}
    assert builders(fake_slack) == {workflow_steps.SEND_TEMPLATE: admins, workflow_steps.PUBLISH_POST: admins}
    # a member's attempt changes nothing
    slash_command(client, "admins add <@U_MEMBER>", user="U_MEMBER")
    assert builders(fake_slack)[workflow_steps.SEND_TEMPLATE] == admins


def test_connect_makes_the_steps_the_admins_to_add(client, fake_slack):
    assert "blocks" in slash_command(client, "connect", user="U_OWNER").get_json()
    assert builders(fake_slack)[workflow_steps.PUBLISH_POST] == {"permission_type": "named_entities",
                                                                 "user_ids": ["U_ADMIN", "U_OWNER"]}


def test_slacks_refusal_of_the_distribution_is_shown_to_the_admin(client, fake_slack, caplog):
    fake_slack.distribution_refusal = "access_denied"
    r = slash_command(client, "admins add <@U_MEMBER>", user="U_ADMIN").get_json()["text"]
    assert r == messages.ADMIN_ADDED.format(user="U_MEMBER") + "\n" + messages.STEP_BUILDERS_FAILED.format(
        error="`access_denied`")
    assert "Traceback" not in r and "access_denied" in caplog.text
    assert not fake_slack.distributions
    # the admin was still named (the app's own list changed); the next change brings Slack in step
    fake_slack.distribution_refusal = None
    slash_command(client, "admins add <@U_MEMBER>", user="U_ADMIN")
    assert "U_MEMBER" in builders(fake_slack)[workflow_steps.SEND_TEMPLATE]["user_ids"]


def test_the_fake_refuses_what_slack_refuses(fake_slack):
    fake_slack.reset()  # the session's fake, as another test may have left it
    slack = WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    for app_id, callback, error in (("A1", "no_such_step", "function_not_found"),
                                    ("A9", workflow_steps.SEND_TEMPLATE, "app_not_found")):
        with pytest.raises(SlackApiError) as refused:
            functions.set_distribution(slack, app_id, callback, functions.NAMED, ["U_ADMIN"])
        assert refused.value.response["error"] == error
    with pytest.raises(SlackApiError) as refused:
        functions.set_distribution(slack, "A1", workflow_steps.SEND_TEMPLATE, functions.NAMED, ["U_NOBODY"])
    assert refused.value.response["error"] == "user_not_found"
    with pytest.raises(SlackApiError) as refused:
        slack.api_call("functions.distributions.permissions.set", json={
            "function_id": "Fn0SENDTEMPLATE", "permission_type": "admins_only"})
    assert refused.value.response["error"] == "invalid_permission_type"
    with pytest.raises(ValueError):
        functions.set_distribution(slack, "A1", workflow_steps.SEND_TEMPLATE, "admins_only")
    assert not fake_slack.distributions
    assert functions.list_distribution(slack, "A1", workflow_steps.SEND_TEMPLATE) == functions.Distribution(
        "app_collaborators")
    functions.set_distribution(slack, "A1", workflow_steps.SEND_TEMPLATE, functions.NAMED, ["U_OWNER", "U_OWNER"])
    assert functions.list_distribution(slack, "A1", workflow_steps.SEND_TEMPLATE) == functions.Distribution(
        "named_entities", ("U_OWNER",))


def test_send_template_step_fails_with_metas_refusal(client, whatsapp, fake_slack, fake_graph):
    fake_graph.refuse_sends = graph_error(131026, "(#131026) Message undeliverable", 400,
                                          user_title="Message undeliverable",
                                          user_msg="The recipient is not a WhatsApp user.")
    function_executed(client, fake_slack, workflow_steps.SEND_TEMPLATE, {
        "recipient": "+15551234567", "template": "spring_sale", "variables": "20%"})
    run_worker(whatsapp)
    done = fake_slack.wait_for_completion()
    assert done["kind"] == "error"
    assert done["error"].startswith("Meta refused: Message undeliverable — The recipient is not a WhatsApp user.")
    assert "131026" in done["error"] and "AbCdEf123" in done["error"]


def test_send_template_step_fails_when_not_connected(client, rt, fake_slack, fake_graph):
    function_executed(client, fake_slack, workflow_steps.SEND_TEMPLATE, {
        "recipient": "+15551234567", "template": "order_shipped", "variables": ""})
    run_worker(rt)
    assert fake_slack.wait_for_completion()["error"] == messages.SEND_NO_NUMBER
    # connected once, then the token stopped working
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    with rt.db.session() as s:
        s.query(MetaConnection).filter_by(team_id="T1").one().status = "revoked"
    function_executed(client, fake_slack, workflow_steps.SEND_TEMPLATE, {
        "recipient": "+15551234567", "template": "order_shipped", "variables": ""})
    run_worker(rt)
    done = fake_slack.wait_for_completion(2)
    assert done["kind"] == "error" and "revoked" in done["error"]
    assert not templates_sent(fake_graph)


def test_a_step_that_cannot_be_queued_fails_at_once(client, whatsapp, fake_slack, fake_graph, monkeypatch):
    def redis_down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(whatsapp.queue, "enqueue_call", redis_down)
    execution = function_executed(client, fake_slack, workflow_steps.SEND_TEMPLATE, {
        "recipient": "+15551234567", "template": "spring_sale", "variables": "20%"}, queued=False)
    done = fake_slack.wait_for_completion()
    assert done["kind"] == "error" and done["function_execution_id"] == execution
    assert "could not start this step" in done["error"]
    assert done["token"] == fake_slack.function_tokens[execution]
    assert whatsapp.redis.get(workflow_steps.CLAIM_KEY.format(execution=execution)) is None  # claim given back


def test_publish_page_post_step(client, whatsapp, fake_slack, fake_graph):
    connect_page(whatsapp, token=fake_graph.issue_token("page"))
    execution = function_executed(client, fake_slack, workflow_steps.PUBLISH_POST, {
        "page": "acme page 1", "message": "Doors open at 9 tomorrow", "link": "https://acme.test/sale"})
    run_worker(whatsapp)
    post = fake_graph.posts["PAGE1"][0]
    assert post["message"] == "Doors open at 9 tomorrow"
    [feed] = [c for c in fake_graph.calls if c.path.endswith("/PAGE1/feed") and c.method == "POST"]
    assert feed.params["link"] == "https://acme.test/sale" and "scheduled_publish_time" not in feed.params
    done = fake_slack.wait_for_completion()
    assert done["kind"] == "success" and done["function_execution_id"] == execution
    assert done["outputs"] == {"post_id": post["id"], "post_url": f"https://www.facebook.com/{post['id']}"}
    # with one Page connected the page may be left out, and the link too
    function_executed(client, fake_slack, workflow_steps.PUBLISH_POST, {"message": "No link this time"})
    run_worker(whatsapp)
    assert fake_slack.wait_for_completion(2)["kind"] == "success"
    assert fake_graph.posts["PAGE1"][0]["message"] == "No link this time"


@pytest.mark.parametrize(("inputs", "expected"), [
    ({"page": "PAGE1", "message": "  "}, messages.POST_NO_MESSAGE),
    ({"page": "PAGE1", "message": "Hi", "link": "ftp://acme.test"}, messages.STEP_LINK_BAD),
    ({"page": "PAGE2", "message": "Hi"}, "`PAGE2` is not a connected Page"),
    ({"page": "PAGE1", "message": ["Hi"]}, messages.STEP_VARIABLES_BAD),
])
def test_publish_page_post_step_fails_with_the_reason(client, whatsapp, fake_slack, fake_graph, inputs, expected):
    connect_page(whatsapp, token=fake_graph.issue_token("page"))
    before = len(fake_graph.posts["PAGE1"])
    function_executed(client, fake_slack, workflow_steps.PUBLISH_POST, inputs)
    run_worker(whatsapp)
    done = fake_slack.wait_for_completion()
    assert done["kind"] == "error" and expected in done["error"]
    assert len(fake_graph.posts["PAGE1"]) == before


def test_publish_page_post_step_without_a_page_and_with_metas_refusal(client, whatsapp, fake_slack, fake_graph):
    function_executed(client, fake_slack, workflow_steps.PUBLISH_POST, {"message": "Hi"})
    run_worker(whatsapp)
    assert fake_slack.wait_for_completion()["error"] == messages.STEP_NO_PAGE
    connect_page(whatsapp, token=fake_graph.issue_token("page"))
    connect_page(whatsapp, token=fake_graph.issue_token("page"), page_id="PAGE2", name="Acme Page 2", ig_id=None)
    function_executed(client, fake_slack, workflow_steps.PUBLISH_POST, {"message": "Hi"})
    run_worker(whatsapp)
    assert "Several Pages are connected" in fake_slack.wait_for_completion(2)["error"]
    fake_graph.fail_next("/v26.0/PAGE2/feed", graph_error(368, "(#368) The action attempted has been deemed abusive",
                                                         400))
    function_executed(client, fake_slack, workflow_steps.PUBLISH_POST, {"page": "PAGE2", "message": "Hi"})
    run_worker(whatsapp)
    done = fake_slack.wait_for_completion(3)
    assert done["kind"] == "error" and done["error"].startswith("Meta refused: (#368)")


def test_completion_needs_the_executions_token(fake_slack):
    """The fake, like Slack, completes an execution only with its own token, and only once."""
    import requests

    fake_slack.reset()
    token = fake_slack.function_execution("FxFake1")
    url = fake_slack.api_url + "functions.completeSuccess"
    bad = requests.post(url, data={"function_execution_id": "FxFake1", "outputs": "{}"},
                        headers={"Authorization": "Bearer xoxb-test-bot-token"}, timeout=5).json()
    assert bad == {"ok": False, "error": "invalid_auth"}
    ok = requests.post(url, data={"function_execution_id": "FxFake1", "outputs": json.dumps({"a": "b"})},
                       headers={"Authorization": f"Bearer {token}"}, timeout=5).json()
    assert ok == {"ok": True} and fake_slack.completions == [
        {"kind": "success", "function_execution_id": "FxFake1", "token": token, "outputs": {"a": "b"}}]
    again = requests.post(fake_slack.api_url + "functions.completeError", timeout=5,
                          data={"function_execution_id": "FxFake1", "error": "late"},
                          headers={"Authorization": f"Bearer {token}"}).json()
    assert again == {"ok": False, "error": "function_execution_not_found"}
