"""Rich replies (issue 22, point 5): the root's More… button and the Rich reply… shortcut, WhatsApp buttons, lists,
link buttons and location requests, Messenger quick replies; Meta's limits under each field; the thread shows what
went; Meta's refusal is said in the thread; the customer's choice comes back into the thread."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from metaops import messages
from tests.constants import PHONE_ID
from tests.helpers import customer_thread, messaging_thread, post_webhook, run_worker, wa_payload
from tests.helpers import interact as signed

MEMBER = "U_MEMBER"


def wait_views(fake_slack, n: int) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while len(fake_slack.views) < n and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(fake_slack.views) == n
    return fake_slack.views[-1]


def open_more(client, fake_slack, root: str, via: str = "button") -> dict[str, Any]:
    n = len(fake_slack.views)
    common = {"team": {"id": "T1"}, "user": {"id": MEMBER, "team_id": "T1"}, "trigger_id": "1.9",
              "channel": {"id": "C_CONNECT"}}
    if via == "button":
        signed(client, {"type": "block_actions", **common, "message": {"ts": root},
                        "container": {"type": "message", "message_ts": root, "channel_id": "C_CONNECT"},
                        "actions": [{"action_id": "rich_reply_open", "type": "button"}]})
    else:  # the shortcut on a message inside the thread
        signed(client, {"type": "message_action", "callback_id": "rich_reply", **common,
                        "message": {"ts": "1700000999.000001", "thread_ts": root, "text": "hm"}})
    return wait_views(fake_slack, n + 1)


def submit(client, view: dict[str, Any], values: dict[str, str], view_id: str = "VR1") -> Any:
    state = {k: {k: ({"selected_option": {"value": v}} if k == "kind" else {"value": v})} for k, v in values.items()}
    return signed(client, {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": MEMBER, "team_id": "T1"},
                           "api_app_id": "A1", "view": {**view, "id": view_id, "state": {"values": state}}})


def errors(r: Any) -> dict[str, str]:
    body = r.get_json()
    assert body and body["response_action"] == "errors", body
    return dict(body["errors"])


def compose(client, fake_slack, root: str, kind: str, via: str = "button") -> dict[str, Any]:
    picker = open_more(client, fake_slack, root, via)
    assert picker["callback_id"] == "rich_reply_kind"
    body = submit(client, picker, {"kind": kind}).get_json()
    assert body["response_action"] == "update"
    return body["view"]


@pytest.fixture
def thread(client, rt, fake_slack, fake_graph) -> str:
    return customer_thread(client, rt, fake_slack, fake_graph)


def test_a_customer_root_carries_saved_reply_and_more(client, rt, fake_slack, fake_graph):
    from tests.helpers.meta import wa_message
    from tests.helpers.seeding import connect_whatsapp
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    post_webhook(client, wa_payload([wa_message("wamid.R1", "15551234567", "Hi")]))
    run_worker(rt)
    [root] = fake_slack.messages
    [tools] = [b for b in root["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in tools["elements"]] == ["saved_reply_open", "rich_reply_open"]


def test_reply_buttons_are_sent_shown_and_the_customers_choice_lands_in_the_thread(client, rt, fake_slack,
                                                                                 fake_graph, thread):
    form = compose(client, fake_slack, thread, "button")
    assert [b["block_id"] for b in form["blocks"]] == ["header", "body", "footer", "options"]
    assert errors(submit(client, form, {"body": "Size?", "options": "Small\nMedium\nLarge\nExtra large"})) == \
        {"options": "4 buttons; Meta takes at most 3."}
    assert errors(submit(client, form, {"body": "", "options": "Twenty-one characters"})) == {
        "body": "Write the message's text.", "options": "“Twenty-one characters” is 21 characters; Meta takes at "
                                                        "most 20."}
    assert errors(submit(client, form, {"body": "note: inside", "options": "A"})) == {"body": messages.FORWARD_NOTE}
    assert submit(client, form, {"body": "Which size?", "footer": "Free returns",
                                 "options": "Small\nMedium"}).status_code == 200
    [post] = [m for m in fake_slack.messages if m.get("thread_ts") == thread]
    shown = json.dumps(post["blocks"], ensure_ascii=False)
    assert "Which size?" in shown and "`Small`" in shown and "Reply buttons" in post["text"] + shown
    run_worker(rt)
    [sent] = fake_graph.sent
    assert sent["type"] == "interactive" and sent["to"] == "15551234567" and sent["from"] == PHONE_ID
    assert sent["interactive"]["action"]["buttons"][1]["reply"] == {"id": "Medium", "title": "Medium"}
    assert fake_slack.reactions_on(post["ts"]) == ["white_check_mark"]
    # the customer taps "Medium": an ordinary message in their thread
    choice = {"from": "15551234567", "id": "wamid.CHOICE", "timestamp": "1700000100", "type": "interactive",
              "interactive": {"type": "button_reply", "button_reply": {"id": "Medium", "title": "Medium"}},
              "context": {"from": PHONE_ID, "id": "wamid.OUT1"}}
    post_webhook(client, wa_payload([choice]))
    run_worker(rt)
    answer = [m for m in fake_slack.messages if m.get("thread_ts") == thread][-1]
    assert "Medium" in json.dumps(answer, ensure_ascii=False)


def test_a_list_with_sections_and_its_limits_under_the_field(client, rt, fake_slack, fake_graph, thread):
    form = compose(client, fake_slack, thread, "list", via="shortcut")
    rows = "\n".join(f"Row {n}" for n in range(11))
    assert errors(submit(client, form, {"body": "Pick", "button": "Menu", "options": rows})) == \
        {"options": "11 rows in 1 sections; Meta takes at most 10 rows in all."}
    long_desc = "Blue | " + "d" * 73
    assert "at most 72" in errors(submit(client, form, {"body": "Pick", "button": "Menu",
                                                        "options": long_desc}))["options"]
    assert submit(client, form, {"body": "Pick one", "button": "Menu",
                                 "options": "# Shirts\nBlue | Cotton\n# Shoes\nSneakers"}).status_code == 200
    run_worker(rt)
    [sent] = fake_graph.sent
    assert [s["title"] for s in sent["interactive"]["action"]["sections"]] == ["Shirts", "Shoes"]


def test_cta_url_and_location_request(client, rt, fake_slack, fake_graph, thread):
    form = compose(client, fake_slack, thread, "cta_url")
    assert errors(submit(client, form, {"body": "Track", "button": "Open", "url": "javascript:x"})) == \
        {"url": "Give the address the button opens, starting with https://."}
    assert submit(client, form, {"body": "Track", "button": "Open", "url": "https://shop.example/1"}).status_code \
        == 200
    form = compose(client, fake_slack, thread, "location_request_message")
    assert [b["block_id"] for b in form["blocks"]] == ["body"]
    assert submit(client, form, {"body": "Where to?"}, view_id="VR2").status_code == 200
    run_worker(rt)
    assert [s["interactive"]["type"] for s in fake_graph.sent] == ["cta_url", "location_request_message"]


def test_metas_refusal_is_said_in_the_thread(client, rt, fake_slack, fake_graph, thread):
    from tests.fakes.meta_graph import graph_error
    form = compose(client, fake_slack, thread, "button")
    fake_graph.refuse_sends = graph_error(131009, "(#131009) Parameter value is not valid", 400)
    assert submit(client, form, {"body": "Size?", "options": "S"}).status_code == 200
    run_worker(rt)
    said = json.dumps([m for m in fake_slack.messages if m.get("thread_ts") == thread])
    assert "131009" in said


def test_forged_kinds_and_threads_are_refused(client, rt, fake_slack, fake_graph, thread):
    form = compose(client, fake_slack, thread, "button")
    meta = json.loads(form["private_metadata"])
    for forged in ({**meta, "kind": "quick"}, {**meta, "team_id": "T2"}, {**meta, "thread_ts": "1.1"}):
        assert errors(submit(client, {**form, "private_metadata": json.dumps(forged)},
                             {"body": "x", "options": "A"})) == {"body": messages.SAVED_FORM_GONE}
    picker = open_more(client, fake_slack, thread)
    assert errors(submit(client, picker, {"kind": "quick"})) == {"kind": messages.RICH_KIND_NONE}
    run_worker(rt)
    assert fake_graph.sent == []


def test_messenger_quick_replies(client, rt, fake_slack, fake_graph):
    root = messaging_thread(client, rt, fake_slack, fake_graph, "Hello")
    form = open_more(client, fake_slack, root)  # one kind: straight to its form
    assert form["callback_id"] == "rich_reply_compose" and [b["block_id"] for b in form["blocks"]] == \
        ["body", "options"]
    many = "\n".join(f"Option {n}" for n in range(14))
    assert errors(submit(client, form, {"body": "Pick", "options": many})) == \
        {"options": "14 quick replies; Meta takes at most 13."}
    assert submit(client, form, {"body": "Pick a colour", "options": "Red\nGreen"}).status_code == 200
    run_worker(rt)
    [sent] = fake_graph.sent
    assert sent["kind"] == "page" and sent["body"] == "Pick a colour"
    assert [q["title"] for q in sent["quick_replies"]] == ["Red", "Green"]
