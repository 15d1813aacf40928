"""The saved-reply and rich-reply listeners, each called directly as Bolt calls it (bot/modals/saved_reply.py,
bot/shortcuts/saved_reply.py, bot/shortcuts/rich_reply.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.modals.saved_reply import saved_reply_delete_clicked, saved_reply_edit_clicked, saved_reply_submitted
from bot.shortcuts.rich_reply import (
    rich_reply_clicked,
    rich_reply_kind_chosen,
    rich_reply_sent,
    rich_reply_shortcut,
)
from bot.shortcuts.saved_reply import saved_reply_clicked, saved_reply_picked, saved_reply_sent, saved_reply_shortcut
from metaops import messages
from metaops.conversation import saved_replies
from tests.bot.bolt import Recorder, call
from tests.helpers import customer_thread, run_worker

MEMBER = {"id": "U_MEMBER", "team_id": "T1"}


@pytest.fixture
def thread(client, rt, fake_slack, fake_graph) -> str:
    return customer_thread(client, rt, fake_slack, fake_graph)


def on_root(root: str, **extra: Any) -> dict[str, Any]:
    return {"team": {"id": "T1"}, "user": MEMBER, "trigger_id": "1.1", "channel": {"id": "C_CONNECT"},
            "message": {"ts": root}, **extra}


def view_body(callback: str, meta: dict[str, Any], values: dict[str, Any], view_id: str = "VL1") -> dict[str, Any]:
    state = {k: {k: v} for k, v in values.items()}
    return {"team": {"id": "T1"}, "user": MEMBER, "view": {"id": view_id, "callback_id": callback,
                                                           "private_metadata": json.dumps(meta),
                                                           "state": {"values": state}}}


def meta_of(root: str, **extra: Any) -> dict[str, Any]:
    return {"team_id": "T1", "channel_id": "C_CONNECT", "thread_ts": root, **extra}


def test_saved_reply_shortcut_opens_the_picker_or_says_there_is_none(thread, rt, context, web_client, fake_slack):
    ack = Recorder()
    call(saved_reply_shortcut, ack=ack, body=on_root(thread), client=web_client, context=context)
    assert ack.once == {} and messages.SAVED_NO_REPLIES in json.dumps(fake_slack.views[-1])
    saved_replies.save(rt, "T1", "U_MEMBER", "Hi", "Hi {name}", shared=False)
    call(saved_reply_shortcut, ack=Recorder(), body=on_root(thread), client=web_client, context=context)
    assert fake_slack.views[-1]["callback_id"] == "saved_reply_pick"


def test_saved_reply_clicked_on_a_stranger_message_says_why(thread, context, web_client, fake_slack):
    call(saved_reply_clicked, ack=Recorder(), body=on_root("1.000001"), client=web_client, context=context)
    assert fake_slack.views[-1]["callback_id"] == "saved_reply_pick_notice"


def test_saved_reply_picked_fills_the_customer_in(thread, rt, context):
    saved_replies.save(rt, "T1", "U_MEMBER", "Hi", "Hi {first_name}", shared=False)
    [saved] = saved_replies.visible(rt, "T1", "U_MEMBER")
    body = view_body("saved_reply_pick", meta_of(thread), {"saved": {"selected_option": {"value": str(saved.id)}}})
    ack = Recorder()
    call(saved_reply_picked, ack=ack, body=body, view=body["view"], context=context)
    assert ack.once["response_action"] == "update"
    assert ack.once["view"]["blocks"][0]["element"]["initial_value"] == "Hi Customer"


def test_saved_reply_sent_posts_and_sends(thread, rt, context, fake_graph):
    saved_replies.save(rt, "T1", "U_MEMBER", "Hi", "Hi", shared=False)
    [saved] = saved_replies.visible(rt, "T1", "U_MEMBER")
    body = view_body("saved_reply_send", meta_of(thread, saved=saved.id), {"text": {"value": "Hi there"}})
    ack = Recorder()
    call(saved_reply_sent, ack=ack, body=body, view=body["view"], context=context)
    assert ack.once == {}
    run_worker(rt)
    assert [s["body"] for s in fake_graph.sent] == ["Hi there"]


def test_saved_reply_edit_clicked_opens_the_form_for_its_owner_only(thread, rt, context, web_client, fake_slack):
    saved_replies.save(rt, "T1", "U_OTHER", "Theirs", "x", shared=False)
    [theirs] = saved_replies.visible(rt, "T1", "U_OTHER")
    respond = Recorder()
    body = {**on_root(thread), "actions": [{"value": str(theirs.id)}]}
    call(saved_reply_edit_clicked, ack=Recorder(), body=body, client=web_client, context=context, respond=respond)
    assert respond.once["text"] == messages.SAVED_NOT_YOURS
    saved_replies.save(rt, "T1", "U_MEMBER", "Mine", "y", shared=False)
    mine = saved_replies.visible(rt, "T1", "U_MEMBER")[0]
    call(saved_reply_edit_clicked, ack=Recorder(), body={**body, "actions": [{"value": str(mine.id)}]},
         client=web_client, context=context, respond=Recorder())
    assert fake_slack.views[-1]["blocks"][0]["element"]["initial_value"] == "Mine"


def test_saved_reply_delete_clicked_removes_its_owners_own(thread, rt, context, web_client):
    saved_replies.save(rt, "T1", "U_MEMBER", "Mine", "y", shared=False)
    [mine] = saved_replies.visible(rt, "T1", "U_MEMBER")
    respond = Recorder()
    call(saved_reply_delete_clicked, ack=Recorder(), body={**on_root(thread), "actions": [{"value": str(mine.id)}]},
         client=web_client, context=context, respond=respond)
    assert respond.once["text"] == messages.SAVED_DELETED.format(name="Mine")
    assert saved_replies.visible(rt, "T1", "U_MEMBER") == []


def test_saved_reply_submitted_adds_and_refuses_unknown_fields(rt, context, web_client):
    body = view_body("saved_reply_modal", {"team_id": "T1"}, {"name": {"value": "Hi"}, "text": {"value": "{nope}"}})
    ack = Recorder()
    call(saved_reply_submitted, ack=ack, body=body, view=body["view"], client=web_client, context=context)
    assert set(ack.once["errors"]) == {"text"}
    body["view"]["state"]["values"]["text"] = {"text": {"value": "Hello {name}"}}
    call(saved_reply_submitted, ack=Recorder(), body=body, view=body["view"], client=web_client, context=context)
    assert [s.text for s in saved_replies.visible(rt, "T1", "U_MEMBER")] == ["Hello {name}"]


def test_rich_reply_shortcut_opens_the_kind_picker(thread, context, web_client, fake_slack):
    call(rich_reply_shortcut, ack=Recorder(), body=on_root(thread), client=web_client, context=context)
    assert fake_slack.views[-1]["callback_id"] == "rich_reply_kind"


def test_rich_reply_clicked_outside_a_thread_says_why(thread, context, web_client, fake_slack):
    call(rich_reply_clicked, ack=Recorder(), body=on_root("1.000001"), client=web_client, context=context)
    assert fake_slack.views[-1]["callback_id"] == "rich_reply_kind_notice"


def test_rich_reply_kind_chosen_updates_to_its_form(thread, context):
    body = view_body("rich_reply_kind", meta_of(thread), {"kind": {"selected_option": {"value": "list"}}})
    ack = Recorder()
    call(rich_reply_kind_chosen, ack=ack, body=body, view=body["view"], context=context)
    assert [b["block_id"] for b in ack.once["view"]["blocks"]] == ["header", "body", "footer", "button", "options"]


def test_rich_reply_sent_checks_limits_then_sends(thread, rt, context, fake_graph):
    body = view_body("rich_reply_compose", meta_of(thread, kind="button"),
                     {"body": {"value": "Size?"}, "options": {"value": "A\nB\nC\nD"}})
    ack = Recorder()
    call(rich_reply_sent, ack=ack, body=body, view=body["view"], context=context)
    assert set(ack.once["errors"]) == {"options"}
    body["view"]["state"]["values"]["options"] = {"options": {"value": "A\nB"}}
    ack = Recorder()
    call(rich_reply_sent, ack=ack, body=body, view=body["view"], context=context)
    assert ack.once == {}
    run_worker(rt)
    assert [s["type"] for s in fake_graph.sent] == ["interactive"]
