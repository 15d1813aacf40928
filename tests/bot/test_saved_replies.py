"""Saved replies (issue 22, point 3): `/meta saved add NAME` and its modal, `/meta saved` with Edit and Delete, and
using one in a customer thread (the root's button, the message shortcut), through signed Slack requests, the worker
and the Graph fake."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import select

from metaops import messages
from metaops.conversation import saved_replies
from store.models import ReplyOutbox, SavedReply, Workspace
from tests.constants import PHONE_ID
from tests.helpers import customer_thread, run_worker, slash_command
from tests.helpers import interact as signed

MEMBER, ADMIN = "U_MEMBER", "U_ADMIN"


@pytest.fixture
def thread(client, rt, fake_slack, fake_graph) -> str:
    return customer_thread(client, rt, fake_slack, fake_graph)


def wait_views(fake_slack, n: int) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while len(fake_slack.views) < n and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(fake_slack.views) == n
    return fake_slack.views[-1]


def submit(client, view: dict[str, Any], values: dict[str, Any], user: str = MEMBER, team: str = "T1",
           view_id: str = "VS1") -> Any:
    state = {k: {k: ({"selected_option": {"value": v}} if k in ("scope", "saved") else {"value": v})}
             for k, v in values.items()}
    return signed(client, {"type": "view_submission", "team": {"id": team}, "user": {"id": user, "team_id": team},
                           "api_app_id": "A1", "trigger_id": "1.8",
                           "view": {**view, "id": view_id, "state": {"values": state}}})


def errors(r: Any) -> dict[str, str]:
    body = r.get_json()
    assert body and body["response_action"] == "errors", body
    return dict(body["errors"])


def add(client, fake_slack, name: str, text: str, user: str = MEMBER, scope: str | None = None) -> Any:
    n = len(fake_slack.views)
    assert slash_command(client, f"saved add {name}", user=user).status_code == 200
    view = wait_views(fake_slack, n + 1)
    values: dict[str, Any] = {"name": name, "text": text}
    if scope:
        values["scope"] = scope
    return submit(client, view, values, user=user)


def rows(rt) -> list[tuple[str, str, str]]:
    with rt.db.session() as s:
        return [(r.owner_id, r.name, r.text) for r in s.scalars(select(SavedReply).order_by(SavedReply.id))]


def test_add_checks_fields_under_the_text_and_keeps_members_own(client, rt, fake_slack):
    r = add(client, fake_slack, "Hello", "Hi {frist_name}, welcome to {business}")
    assert errors(r) == {"text": messages.SAVED_UNKNOWN_FIELD.format(
        fields="{frist_name}", known="{name}, {first_name}, {phone}, {business}")}
    view = fake_slack.views[-1]
    assert view["callback_id"] == "saved_reply_modal" and view["blocks"][0]["element"]["initial_value"] == "Hello"
    assert not any(b["block_id"] == "scope" for b in view["blocks"])  # a member keeps their own only
    assert errors(submit(client, view, {"name": " ", "text": ""})) == {"name": messages.SAVED_NAME_EMPTY,
                                                                        "text": messages.SAVED_TEXT_EMPTY}
    assert submit(client, view, {"name": "Hello", "text": "Hi {first_name}!"}).status_code == 200
    assert rows(rt) == [(MEMBER, "Hello", "Hi {first_name}!")]
    assert errors(submit(client, view, {"name": "Hello", "text": "again"}, view_id="VS2")) == \
        {"name": messages.SAVED_NAME_TAKEN.format(name="Hello")}
    # a member cannot make one for everyone, even by forging the scope
    assert errors(submit(client, view, {"name": "All", "text": "x", "scope": "team"}, view_id="VS3")) == \
        {"scope": messages.SAVED_NOT_YOURS}
    forged = {**view, "private_metadata": json.dumps({"team_id": "T2"})}
    assert errors(submit(client, forged, {"name": "X", "text": "x"})) == {"name": messages.SAVED_FORM_GONE}
    assert len(rows(rt)) == 1
    assert slash_command(client, "saved add").get_json()["text"] == messages.SAVED_ADD_USAGE


def test_admins_add_workspace_ones_and_the_list_offers_edit_and_delete_to_who_may(client, rt, fake_slack):
    assert add(client, fake_slack, "Hours", "We open at 9, {name}.", user=ADMIN, scope="team").status_code == 200
    assert add(client, fake_slack, "Mine", "Mine {phone}").status_code == 200
    assert rows(rt) == [("", "Hours", "We open at 9, {name}."), (MEMBER, "Mine", "Mine {phone}")]
    listed = slash_command(client, "saved", user=MEMBER).get_json()
    text = json.dumps(listed["blocks"])
    assert "Hours" in text and "Mine" in text
    buttons = [e for b in listed["blocks"] if b["type"] == "actions" for e in b["elements"]]
    mine = saved_replies.visible(rt, "T1", MEMBER)[1].id
    assert {(e["action_id"], e["value"]) for e in buttons} == {("saved_reply_edit", str(mine)),
                                                               ("saved_reply_delete", str(mine))}
    admin_list = slash_command(client, "saved", user=ADMIN).get_json()
    assert "Mine" not in json.dumps(admin_list["blocks"])  # a member's own are theirs
    assert len([b for b in admin_list["blocks"] if b["type"] == "actions"]) == 1  # the workspace's one


def click(client, action: str, value: str | None, user: str = MEMBER, team: str = "T1", **extra: Any) -> Any:
    return signed(client, {"type": "block_actions", "team": {"id": team}, "user": {"id": user, "team_id": team},
                           "trigger_id": "1.9", "api_app_id": "A1", **extra,
                           "actions": [{"action_id": action, "type": "button", "value": value or ""}]})


def test_use_from_the_root_fills_the_customer_in_and_sends_through_the_outbox(client, rt, fake_slack, fake_graph,
                                                                            thread):
    add(client, fake_slack, "Welcome", "Hi {first_name} ({phone}), {business} here. {name}?")
    root = {"channel": {"id": "C_CONNECT"}, "container": {"type": "message", "message_ts": thread,
                                                          "channel_id": "C_CONNECT"}, "message": {"ts": thread}}
    n = len(fake_slack.views)
    assert click(client, "saved_reply_open", None, **root).status_code == 200
    picker = wait_views(fake_slack, n + 1)
    assert picker["callback_id"] == "saved_reply_pick"
    [saved] = saved_replies.visible(rt, "T1", MEMBER)
    assert errors(submit(client, picker, {"saved": "999"})) == {"saved": messages.SAVED_PICK_NONE}
    r = submit(client, picker, {"saved": str(saved.id)})
    body = r.get_json()
    assert body["response_action"] == "update"
    step2 = body["view"]
    filled = step2["blocks"][0]["element"]["initial_value"]
    assert filled == "Hi Customer (+15551234567), Test Co here. Customer 4567?"
    assert errors(submit(client, step2, {"text": "note: not for them"})) == {"text": messages.FORWARD_NOTE}
    assert errors(submit(client, step2, {"text": "Hi {phone}"})) == {"text": messages.SAVED_UNFILLED.format(
        fields="{phone}")}
    assert submit(client, step2, {"text": filled + " Edited."}).status_code == 200
    run_worker(rt)
    assert fake_graph.sent == [{"from": PHONE_ID, "to": "15551234567", "kind": "whatsapp",
                                "body": filled + " Edited."}]
    [post] = [m for m in fake_slack.messages if m.get("thread_ts") == thread]
    assert "from the saved reply “Welcome”" in post["text"]
    with rt.db.session() as s:
        assert s.scalars(select(ReplyOutbox.state)).all() == ["sent"]


def test_guests_replies_off_and_forged_threads_are_refused(client, rt, fake_slack, fake_graph, thread):
    add(client, fake_slack, "Hi", "Hi {name}")
    [saved] = saved_replies.visible(rt, "T1", MEMBER)
    meta = {"team_id": "T1", "channel_id": "C_CONNECT", "thread_ts": thread, "saved": saved.id}
    step2 = {"type": "modal", "callback_id": "saved_reply_send", "private_metadata": json.dumps(meta)}
    r = signed(client, {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": MEMBER, "team_id": "T_GUEST"},
                        "api_app_id": "A1", "view": {**step2, "id": "VG", "state": {"values": {
                            "text": {"text": {"value": "hello"}}}}}})
    assert errors(r) == {"text": messages.THREAD_FORM_GUEST}
    for forged in ({**meta, "thread_ts": "1.2"}, {**meta, "team_id": "T2"}, {**meta, "saved": 12345}):
        assert errors(submit(client, {**step2, "private_metadata": json.dumps(forged)}, {"text": "x"})) == \
            {"text": messages.SAVED_FORM_GONE}
    with rt.db.session() as s:
        s.get(Workspace, "T1").replies_enabled = False
    assert errors(submit(client, step2, {"text": "hello"})) == {"text": messages.FORWARD_REPLIES_OFF}
    run_worker(rt)
    assert fake_graph.sent == []


def test_the_shortcut_outside_a_customer_thread_says_so(client, rt, fake_slack, thread):
    signed(client, {"type": "message_action", "callback_id": "saved_reply", "trigger_id": "1.7", "team": {"id": "T1"},
                    "channel": {"id": "C_CONNECT"}, "user": {"id": MEMBER, "team_id": "T1"},
                    "message": {"ts": "1699999999.000001", "text": "elsewhere"}})
    view = wait_views(fake_slack, 1)
    assert messages.RICH_NOT_A_THREAD in json.dumps(view, ensure_ascii=False) and view.get("submit") is None
