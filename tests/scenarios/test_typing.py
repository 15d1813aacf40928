"""Read and typing while a member's reply goes out (issue 22, point 7): WhatsApp's typing indicator on the read
call, Messenger's and Instagram's sender actions, each before the reply itself; a refusal never holds the reply.
Signed Slack events, the real worker, the Graph fake refusing what Meta refuses."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from integrations.meta import pages, whatsapp
from integrations.meta.errors import GraphError
from store.models import Customer
from tests.helpers import PHONE_ID, customer_thread, messaging_thread, run_worker, slack_event


def reply(client, text, thread_ts, ts="1700000100.000200"):
    return slack_event(client, {"type": "message", "channel": "C_CONNECT", "user": "U_ADMIN", "text": text, "ts": ts,
                                "thread_ts": thread_ts, "team": "T1"})


def posted(fake_graph, path):
    return [json.loads(c.raw) if c.raw else {} for c in fake_graph.calls if c.path == path and c.method == "POST"]


def test_whatsapp_reply_marks_read_with_the_typing_indicator_before_it_goes(client, rt, fake_slack, fake_graph):
    root = customer_thread(client, rt, fake_slack, fake_graph)
    reply(client, "Let me check", root)
    reply(client, "Yes, in stock", root, ts="1700000100.000300")
    run_worker(rt)
    bodies = [{k: v for k, v in b.items() if k != "appsecret_proof"}
              for b in posted(fake_graph, f"/v26.0/{PHONE_ID}/messages")]
    typing = {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN1",
              "typing_indicator": {"type": "text"}}
    assert [b.get("status") or b["text"]["body"] for b in bodies] == ["read", "Let me check", "read", "Yes, in stock"]
    assert bodies[0] == typing == bodies[2]  # the second reply too: the id is kept once read
    assert fake_graph.typing == [{"from": PHONE_ID, "message_id": "wamid.IN1"}] * 2


def test_a_typing_indicator_meta_refuses_never_holds_the_reply(client, rt, fake_slack, fake_graph):
    root = customer_thread(client, rt, fake_slack, fake_graph)
    with rt.db.session() as s:  # not a received message: Meta answers 131009
        s.execute(update(Customer).values(last_inbound_id="wamid.OUT77"))
    reply(client, "Hello", root)
    run_worker(rt)
    assert fake_graph.typing == [] and fake_graph.read == []
    assert [s["body"] for s in fake_graph.sent] == ["Hello"]
    assert fake_slack.reactions_on("1700000100.000200") == ["white_check_mark"]


@pytest.mark.parametrize("platform, account, customer", [("page", "PAGE1", "PSID777"),
                                                         ("instagram", "PAGE1", "IGSID9")])
def test_messenger_and_instagram_replies_send_mark_seen_and_typing_on_first(client, rt, fake_slack, fake_graph,
                                                                            platform, account, customer):
    root = messaging_thread(client, rt, fake_slack, fake_graph, "hello?", platform=platform)
    reply(client, "Hi there", root)
    run_worker(rt)
    calls = posted(fake_graph, f"/v26.0/{account}/messages")
    assert [c.get("sender_action") or c["message"]["text"] for c in calls] == ["mark_seen", "typing_on", "Hi there"]
    assert all(set(c) - {"appsecret_proof"} == {"recipient", "sender_action"} for c in calls[:2])
    assert fake_graph.sender_actions == [{"from": account, "to": customer, "action": a}
                                         for a in ("mark_seen", "typing_on")]


def test_the_fake_refuses_what_meta_refuses(rt, fake_graph):
    user, page = fake_graph.issue_token(), fake_graph.issue_token("page", expires_in=0)
    with pytest.raises(GraphError) as e:
        whatsapp.mark_read(rt.graph, user, PHONE_ID, "wamid.OUT1", typing=True)
    assert e.value.code == 131009
    with pytest.raises(GraphError):
        rt.graph.post(f"{PHONE_ID}/messages", user, json_body={
            "messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN1",
            "typing_indicator": {"type": "audio"}})
    with pytest.raises(GraphError):
        rt.graph.post("PAGE1/messages", page, json_body={"recipient": {"id": "PSID1"}, "sender_action": "typing_on",
                                                         "message": {"text": "hi"}})
    with pytest.raises(ValueError):
        pages.sender_action(rt.graph, page, "PAGE1", "PSID1", "dance")
    whatsapp.mark_read(rt.graph, user, PHONE_ID, "wamid.IN1", typing=True)
    pages.sender_action(rt.graph, page, "PAGE1", "PSID1", "typing_on")
    assert fake_graph.typing == [{"from": PHONE_ID, "message_id": "wamid.IN1"}]
    assert fake_graph.sender_actions == [{"from": "PAGE1", "to": "PSID1", "action": "typing_on"}]
