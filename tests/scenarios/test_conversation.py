"""The conversation in a customer thread (issue 13, points 3-6): internal notes, the signature, read receipts,
reply states as reactions, and WhatsApp's 24-hour reply window. Signed Slack requests, the real worker, the fakes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from metaops import clock, jobs
from metaops.conversation.buttons import TEMPLATE_SEND_OPEN
from store.models import OutboundMessage, ReplyOutbox, Workspace
from store.timestamps import utcnow
from tests.fakes.meta_graph import graph_error, window_closed
from tests.helpers import (
    PHONE_ID,
    connect_whatsapp,
    fixture,
    post_webhook,
    run_worker,
    slack_event,
    slash_command,
    wa_message,
    wa_payload,
)

CUSTOMER = "15551234567"


@pytest.fixture
def now(rt):
    """The runtime's clock, held still and moved by the test: `now[0]`."""
    held = [utcnow()]
    rt.now = lambda: held[0]
    return held


@pytest.fixture
def thread(client, rt, fake_slack, fake_graph, now):
    """A WhatsApp customer wrote (wamid.IN1) at `now[0]`; their thread exists in #C_CONNECT. The Slack fake keeps
    the root (it is edited later) but forgets every call so far."""
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    customer_writes(client, rt, "wamid.IN1", "Hi, is it in stock?")
    [root] = fake_slack.messages
    fake_slack.reactions.clear()
    fake_slack.edits.clear()
    fake_slack.calls.clear()
    return str(root["ts"])


def customer_writes(client, rt, wamid, text):
    post_webhook(client, wa_payload([wa_message(wamid, CUSTOMER, text)]))
    run_worker(rt)


def reply(client, text, thread_ts, ts="1700000100.000200", user="U_ADMIN", **extra):
    event = {"type": "message", "channel": "C_CONNECT", "user": user, "text": text, "ts": ts,
             "thread_ts": thread_ts, "team": "T1", **extra}
    return slack_event(client, event, event_id=f"Ev{ts}")


def status(client, rt, message_id, state, **extra):
    post_webhook(client, wa_payload([], statuses=[{"id": message_id, "status": state, "timestamp": "2",
                                                   "recipient_id": CUSTOMER, **extra}]))
    run_worker(rt)


def sends(fake_graph):
    return [c for c in fake_graph.calls if c.path == f"/v26.0/{PHONE_ID}/messages"]


def in_thread(fake_slack, root):
    return [m for m in fake_slack.messages if m.get("thread_ts") == root]


# Point 3: internal notes


@pytest.mark.parametrize("note", ["note: call them back tomorrow", "NOTE: they paid", "  Note:check stock",
                                  "// internal: price is wrong", "//no space"])
def test_a_note_is_never_sent_and_is_marked(client, rt, fake_slack, fake_graph, thread, note):
    assert reply(client, note, thread).status_code == 200
    run_worker(rt)
    assert sends(fake_graph) == [] and fake_graph.sent == []
    assert fake_slack.reactions_on("1700000100.000200") == ["memo"]
    with rt.db.session() as s:
        assert s.scalars(select(ReplyOutbox)).all() == []  # never stored for sending either


def test_only_a_message_that_starts_so_is_a_note(client, rt, fake_slack, fake_graph, thread):
    reply(client, "a note: this one goes out", thread)
    reply(client, "https://acme.test/p // see", thread, ts="1700000100.000300")
    run_worker(rt)
    assert [s["body"] for s in fake_graph.sent] == ["a note: this one goes out", "https://acme.test/p // see"]
    assert "memo" not in {r["name"] for r in fake_slack.reactions}


def test_a_note_outside_a_customer_thread_is_left_alone(client, rt, fake_slack, fake_graph, thread):
    reply(client, "note: just chatting", "1600000000.000001")  # a thread that is no customer's
    reply(client, "note: from a bot", thread, ts="1700000100.000300", bot_id="B1")
    reply(client, "note: edited", thread, ts="1700000100.000400", subtype="message_changed")
    run_worker(rt)
    assert fake_slack.reactions == [] and fake_graph.sent == []


def test_help_lists_notes_and_signature(client):
    text = slash_command(client, "help").get_json()["text"]
    assert "note:" in text and "//" in text and "/meta signature on|off" in text


# Point 4: who replied


def test_signature_prefixes_replies_with_the_display_name(client, rt, fake_slack, fake_graph, thread):
    assert "Signature on" in slash_command(client, "signature on", user="U_ADMIN").get_json()["text"]
    reply(client, "*Yes*, in stock", thread)
    reply(client, "shipped today", thread, ts="1700000100.000300", user="U_OWNER")  # no display name: user name
    run_worker(rt)
    assert [s["body"] for s in fake_graph.sent] == ["*Ada*: *Yes*, in stock", "*olu*: shipped today"]
    assert "Signature off" in slash_command(client, "signature OFF", user="U_ADMIN").get_json()["text"]
    reply(client, "unsigned", thread, ts="1700000100.000400")
    run_worker(rt)
    assert fake_graph.sent[-1]["body"] == "unsigned"


def test_signature_of_someone_slack_does_not_name_is_left_out(client, rt, fake_slack, fake_graph, thread):
    slash_command(client, "signature on", user="U_ADMIN")
    reply(client, "hello", thread, user="U_GHOST")  # users.info: user_not_found
    run_worker(rt)
    assert [s["body"] for s in fake_graph.sent] == ["hello"]  # never "*U_GHOST*: …"


def test_signature_is_off_by_default_and_only_admins_switch_it(client, rt, fake_slack, fake_graph, thread):
    reply(client, "plain", thread)
    run_worker(rt)
    assert fake_graph.sent[-1]["body"] == "plain"
    refused = slash_command(client, "signature on", user="U_MEMBER").get_json()["text"]
    assert "Signature on" not in refused
    for wrong in ("signature", "signature maybe", "signature on off"):
        assert "/meta signature on" in slash_command(client, wrong, user="U_ADMIN").get_json()["text"]
    with rt.db.session() as s:
        assert s.get(Workspace, "T1").signature_enabled is False


# Point 5: read receipts and reply states


@pytest.mark.both_databases  # a conditional UPDATE of the customer's last message
def test_a_reply_marks_the_customers_last_message_read_with_typing(client, rt, fake_slack, fake_graph, thread):
    reply(client, "Yes it is", thread)
    reply(client, "And in blue too", thread, ts="1700000100.000300")
    run_worker(rt)
    # each reply: the read call with the typing indicator first (issue 22, point 7), then the text
    assert fake_graph.read == [{"from": PHONE_ID, "message_id": "wamid.IN1"}] * 2 == fake_graph.typing
    read_call = next(c for c in sends(fake_graph) if c.params.get("status") == "read")
    body = {k: v for k, v in read_call.params.items() if k != "appsecret_proof"}
    assert body == {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN1",
                    "typing_indicator": {"type": "text"}}
    customer_writes(client, rt, "wamid.IN2", "Great, thanks")
    reply(client, "You're welcome", thread, ts="1700000100.000400")
    run_worker(rt)
    assert [r["message_id"] for r in fake_graph.read] == ["wamid.IN1", "wamid.IN1", "wamid.IN2"]


def test_a_read_receipt_refused_never_blocks_the_reply(client, rt, fake_slack, fake_graph, thread):
    fake_graph.refuse_reads = graph_error(100, "(#100) Invalid parameter message_id", 400)
    reply(client, "Yes it is", thread)
    run_worker(rt)
    assert [s["body"] for s in fake_graph.sent] == ["Yes it is"] and fake_graph.read == []
    assert fake_slack.reactions_on("1700000100.000200") == ["white_check_mark"]
    assert in_thread(fake_slack, thread) == []  # nothing to explain: the reply went out


def test_the_replys_reaction_advances_sent_delivered_read(client, rt, fake_slack, fake_graph, thread):
    ts = "1700000100.000200"
    reply(client, "On its way", thread, ts=ts)
    run_worker(rt)
    assert fake_slack.reactions_on(ts) == ["white_check_mark"]
    with rt.db.session() as s:
        out_id = s.scalars(select(OutboundMessage.id)).one()
    status(client, rt, out_id, "sent")
    assert fake_slack.reactions_on(ts) == ["white_check_mark"]
    status(client, rt, out_id, "delivered")
    assert fake_slack.reactions_on(ts) == ["incoming_envelope"]
    status(client, rt, out_id, "read")
    assert fake_slack.reactions_on(ts) == ["eyes"]
    status(client, rt, out_id, "delivered")  # late, out of order: never backwards
    assert fake_slack.reactions_on(ts) == ["eyes"]
    assert [r["name"] for r in fake_slack.removed_reactions] == ["white_check_mark", "incoming_envelope"]
    status(client, rt, out_id, "played")  # a voice message listened to: a receipt like read, never a post
    assert fake_slack.reactions_on(ts) == ["headphones"]
    assert in_thread(fake_slack, thread) == []


def test_read_straight_after_sent_replaces_the_check_mark(client, rt, fake_slack, fake_graph, thread):
    reply(client, "Quick one", thread)
    run_worker(rt)
    with rt.db.session() as s:
        out_id = s.scalars(select(OutboundMessage.id)).one()
    status(client, rt, out_id, "read")
    assert fake_slack.reactions_on("1700000100.000200") == ["eyes"]


def test_a_failed_status_replaces_the_reaction_with_x_and_explains(client, rt, fake_slack, fake_graph, thread):
    ts = "1700000100.000200"
    reply(client, "On its way", thread, ts=ts)
    run_worker(rt)
    with rt.db.session() as s:
        out_id = s.scalars(select(OutboundMessage.id)).one()
    status(client, rt, out_id, "delivered")
    status(client, rt, out_id, "failed", errors=[{"code": 131026, "title": "Message undeliverable",
                                                  "error_data": {"details": "Receiver is incapable"}}])
    assert fake_slack.reactions_on(ts) == ["x"]
    [note] = in_thread(fake_slack, thread)
    assert "Message undeliverable" in note["text"] and "Receiver is incapable" in note["text"]


def test_a_status_for_a_message_we_did_not_send_changes_nothing(client, rt, fake_slack, fake_graph, thread):
    status(client, rt, "wamid.NOT_OURS", "read")
    assert fake_slack.reactions == [] and fake_slack.removed_reactions == []


# Point 6: the 24-hour window


def window_lines(message):
    blocks = message["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return [b for b in blocks if b.get("block_id") == "reply_window"], blocks


@pytest.mark.both_databases  # the window from a stored time (SQLite keeps it as text)
def test_the_root_says_until_when_the_window_is_open(client, rt, fake_slack, fake_graph, now):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    customer_writes(client, rt, "wamid.IN1", "Hi, is it in stock?")
    [root] = fake_slack.messages
    end = now[0] + timedelta(hours=24)
    [line], blocks = window_lines(root)
    assert line["type"] == "context"
    assert line["elements"][0]["text"].startswith(f"Reply window open until {end:%H:%M} UTC ({end:%b} {end.day})")
    assert "Hi, is it in stock?" in blocks[0]["text"]["text"]  # the customer's message stays the root's

    customer_writes(client, rt, "wamid.IN2", "Hello?")  # the same minute: the line would read the same
    assert len(fake_slack.edits) == 1

    now[0] += timedelta(hours=2, minutes=3)
    customer_writes(client, rt, "wamid.IN3", "Anyone there?")
    end = now[0] + timedelta(hours=24)
    assert len(fake_slack.edits) == 2
    [line], blocks = window_lines(root)
    assert f"until {end:%H:%M} UTC" in line["elements"][0]["text"]
    # moved, not added twice: the message, its Saved reply / More… buttons, the window line
    assert "Hi, is it in stock?" in blocks[0]["text"]["text"] and len(blocks) == 3


def test_a_root_edit_refused_by_slack_never_fails_the_message(client, rt, fake_slack, fake_graph, thread, now):
    fake_slack.messages.clear()  # Slack no longer has the root (deleted): chat.update gets message_not_found
    now[0] += timedelta(hours=1)
    customer_writes(client, rt, "wamid.IN2", "Still there?")
    assert [m["text"] for m in fake_slack.messages if "Still there?" in m["text"]]
    assert fake_slack.edits == []


@pytest.mark.both_databases  # the nudge query and its conditional UPDATE
def test_an_unanswered_customer_gets_one_nudge_before_the_window_closes(client, rt, fake_slack, fake_graph, thread,
                                                                       now):
    assert "metaops.jobs.window_nudges" in clock.scheduled()
    start = now[0]
    now[0] = start + timedelta(hours=22, minutes=55)
    assert jobs.window_nudges() == 0  # more than an hour left
    now[0] = start + timedelta(hours=23, minutes=10)
    assert jobs.window_nudges() == 1
    now[0] = start + timedelta(hours=23, minutes=15)
    assert jobs.window_nudges() == 0  # one nudge per window
    [nudge] = in_thread(fake_slack, thread)
    end = start + timedelta(hours=24)
    assert f"closes at {end:%H:%M} UTC" in nudge["text"] and "in 50 min" in nudge["text"]

    customer_writes(client, rt, "wamid.IN2", "Hello?")  # a new window: a new nudge when it nears its end
    now[0] += timedelta(hours=23, minutes=5)
    assert jobs.window_nudges() == 1
    now[0] = start + timedelta(days=3)
    assert jobs.window_nudges() == 0  # closed long ago: nothing to say


@pytest.mark.both_databases  # the nudge query and its conditional UPDATE
def test_an_answered_customer_is_not_nudged(client, rt, fake_slack, fake_graph, thread, now):
    start = now[0]
    now[0] = start + timedelta(minutes=5)
    reply(client, "Yes it is", thread)
    run_worker(rt)
    now[0] = start + timedelta(hours=23, minutes=30)
    assert jobs.window_nudges() == 0
    assert in_thread(fake_slack, thread) == []


@pytest.mark.both_databases  # the nudge taken by a conditional UPDATE, then given back
def test_a_nudge_slack_refuses_is_tried_again(client, rt, fake_slack, fake_graph, thread, now):
    start = now[0]
    now[0] = start + timedelta(hours=23, minutes=10)
    fake_slack.limit_channel("C_CONNECT", 60)
    assert jobs.window_nudges() == 0
    fake_slack.limited.clear()
    assert jobs.window_nudges() == 1


def assert_send_template_button(note, thread):
    """The post carries the thread's "Send template" button, and nothing else to press."""
    [actions] = [b for b in note["blocks"] if b["type"] == "actions"]
    [button] = actions["elements"]
    assert button["action_id"] == TEMPLATE_SEND_OPEN
    assert json.loads(button["value"]) == {"channel": "C_CONNECT", "thread_ts": thread}


@pytest.mark.both_databases  # the window from a stored time
def test_a_reply_after_the_window_closed_is_answered_at_once_with_the_template_button(client, rt, fake_slack,
                                                                                     fake_graph, thread, now):
    now[0] += timedelta(hours=24, minutes=1)
    reply(client, "Sorry for the wait!", thread)
    run_worker(rt)
    assert sends(fake_graph) == []  # no 131047 round trip, no read receipt
    [note] = in_thread(fake_slack, thread)
    assert "window closed" in note["text"]
    assert_send_template_button(note, thread)
    assert fake_slack.reactions_on("1700000100.000200") == ["x"]
    with rt.db.session() as s:
        row = s.scalars(select(ReplyOutbox)).one()
    assert row.state == "refused" and row.last_error == "reply window closed"


@pytest.mark.both_databases  # the window from a stored time, to the minute
def test_a_reply_just_before_the_window_closes_is_sent(client, rt, fake_slack, fake_graph, thread, now):
    now[0] += timedelta(hours=23, minutes=59)
    reply(client, "Just in time", thread)
    run_worker(rt)
    assert [s["body"] for s in fake_graph.sent] == ["Just in time"]


def test_metas_131047_in_the_sends_answer_is_answered_with_the_template_button(client, rt, fake_slack, fake_graph,
                                                                                thread):
    # Meta counts the window from its own clock: it may refuse a reply this app still thought in time
    fake_graph.refuse_sends = window_closed()
    reply(client, "Sorry for the wait!", thread)
    run_worker(rt)
    assert len([c for c in sends(fake_graph) if c.params.get("status") != "read"]) == 1  # the read call aside
    [note] = in_thread(fake_slack, thread)
    assert note["text"].startswith(":x: Not sent to the customer: (#131047) Re-engagement message (code 131047")
    assert "within 24 hours of the customer's last message" in note["text"]
    assert_send_template_button(note, thread)
    assert fake_slack.reactions_on("1700000100.000200") == ["x"]


def test_metas_131047_in_a_failed_status_is_answered_with_the_template_button(client, rt, fake_slack, fake_graph,
                                                                               thread):
    reply(client, "On its way", thread)
    run_worker(rt)
    with rt.db.session() as s:
        out_id = s.scalars(select(OutboundMessage.id)).one()
    fake_slack.messages.clear()
    post_webhook(client, fixture("whatsapp/status_failed_window.json", id=out_id))
    run_worker(rt)
    [note] = in_thread(fake_slack, thread)
    assert note["text"].startswith(":x: Not sent to the customer: Re-engagement message (code 131047) — Message "
                                   "failed to send because more than 24 hours have passed")
    assert "within 24 hours of the customer's last message" in note["text"]
    assert_send_template_button(note, thread)
    assert fake_slack.reactions_on("1700000100.000200") == ["x"]
    [alert] = [m for m in fake_slack.messages if "thread_ts" not in m]  # the alerts channel's post, as before
    assert "131047 Re-engagement message" in alert["text"] and "+15551234567" in alert["text"]
