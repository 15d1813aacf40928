"""The event listeners (the Home tab, messages in customer threads, comment buttons, Workflow Builder steps), each
called directly as Bolt calls it: the request from tests/fixtures/slack, recorders for ack and respond, a WebClient
on the Slack fake, the real runtime, and the real worker where the listener queued work."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_bolt import BoltResponse
from sqlalchemy import select

from bot.events.comments import (
    comment_delete_clicked,
    comment_hide_clicked,
    comment_reply_clicked,
    comment_reply_submitted,
)
from bot.events.home import (
    home_connect_clicked,
    home_connect_submitted,
    home_opened,
    home_template_clicked,
    home_webhook_clicked,
)
from bot.events.replies import queue_replies, send_again_clicked, thread_message
from bot.events.uninstall import app_uninstalled, tokens_revoked
from bot.events.workflow_steps import workflow_step_executed
from metaops import messages
from metaops.assets import comments
from metaops.surfaces import home, workflow_steps
from store.models import MetaConnection, ReplyOutbox, WhatsAppAccount
from tests.bot.bolt import Recorder, call
from tests.helpers import (
    connect_page,
    connect_whatsapp,
    customer_thread,
    job_call,
    run_worker,
    slack_fixture,
    waiting_job_ids,
)
from tests.scenarios.test_comment_threads import buttons, fb_comment, in_thread, roots
from tests.scenarios.test_unknown_outcome import stalled_send


@pytest.fixture
def whatsapp(rt, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    return rt


def outbox_rows(rt: Any) -> list[ReplyOutbox]:
    with rt.db.session() as s:
        return list(s.scalars(select(ReplyOutbox)))


# The app removed

def test_app_uninstalled_lets_go_of_the_workspaces_connection_and_assets(whatsapp, context, fake_slack):
    body = slack_fixture("events/app_uninstalled.json")
    assert call(app_uninstalled, body=body, context=context) is None
    with whatsapp.db.session() as s:
        assert s.scalars(select(MetaConnection)).all() == [] and s.scalars(select(WhatsAppAccount)).all() == []


def test_tokens_revoked_lets_go_of_it_for_the_bot_token_only(whatsapp, context, fake_slack):
    body = slack_fixture("events/tokens_revoked.json", event={"tokens": {"oauth": ["U_ADMIN"], "bot": []}})
    call(tokens_revoked, event=body["event"], body=body, context=context)  # a user token: nothing changes
    with whatsapp.db.session() as s:
        assert len(s.scalars(select(MetaConnection)).all()) == 1
    body = slack_fixture("events/tokens_revoked.json")
    assert call(tokens_revoked, event=body["event"], body=body, context=context) is None
    with whatsapp.db.session() as s:
        assert s.scalars(select(MetaConnection)).all() == [] and s.scalars(select(WhatsAppAccount)).all() == []


# Home tab

def test_home_opened_publishes_the_home_tab(whatsapp, context, web_client, fake_slack):
    body = slack_fixture("events/app_home_opened.json")
    assert call(home_opened, event=body["event"], body=body, client=web_client, context=context) is None
    [published] = fake_slack.published
    assert published["user_id"] == "U_ADMIN" and published["view"]["type"] == "home"
    body = slack_fixture("events/app_home_opened.json", event={"tab": "messages"})
    call(home_opened, event=body["event"], body=body, client=web_client, context=context)
    assert len(fake_slack.published) == 1  # the Messages tab: nothing to publish


def press_home(listener: Any, context: Any, web_client: Any, action_id: str, user: str = "U_ADMIN") -> Recorder:
    ack = Recorder()
    body = slack_fixture("actions/home_button.json", user={"id": user}, action={"action_id": action_id})
    call(listener, ack=ack, body=body, client=web_client, context=context)
    assert ack.once == {}
    return ack


def test_home_connect_clicked_asks_an_admin_for_the_channel(whatsapp, context, web_client, fake_slack):
    press_home(home_connect_clicked, context, web_client, home.CONNECT_ACTION)
    [picker] = fake_slack.views
    assert picker["callback_id"] == "home_connect_modal"
    assert picker["blocks"][0]["element"]["initial_conversation"] == "C_CONNECT"  # where /meta connect was run


def test_home_webhook_clicked_opens_the_webhook_modal_for_admins_only(whatsapp, context, web_client, fake_slack):
    press_home(home_webhook_clicked, context, web_client, home.WEBHOOK_ACTION, user="U_MEMBER")
    press_home(home_webhook_clicked, context, web_client, home.WEBHOOK_ACTION)
    refused, opened = fake_slack.views
    assert refused["callback_id"] == "home_notice" and refused["blocks"][0]["text"]["text"] == messages.NOT_ALLOWED
    assert opened["callback_id"] == "webhook_modal"


def test_home_template_clicked_opens_the_template_modal(whatsapp, context, web_client, fake_slack):
    press_home(home_template_clicked, context, web_client, home.TEMPLATE_ACTION)
    [view] = fake_slack.views
    assert view["callback_id"] == "template_modal"


def test_home_connect_submitted_turns_into_the_connect_button(whatsapp, context, web_client, rt):
    ack = Recorder()
    body = slack_fixture("views/home_connect.json")
    call(home_connect_submitted, ack=ack, body=body, view=body["view"], client=web_client, context=context)
    answer = ack.once
    assert answer["response_action"] == "update"
    [button] = answer["view"]["blocks"][1]["elements"]
    assert button["action_id"] == "meta_connect"
    assert button["url"].startswith(f"{rt.settings.PUBLIC_URL}/meta/oauth/start?state=")
    member = Recorder()
    body = slack_fixture("views/home_connect.json", user={"id": "U_MEMBER"})
    call(home_connect_submitted, ack=member, body=body, view=body["view"], client=web_client, context=context)
    assert member.once == {"response_action": "errors", "errors": {"channel": messages.NOT_ALLOWED}}


# messages in customer threads

def test_queue_replies_stores_and_queues_a_reply_then_lets_the_request_through(client, rt, context, fake_slack,
                                                                               fake_graph):
    root = customer_thread(client, rt, fake_slack, fake_graph)
    through = BoltResponse(status=200, body="")
    nxt = Recorder(returns=through)
    body = slack_fixture("events/message_in_thread.json", event={"thread_ts": root})
    assert call(queue_replies, body=body, context=context, next=nxt) is through and nxt.once == {}
    [row] = outbox_rows(rt)
    assert row.text == "Your order ships today" and row.thread_ts == root
    run_worker(rt)
    assert [m["body"] for m in fake_graph.sent] == ["Your order ships today"]

    note = slack_fixture("events/message_in_thread.json", event={"thread_ts": root, "text": "note: call her back",
                                                                 "ts": "1700000500.000200"})
    assert call(queue_replies, body=note, context=context, next=Recorder(returns=through)) is through
    assert len(outbox_rows(rt)) == 1  # an internal note stays in Slack


def test_thread_message_needs_nothing():
    assert thread_message() is None  # queue_replies did the work while the request was open


def test_send_again_clicked_sends_once_more_or_says_why_not(client, rt, context, web_client, fake_slack, fake_graph):
    root, button = stalled_send(client, rt, fake_slack, fake_graph)
    forged = slack_fixture("actions/message_button.json", user={"id": "U_MEMBER"}, message={"thread_ts": root},
                           action={"action_id": button["action_id"], "value": "424242"})
    call(send_again_clicked, ack=Recorder(), body=forged, client=web_client, context=context)
    [said] = fake_slack.ephemerals
    assert said["text"] == messages.REPLY_AGAIN_GONE and said["thread_ts"] == root
    ack = Recorder()
    body = slack_fixture("actions/message_button.json", user={"id": "U_MEMBER"}, message={"thread_ts": root},
                         action={"action_id": button["action_id"], "value": button["value"]})
    call(send_again_clicked, ack=ack, body=body, client=web_client, context=context)
    assert ack.once == {} and len(fake_slack.ephemerals) == 1
    assert [r.state for r in outbox_rows(rt)] == ["pending"]
    run_worker(rt)
    assert len(fake_graph.sent) == 2 and [r.state for r in outbox_rows(rt)] == ["sent"]


# comment buttons and the Reply modal

@pytest.fixture
def comment(client, rt, fake_slack, fake_graph) -> dict[str, Any]:
    """A Facebook comment shown in its post's thread in #C_CONNECT: its Slack message."""
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    connect_page(rt, fake_graph.issue_token("page", expires_in=0))
    fb_comment(client, fake_graph, "PAGE1_3_c1", "PAGE1_3", "Love it!")
    run_worker(rt)
    [root] = roots(fake_slack)
    [shown] = in_thread(fake_slack, root)
    return shown


def press_comment(listener: Any, context: Any, web_client: Any, shown: dict[str, Any], action_id: str,
                  user: str = "U_ADMIN", value: str | None = None) -> None:
    ack = Recorder()
    body = slack_fixture("actions/message_button.json", user={"id": user},
                         message={"ts": shown["ts"], "thread_ts": shown["thread_ts"], "text": shown["text"],
                                  "blocks": json.loads(shown["blocks"]) if isinstance(shown["blocks"], str)
                                  else shown["blocks"]},
                         action={"action_id": action_id,
                                 "value": buttons(shown)[action_id]["value"] if value is None else value})
    call(listener, ack=ack, body=body, client=web_client, context=context)
    assert ack.once == {}


def test_comment_reply_clicked_opens_the_reply_modal(comment, context, web_client, fake_slack):
    press_comment(comment_reply_clicked, context, web_client, comment, comments.REPLY_ACTION, user="U_MEMBER")
    [view] = fake_slack.views
    assert view["callback_id"] == comments.REPLY_VIEW and "Love it!" in json.dumps(view["blocks"])
    press_comment(comment_reply_clicked, context, web_client, comment, comments.REPLY_ACTION, value="999")
    assert [e["text"] for e in fake_slack.ephemerals] == [messages.COMMENT_GONE] and len(fake_slack.views) == 1


def test_comment_hide_clicked_hides_for_an_admin_only(comment, context, web_client, fake_slack, fake_graph):
    press_comment(comment_hide_clicked, context, web_client, comment, comments.HIDE_ACTION, user="U_MEMBER")
    assert [e["text"] for e in fake_slack.ephemerals] == [messages.NOT_ALLOWED]
    assert not fake_graph.comments["PAGE1_3_c1"]["hidden"]
    press_comment(comment_hide_clicked, context, web_client, comment, comments.HIDE_ACTION)
    assert fake_graph.comments["PAGE1_3_c1"]["hidden"]
    [edit] = fake_slack.edits
    assert "Hidden by <@U_ADMIN>" in edit["text"]


def test_comment_delete_clicked_deletes_for_an_admin_only(comment, context, web_client, fake_slack, fake_graph):
    press_comment(comment_delete_clicked, context, web_client, comment, comments.DELETE_ACTION, user="U_MEMBER")
    assert [e["text"] for e in fake_slack.ephemerals] == [messages.NOT_ALLOWED]
    press_comment(comment_delete_clicked, context, web_client, comment, comments.DELETE_ACTION)
    assert fake_graph.comments["PAGE1_3_c1"]["deleted"]
    [edit] = fake_slack.edits
    assert "Deleted by <@U_ADMIN>" in edit["text"]


def test_comment_reply_submitted_answers_once_per_view(comment, rt, context, fake_slack, fake_graph):
    row = buttons(comment)[comments.REPLY_ACTION]["value"]
    body = slack_fixture("views/comment_reply.json", user={"id": "U_MEMBER"}, view={"private_metadata": json.dumps(
        {"team_id": "T1", "comment": row, "quote": "Love it!"})})
    for _ in range(2):  # a second click of the same view sends nothing more
        ack = Recorder()
        call(comment_reply_submitted, ack=ack, body=body, view=body["view"], context=context)
        assert ack.once == {}
    assert [r.text for r in outbox_rows(rt)] == ["Thank you, Sam!"]
    run_worker(rt)
    assert [(r["comment"], r["message"]) for r in fake_graph.comment_replies] == [("PAGE1_3_c1", "Thank you, Sam!")]
    empty = Recorder()
    blank = slack_fixture("views/comment_reply.json", view={"id": "V_REPLY_2", "private_metadata": json.dumps(
        {"team_id": "T1", "comment": row})}, values={"comment_reply": {"text": {"value": "  "}}})
    call(comment_reply_submitted, ack=empty, body=blank, view=blank["view"], context=context)
    assert empty.once == {"response_action": "errors", "errors": {comments.REPLY_BLOCK: messages.COMMENT_MODAL_EMPTY}}


# Workflow Builder steps

def test_workflow_step_executed_queues_the_step_once(rt, context):
    body = slack_fixture("events/function_executed.json")
    event = body["event"]
    context.update(function_execution_id=event["function_execution_id"],
                   function_bot_access_token=event["bot_access_token"])
    fail = Recorder(first="error")
    for _ in range(2):  # Slack delivers again: queued once
        call(workflow_step_executed, inputs=event["inputs"], body=body, context=context, fail=fail)
    assert fail.calls == []
    [job_id] = waiting_job_ids(rt.redis)
    func, _, [step], _ = job_call(rt.redis, job_id)
    assert func == workflow_steps.JOB and step["callback_id"] == workflow_steps.SEND_TEMPLATE
    assert step["execution_id"] == "Fx0123456789" and step["inputs"] == event["inputs"]

    context.update(function_execution_id="Fx999", function_bot_access_token=None)  # no token: the step is failed
    call(workflow_step_executed, inputs=event["inputs"], body=body, context=context, fail=fail)
    assert fail.once["error"].startswith(messages.STEP_BROKEN.split("(")[0])
