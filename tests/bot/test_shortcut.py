"""The "Send to customer…" message shortcut (issue 14, point 6): signed message_action and view_submission requests,
the real worker, the Slack fake (views, posts, files) and the Graph fake (what WhatsApp receives)."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from metaops import messages
from metaops.conversation import unanswered
from store import threads
from store.models import Customer, ReplyOutbox, Workspace
from store.timestamps import utcnow
from tests.constants import PHONE_ID
from tests.helpers import customer_thread, post_webhook, run_worker, wa_message, wa_payload
from tests.helpers import interact as signed

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000
MEMBER = "U_MEMBER"  # not an admin: any member may send, as any member may reply in a thread


@pytest.fixture
def thread(client, rt, fake_slack, fake_graph) -> str:
    """+1 555 123 4567 wrote: their thread in #C_CONNECT (its root ts)."""
    return customer_thread(client, rt, fake_slack, fake_graph)


def shortcut(client, fake_slack, message: dict[str, Any], channel: str = "C_CONNECT", team: str = "T1",
             user: str = MEMBER, user_team: str | None = None) -> Any:
    """The shortcut on `message`; returns once its modal is open (the listener opens it after the ack)."""
    views = len(fake_slack.views)
    r = signed(client, {
        "type": "message_action", "callback_id": "send_to_customer", "trigger_id": "1.7", "team": {"id": team},
        "channel": {"id": channel, "name": "support"}, "user": {"id": user, "team_id": user_team or team},
        "message_ts": message["ts"], "response_url": "http://127.0.0.1:9/response", "message": message})
    assert r.status_code == 200
    deadline = time.monotonic() + 10
    while len(fake_slack.views) <= views and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(fake_slack.views) == views + 1
    return r


def submit(client, view: dict[str, Any], value: str | None, team: str = "T1", user: str = MEMBER,
           view_id: str = "VS1") -> Any:
    selected = {"selected_option": {"value": value}} if value is not None else {}
    state = {"customer": {"send_to_customer_choose": {"type": "static_select", **selected}}}
    return signed(client, {"type": "view_submission", "team": {"id": team}, "user": {"id": user, "team_id": team},
                           "api_app_id": "A1", "trigger_id": "1.8",
                           "view": {**view, "id": view_id, "state": {"values": state}}})


def options(view: dict[str, Any]) -> list[dict[str, Any]]:
    [picker] = [b for b in view["blocks"] if b.get("block_id") == "customer"]
    return picker["element"]["options"]


def thread_id(rt, channel: str, ts: str) -> str:
    return str(threads.find_by_root(rt.db.engine, channel, ts).id)


def errors(r: Any) -> dict[str, str]:
    body = r.get_json()
    assert body and body["response_action"] == "errors", body
    return dict(body["errors"])


def message(text: str, ts: str = "1700000200.000100", **extra: Any) -> dict[str, Any]:
    return {"type": "message", "user": "U_OTHER", "text": text, "ts": ts, **extra}


def shown(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def in_thread(fake_slack, ts: str) -> list[dict[str, Any]]:
    return [m for m in fake_slack.messages if m.get("thread_ts") == ts]


def test_the_modal_lists_the_channels_customers_most_recent_first(client, rt, fake_slack, thread):
    post_webhook(client, wa_payload([wa_message("wamid.IN2", "15559876543", "Hello")], names={"15559876543": "Bea"}))
    run_worker(rt)
    bea_ts = next(m["ts"] for m in fake_slack.messages if "Bea" in json.dumps(m) and not m.get("thread_ts"))
    threads.remember(rt.db.engine, "T1", PHONE_ID, "15550001111", "C_ELSEWHERE", "1700000300.000001")  # other channel
    with rt.db.session() as s:  # the first customer wrote last, though their thread is older
        s.execute(update(Customer).where(Customer.phone == "15551234567").values(last_inbound_at=utcnow()))
        s.execute(update(Customer).where(Customer.phone == "15559876543")
                  .values(last_inbound_at=utcnow() - timedelta(hours=1), username="bea.shop"))

    assert shortcut(client, fake_slack, message("Your jacket ships today")).status_code == 200
    [view] = fake_slack.views
    assert view["callback_id"] == "send_to_customer_modal" and view["submit"]["text"] == "Send"
    assert "Your jacket ships today" in shown(view)  # what will go, quoted
    assert [(o["text"]["text"], o["value"]) for o in options(view)] == [
        ("Customer 4567 · +15551234567 (WhatsApp)", thread_id(rt, "C_CONNECT", thread)),
        ("Bea · @bea.shop · +15559876543 (WhatsApp)", thread_id(rt, "C_CONNECT", bea_ts))]
    meta = json.loads(view["private_metadata"])
    assert meta["team_id"] == "T1" and meta["channel_id"] == "C_CONNECT" and meta["draft"]
    assert fake_slack.messages[-1]["ts"] == bea_ts  # opening the modal posted nothing


def test_at_most_slacks_100_options(client, rt, fake_slack, thread):
    for n in range(105):
        threads.remember(rt.db.engine, "T1", PHONE_ID, f"1555000{n:04d}", "C_CONNECT", f"1700000400.{n:06d}")
    shortcut(client, fake_slack, message("Hi"))
    [view] = fake_slack.views
    assert len(options(view)) == 100


def test_submitting_sends_the_text_to_the_chosen_whatsapp_customer(client, rt, fake_slack, fake_graph, thread):
    assert unanswered.count(rt, "T1") == 1
    shortcut(client, fake_slack, message("Your jacket ships *today*"))
    [view] = fake_slack.views
    r = submit(client, view, thread_id(rt, "C_CONNECT", thread))
    assert r.status_code == 200 and not (r.get_data() and r.get_json())  # the modal closes

    [post] = in_thread(fake_slack, thread)  # the thread shows what went, and who sent it
    assert "Your jacket ships *today*" in json.dumps(post["blocks"])
    assert f"Sent to the customer by <@{MEMBER}> from a shortcut" in post["text"]
    run_worker(rt)
    assert fake_graph.sent == [{"from": PHONE_ID, "to": "15551234567", "body": "Your jacket ships *today*",
                                "kind": "whatsapp"}]
    assert fake_slack.reactions_on(post["ts"]) == ["white_check_mark"]  # on the thread's copy
    with rt.db.session() as s:
        row = s.scalars(select(ReplyOutbox)).one()
        assert (row.state, row.user_id, row.channel_id, row.thread_ts, row.slack_ts, row.text) == \
            ("sent", MEMBER, "C_CONNECT", thread, post["ts"], "Your jacket ships *today*")
    assert unanswered.count(rt, "T1") == 0  # the thread is answered

    assert submit(client, view, thread_id(rt, "C_CONNECT", thread)).status_code == 200  # the same view again
    run_worker(rt)
    assert len(fake_graph.sent) == 1 and len(in_thread(fake_slack, thread)) == 1


def test_a_file_on_the_message_is_sent_too(client, rt, fake_slack, fake_graph, thread):
    files = [fake_slack.share_file("F_IMG", "jacket.png", "image/png", PNG)]
    shortcut(client, fake_slack, message("The blue one", files=files, subtype="file_share"))
    [view] = fake_slack.views
    assert "jacket.png" in shown(view)
    submit(client, view, thread_id(rt, "C_CONNECT", thread))
    [post] = in_thread(fake_slack, thread)
    assert "jacket.png" in post["text"]
    run_worker(rt)
    [(media_id, upload)] = list(fake_graph.uploads.items())
    assert (upload["filename"], upload["bytes"]) == ("jacket.png", PNG)
    assert fake_graph.sent == [{"from": PHONE_ID, "to": "15551234567", "kind": "whatsapp", "type": "image",
                                "id": media_id, "caption": "The blue one"}]


def test_a_file_without_text_is_sent(client, rt, fake_slack, fake_graph, thread):
    files = [fake_slack.share_file("F_IMG", "jacket.png", "image/png", PNG)]
    shortcut(client, fake_slack, message("", files=files))
    submit(client, fake_slack.views[0], thread_id(rt, "C_CONNECT", thread))
    run_worker(rt)
    [sent] = fake_graph.sent
    assert sent["type"] == "image" and "caption" not in sent


def test_a_forged_thread_of_another_team_reaches_nothing(client, rt, fake_slack, fake_graph, thread):
    threads.remember(rt.db.engine, "T2", "PHONE_T2", "15550002222", "C_T2", "1700000500.000001")
    other = thread_id(rt, "C_T2", "1700000500.000001")
    shortcut(client, fake_slack, message("Hi"))
    [view] = fake_slack.views
    assert errors(submit(client, view, other)) == {"customer": messages.FORWARD_NOT_A_THREAD}

    # T2 opens the shortcut in its own channel and names T1's thread: refused too
    shortcut(client, fake_slack, message("Hi"), channel="C_T2", team="T2", user="U_T2")
    t2_view = fake_slack.views[1]
    assert [o["value"] for o in options(t2_view)] == [other]
    assert errors(submit(client, t2_view, thread_id(rt, "C_CONNECT", thread), team="T2", user="U_T2")) == \
        {"customer": messages.FORWARD_NOT_A_THREAD}
    # T1's form sent as T2, and T1's message token under T2's name
    assert errors(submit(client, view, thread_id(rt, "C_CONNECT", thread), team="T2", user="U_T2")) == \
        {"customer": messages.MODAL_NOT_THIS_TEAM}
    forged = {**view, "private_metadata": json.dumps({**json.loads(view["private_metadata"]), "team_id": "T2",
                                                      "channel_id": "C_T2"})}
    assert errors(submit(client, forged, other, team="T2", user=MEMBER)) == {"customer": messages.FORWARD_GONE}
    for value in ("not-a-number", "", None):
        assert errors(submit(client, view, value)) == {"customer": messages.FORWARD_NOT_A_THREAD}
    run_worker(rt)
    assert fake_graph.sent == [] and fake_slack.messages == []
    with rt.db.session() as s:
        assert s.scalars(select(ReplyOutbox)).all() == []


def test_a_thread_of_another_channel_of_the_same_team_is_refused(client, rt, fake_slack, fake_graph, thread):
    threads.remember(rt.db.engine, "T1", PHONE_ID, "15550003333", "C_PRIVATE", "1700000600.000001")
    shortcut(client, fake_slack, message("Hi"))
    assert errors(submit(client, fake_slack.views[0], thread_id(rt, "C_PRIVATE", "1700000600.000001"))) == \
        {"customer": messages.FORWARD_NOT_A_THREAD}
    assert fake_slack.messages == []


def test_a_note_is_refused_with_a_reason(client, rt, fake_slack, fake_graph, thread):
    for text in ("note: they still owe us for March", "// check stock first", "  NOTE: inside",
                 "*Note:* refund abuser", "_Note:_ slow payer", "&gt; note: quoted", "~note:~ x", "`note:` x"):
        fake_slack.reset()
        assert shortcut(client, fake_slack, message(text)).status_code == 200
        [view] = fake_slack.views
        assert view.get("submit") is None and messages.FORWARD_NOTE in shown(view)
    run_worker(rt)
    assert fake_graph.sent == [] and fake_slack.messages == []
    assert not rt.redis.keys("metaops:forward:*")  # nothing kept to send


@pytest.mark.parametrize(("case", "reason"), [("guest", messages.FORWARD_GUEST), ("empty", messages.FORWARD_EMPTY),
                                              ("no threads", messages.FORWARD_NONE)])
def test_the_shortcut_says_why_it_cannot_be_used(client, rt, fake_slack, fake_graph, thread, case, reason):
    if case == "guest":  # a Slack Connect guest: their messages never reach customers
        shortcut(client, fake_slack, message("Hi"), user_team="T_GUEST_ORG")
    elif case == "empty":
        shortcut(client, fake_slack, message("  "))
    else:
        shortcut(client, fake_slack, message("Hi"), channel="C_NO_THREADS")
    [view] = fake_slack.views
    assert view.get("submit") is None and reason in shown(view)
    assert fake_slack.messages == []


def test_replies_off_refuses_and_an_expired_form_says_so(client, rt, fake_slack, fake_graph, thread):
    shortcut(client, fake_slack, message("Hi"))
    [view] = fake_slack.views
    with rt.db.session() as s:
        s.get(Workspace, "T1").replies_enabled = False
    assert errors(submit(client, view, thread_id(rt, "C_CONNECT", thread))) == \
        {"customer": messages.FORWARD_REPLIES_OFF}
    rt.redis.delete(*rt.redis.keys("metaops:forward:*"))  # the message kept for the modal expired
    assert errors(submit(client, view, thread_id(rt, "C_CONNECT", thread))) == {"customer": messages.FORWARD_GONE}
    assert fake_slack.messages == [] and fake_graph.sent == []


def test_a_post_slack_refuses_sends_nothing_and_the_form_may_be_sent_again(client, rt, fake_slack, fake_graph,
                                                                          thread):
    shortcut(client, fake_slack, message("Hi there"))
    [view] = fake_slack.views
    fake_slack.limit_channel("C_CONNECT", 30)
    assert "rate limited" in errors(submit(client, view, thread_id(rt, "C_CONNECT", thread)))["customer"]
    with rt.db.session() as s:
        assert s.scalars(select(ReplyOutbox)).all() == []
    fake_slack.limit_channel("C_CONNECT", 0)
    assert submit(client, view, thread_id(rt, "C_CONNECT", thread)).status_code == 200
    run_worker(rt)
    assert [m["body"] for m in fake_graph.sent] == ["Hi there"]


def test_the_manifest_declares_the_message_shortcut():
    from metaops.manifest import render

    text = render("https://ops.example.test")
    assert "  shortcuts:\n    - name: Send to customer…\n      type: message\n" \
           "      callback_id: send_to_customer" in text


def test_a_note_kept_for_the_modal_is_refused_at_submission(client, rt, fake_slack, fake_graph, thread):
    shortcut(client, fake_slack, message("Your order ships today"))
    [view] = fake_slack.views
    [key] = rt.redis.keys("metaops:forward:*")
    draft = json.loads(rt.redis.get(key))
    rt.redis.set(key, json.dumps({**draft, "text": "*Note:* refund abuser"}))  # a note however it got there
    assert errors(submit(client, view, thread_id(rt, "C_CONNECT", thread))) == {"customer": messages.FORWARD_NOTE}
    run_worker(rt)
    assert fake_graph.sent == [] and fake_slack.messages == []
    with rt.db.session() as s:
        assert s.scalars(select(ReplyOutbox)).all() == []
