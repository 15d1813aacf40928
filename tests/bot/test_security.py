"""Tenants and trust from Slack (issue 11, points 1, 6 and 11), with two workspaces in multi-workspace mode:
the app's own webhook subscriptions and verify token are the operator's; a modal submission is checked again
when it arrives and sent to Meta once per view; a block action or view naming another workspace's things
reaches nothing."""

from __future__ import annotations

import json
import time

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import select

from metaops import create_app, permissions, runtime
from metaops.templates import catalog
from store.models import Page, Template, WebhookSubscription
from tests.constants import VERIFY_TOKEN, WABA
from tests.fakes.meta_graph import APP_ID
from tests.fakes.slack_api import BOT_TOKEN
from tests.helpers import connect_page, connect_whatsapp, interact, run_worker, slash_command
from tests.web.test_install import install

T2_ADMIN = "U_T2_ADMIN"
T2_WABA, T2_PHONE = "WABA_T2", "PHONE_T2"


def multi_app(config, operator: str | None):  # noqa: ANN201
    return create_app({**config, "SLACK_BOT_TOKEN": "", "SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "shh",
                       "OPERATOR_TEAM_ID": operator or ""})


@pytest.fixture(params=["T1", None], ids=["operator_T1", "no_operator"])
def two(request, config, fake_slack, fake_graph):
    """T1 (its installation stored) and T2 (installed through /slack/install), both connected to Meta; T1 also
    has a connected Page. OPERATOR_TEAM_ID is T1, or unset."""
    app = multi_app(config, request.param)
    rt = app.extensions["metaops"]
    client = app.test_client()
    state = install(client)
    assert client.get("/slack/oauth_redirect", query_string={"code": "SLACK-CODE", "state": state}).status_code == 200
    rt.slack.installations.save(Installation(app_id="A1", team_id="T1", team_name="Team One", bot_token=BOT_TOKEN,
                                             bot_id="B1", bot_user_id="UB", user_id="U_ADMIN",
                                             installed_at=time.time()))
    connect_whatsapp(rt, team="T1", channel="C_T1", token=fake_graph.issue_token())
    connect_page(rt, fake_graph.issue_token("page", expires_in=0), team="T1")
    connect_whatsapp(rt, team="T2", channel="C_T2", waba=T2_WABA, phone_id=T2_PHONE, token=fake_graph.issue_token())
    fake_slack.users[T2_ADMIN] = {"name": "bo", "is_admin": True}
    yield app, rt, client, request.param
    rt.db.dispose()
    runtime.install(None)


def app_subscription_calls(fake_graph) -> list:  # noqa: ANN001
    return [c for c in fake_graph.calls if c.path.endswith(f"/{APP_ID}/subscriptions")]


def submit_webhook(client, view, team: str, user: str, ticked: bool, view_id: str = "VW1"):  # noqa: ANN001, ANN201
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    values = {b["block_id"]: {"value": {"type": "checkboxes",
                                        "selected_options": b["element"]["initial_options"] if ticked else []}}
              for b in inputs}
    return interact(client, {"type": "view_submission", "team": {"id": team}, "user": {"id": user},
                             "api_app_id": "A1", "view": {**view, "id": view_id, "state": {"values": values}}})


# Point 1: the app's webhook subscriptions and verify token are the operator's.

def test_another_workspace_cannot_change_or_remove_app_subscriptions(two, fake_slack, fake_graph):
    _, rt, client, _ = two
    shown = slash_command(client, "webhook", user=T2_ADMIN, team="T2").get_json()["text"]
    assert VERIFY_TOKEN not in shown and f"{VERIFY_TOKEN[:4]}…" in shown

    slash_command(client, "webhook configure", user=T2_ADMIN, team="T2", channel="C_T2")
    view = fake_slack.views[-1]
    assert "subscribed_apps" in json.dumps(view["blocks"][0])  # the modal says what saving changes
    fake_graph.calls.clear()
    # untick every box (would stop webhooks for every customer), then tick them all
    assert submit_webhook(client, view, "T2", T2_ADMIN, ticked=False, view_id="VW1").status_code == 200
    assert submit_webhook(client, view, "T2", T2_ADMIN, ticked=True, view_id="VW2").status_code == 200
    run_worker(rt)
    assert app_subscription_calls(fake_graph) == []
    assert fake_graph.subscriptions == {} and fake_graph.subscribed == [T2_WABA]  # only its own WABA
    with rt.db.session() as s:
        assert s.scalars(select(WebhookSubscription)).all() == []
    outcome = fake_slack.wait_for_ephemeral(2)
    assert outcome["channel"] == "C_T2" and "left as they are" in outcome["text"]


def test_only_the_operators_admins_change_app_subscriptions(two, fake_slack, fake_graph):
    _, rt, client, operator = two
    shown = slash_command(client, "webhook", user="U_ADMIN", team="T1").get_json()["text"]
    slash_command(client, "webhook configure", user="U_ADMIN", team="T1", channel="C_T1")
    view = fake_slack.views[-1]
    fake_graph.calls.clear()
    submit_webhook(client, view, "T1", "U_ADMIN", ticked=True)
    run_worker(rt)
    if operator == "T1":
        assert VERIFY_TOKEN in shown
        assert len(app_subscription_calls(fake_graph)) == 3
        assert fake_graph.subscriptions["page"]["verify_token"] == VERIFY_TOKEN
    else:  # OPERATOR_TEAM_ID unset: nobody changes them from Slack, and the modal says how the operator does
        assert VERIFY_TOKEN not in shown
        assert "OPERATOR_TEAM_ID" in json.dumps(view["blocks"][0]) and "Meta App Dashboard" in json.dumps(view)
        assert app_subscription_calls(fake_graph) == []
    assert fake_graph.subscribed == [WABA, "PAGE1"]  # its own assets, never T2's


def test_a_view_naming_another_workspace_is_refused(two, fake_slack, fake_graph):
    _, rt, client, _ = two
    slash_command(client, "webhook configure", user="U_ADMIN", team="T1", channel="C_T1")
    t1_view = fake_slack.views[-1]  # private metadata names T1
    fake_graph.calls.clear()
    body = submit_webhook(client, t1_view, "T2", T2_ADMIN, ticked=False).get_json()
    assert body["response_action"] == "errors" and "another workspace" in body["errors"]["whatsapp_business_account"]
    run_worker(rt)
    assert fake_graph.calls == []


# Point 11: a forged block action reaches nothing of another workspace.

def click(client, fake_slack, action_id: str, value: str, team: str = "T2", user: str = T2_ADMIN) -> dict:  # noqa: ANN001
    fake_slack.calls.clear()
    interact(client, {"type": "block_actions", "team": {"id": team}, "user": {"id": user}, "api_app_id": "A1",
                      "response_url": fake_slack.url + "/response", "trigger_id": "1.2",
                      "channel": {"id": "C_T2"}, "container": {"type": "message"},
                      "actions": [{"type": "button", "action_id": action_id, "value": value, "block_id": "b",
                                   "action_ts": "1"}]})
    [answer] = fake_slack.responses()
    return answer


def test_forged_block_actions_with_another_workspaces_ids_reach_nothing(two, fake_slack, fake_graph):
    _, rt, client, _ = two
    fake_graph.add_templates(1)
    catalog.sync(rt, "T1")
    t1_template = fake_graph.templates[0]["name"]
    fake_graph.calls.clear()

    answers = [
        click(client, fake_slack, "posts_next", json.dumps({"t": "PAGE1", "a": "QVFIUkFOZA"})),
        click(client, fake_slack, "media_next", json.dumps({"t": "IG1", "a": "QVFIUkFOZA"})),
        click(client, fake_slack, "instagram_connect", "IG1"),
        click(client, fake_slack, "page_connect", "PAGE1"),
        click(client, fake_slack, "template_delete", t1_template),
        click(client, fake_slack, "templates_next", json.dumps({"p": 1, "s": None, "c": None})),
    ]
    assert all("does not manage" in a["text"] for a in answers[:4])
    assert "No template named" in answers[4]["text"]
    assert t1_template not in json.dumps(answers[5])
    # nothing of T1's was read, changed or deleted at Meta
    assert not [c for c in fake_graph.calls if any(x in c.path for x in ("PAGE1", "IG1", "message_templates"))]
    assert all(c.method == "GET" for c in fake_graph.calls)
    with rt.db.session() as s:
        page = s.get(Page, "PAGE1")
        assert page.team_id == "T1" and page.connected
        assert s.scalars(select(Template.name).where(Template.team_id == "T1")).all() == [t1_template]


@pytest.mark.parametrize("value", ["not json", json.dumps({"t": "PAGE1"}), json.dumps({"t": "../me", "a": "x"}),
                                   json.dumps({"t": "PAGE1", "a": "x&access_token=y"}), json.dumps(["PAGE1"])])
def test_paging_values_we_did_not_make_are_refused(two, fake_slack, fake_graph, value):
    _, _, client, _ = two
    fake_graph.calls.clear()
    assert "not valid" in click(client, fake_slack, "posts_next", value)["text"]
    assert fake_graph.calls == []


@pytest.mark.parametrize("value", ["not json", json.dumps({"p": "2"}), json.dumps({"p": 2, "s": "'; DROP"}),
                                   json.dumps({"p": 1, "c": "NOPE"})])
def test_template_paging_values_we_did_not_make_are_refused(two, fake_slack, value):
    _, _, client, _ = two
    assert "not valid" in click(client, fake_slack, "templates_next", value)["text"]


# Point 6: modal submissions are checked again on arrival and sent to Meta once per view.

GOOD = {"name": "order_update", "language": "en_US", "category": "UTILITY",
        "body": "Hi {{1}}, order {{2}} shipped.", "body_examples": "Ana, 18273"}


def submit_template(client, view, user: str = "U_ADMIN", view_id: str = "V1", team: str = "T1"):  # noqa: ANN001, ANN201
    state = {k: {"value": {"type": "static_select", "selected_option": {"value": v}} if k == "category"
                 else {"type": "plain_text_input", "value": v}} for k, v in GOOD.items()}
    return interact(client, {"type": "view_submission", "team": {"id": team}, "user": {"id": user},
                             "api_app_id": "A1", "view": {**view, "id": view_id, "state": {"values": state}}})


def submit_post(client, view, user: str = "U_ADMIN", view_id: str = "VP1"):  # noqa: ANN001, ANN201
    values = {"page": {"value": {"type": "static_select", "selected_option": {"value": "PAGE1"}}},
              "message": {"value": {"type": "plain_text_input", "value": "New jackets are in!"}},
              "link": {"value": {"type": "url_text_input", "value": None}},
              "when": {"value": {"type": "datetimepicker", "selected_date_time": None}}}
    return interact(client, {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": user},
                             "api_app_id": "A1", "view": {**view, "id": view_id, "state": {"values": values}}})


@pytest.fixture
def connected(rt, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    connect_page(rt, fake_graph.issue_token("page", expires_in=0))
    return rt


def meta_writes(fake_graph) -> list:  # noqa: ANN001
    return [c for c in fake_graph.calls if c.method in ("POST", "DELETE")]


def test_submissions_by_a_user_removed_from_admins_are_refused(client, connected, fake_slack, fake_graph):
    slash_command(client, "admins add <@U_MEMBER>", user="U_ADMIN")
    for words in ("template new", "post", "webhook configure"):
        slash_command(client, words, user="U_MEMBER", channel="C_CONNECT")
    template_view, post_view, webhook_view = fake_slack.views
    slash_command(client, "admins remove <@U_MEMBER>", user="U_ADMIN")  # while the modals are open
    fake_graph.calls.clear()

    refused = [submit_template(client, template_view, user="U_MEMBER").get_json(),
               submit_post(client, post_view, user="U_MEMBER").get_json(),
               submit_webhook(client, webhook_view, "T1", "U_MEMBER", ticked=False).get_json()]
    for body, field in zip(refused, ("body", "message", "whatsapp_business_account"), strict=True):
        assert body["response_action"] == "errors" and "Only workspace admins" in body["errors"][field]
    run_worker(connected)
    assert meta_writes(fake_graph) == [] and fake_slack.updates == []
    with connected.db.session() as s:
        assert s.scalars(select(Template)).all() == []


def test_a_view_submitted_twice_creates_one_template(client, connected, fake_slack, fake_graph):
    slash_command(client, "template new", user="U_ADMIN", channel="C_CONNECT")
    [view] = fake_slack.views
    first = submit_template(client, view).get_json()
    again = submit_template(client, view).get_json()  # a second click while Meta is slow
    assert first["response_action"] == again["response_action"] == "update"
    run_worker(connected)
    assert submit_template(client, view).get_json()["response_action"] == "update"  # and once more, after
    run_worker(connected)
    assert len([c for c in fake_graph.calls if c.path.endswith("/message_templates") and c.method == "POST"]) == 1
    with connected.db.session() as s:
        assert len(s.scalars(select(Template)).all()) == 1
    assert "PENDING" in fake_slack.wait_for_ephemeral()["text"] and len(fake_slack.ephemerals) == 1
    # another view is another template submission
    submit_template(client, view, view_id="V2")
    run_worker(connected)
    assert len([c for c in fake_graph.calls if c.path.endswith("/message_templates") and c.method == "POST"]) == 2


def test_a_post_submitted_twice_is_published_once(client, connected, fake_slack, fake_graph):
    slash_command(client, "post", user="U_ADMIN", channel="C_CONNECT")
    view = fake_slack.views[-1]
    before = len(fake_graph.posts["PAGE1"])
    submit_post(client, view)
    submit_post(client, view)
    run_worker(connected)
    assert len(fake_graph.posts["PAGE1"]) == before + 1


def test_a_template_edit_of_another_workspaces_template_is_refused(client, connected, fake_slack, fake_graph):
    fake_graph.add_templates(1)
    catalog.sync(connected, "T1")
    with connected.db.session() as s:
        s.get(Template, fake_graph.templates[0]["id"]).team_id = "T9"
    slash_command(client, "template new", user="U_ADMIN", channel="C_CONNECT")
    [view] = fake_slack.views
    meta = {"team_id": "T1", "channel_id": "C_CONNECT", "template_id": fake_graph.templates[0]["id"],
            "name": "x", "language": "en_US"}
    fake_graph.calls.clear()
    body = submit_template(client, {**view, "private_metadata": json.dumps(meta)}).get_json()
    assert body["response_action"] == "errors" and "not one of this workspace's" in body["errors"]["body"]
    run_worker(connected)
    assert meta_writes(fake_graph) == []


def test_a_post_whose_outcome_is_unknown_is_not_sent_again(client, connected, fake_slack, fake_graph):
    from tests.fakes.meta_graph import graph_error

    slash_command(client, "post", user="U_ADMIN", channel="C_CONNECT")
    view = fake_slack.views[-1]
    fake_graph.fail_next("/v26.0/PAGE1/feed", graph_error(2, "Service temporarily unavailable", 500))
    submit_post(client, view)
    run_worker(connected)
    said = fake_slack.wait_for_ephemeral()["text"]
    assert "may or may not" in said and "may or may not" in json.dumps(fake_slack.updates[-1]["view"])
    assert "submit" not in fake_slack.updates[-1]["view"]  # no form to send again
    submit_post(client, view)  # the same view again: Meta may have published it, so nothing is sent
    run_worker(connected)
    assert len([c for c in fake_graph.calls if c.path == "/v26.0/PAGE1/feed" and c.method == "POST"]) == 1


# Issue 20, point 5: an admin of another organisation (Slack Connect) changes nothing here.

def test_an_admin_of_another_team_may_change_nothing(client, rt, fake_slack, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    fake_slack.users["U_OTHER_ORG"] = {"name": "otto", "is_admin": True, "is_owner": True, "team_id": "T_OTHER"}
    web = rt.slack.for_team("T1")
    assert permissions.may_change(rt, web, "T1", "U_ADMIN")
    assert not permissions.may_change(rt, web, "T1", "U_OTHER_ORG")
    slash_command(client, "template new", user="U_OTHER_ORG", channel="C_CONNECT")
    assert fake_slack.views == []  # refused: no modal opened
