"""Coexistence history: the payload files (tests/fixtures/meta/whatsapp/history*.json, smb_app_state_sync.json, built
from Meta's history and smb_app_state_sync references) -> what is stored and posted; `/meta history` and its import
into customer threads at Slack's pace, marked as history, never unanswered, never sent, resumed after a crash with
every message shown once."""

from __future__ import annotations

import copy
import time

import pytest
from sqlalchemy import select, update

from metaops.conversation import unanswered
from metaops.delivery import history_import
from metaops.queue import history as jobs
from store import customers
from store import history as stored
from store.models import DedupeKey, HistoryMessage, NotificationRoute, WebhookEvent
from tests.constants import PHONE_ID
from tests.helpers import connect_whatsapp, fixture, post_webhook, run_due_scheduled, run_worker, slash_command

TEXTS = {"wamid.HIST.A1": "Do you still have the blue vase?", "wamid.HIST.A2": "Shall I keep it for you?",
         "wamid.HIST.A3": "This one", "wamid.HIST.B1": "Are you open on Sunday?"}


@pytest.fixture
def routed(rt, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    with rt.db.session() as s:
        s.add(NotificationRoute(team_id="T1", kind="alerts", channel_id="C_ALERTS"))
        s.add(NotificationRoute(team_id="T1", kind="messages", channel_id="C_MSG"))
    return rt


def deliver(client, rt, payload):
    assert post_webhook(client, payload).status_code == 200
    run_worker(rt)


def events_done(rt) -> bool:
    with rt.db.session() as s:
        return set(s.scalars(select(WebhookEvent.state))) == {"done"}


def until_imported(rt, seconds: float = 60) -> None:
    """The worker and, as the clock does, due delayed jobs moved, until the import is done."""
    deadline = time.monotonic() + seconds
    while True:
        run_worker(rt)
        sync = stored.get(rt.db.engine, PHONE_ID)
        if sync is not None and sync.import_state == "done":
            return
        assert time.monotonic() < deadline, "the import did not finish"
        time.sleep(0.2)
        run_due_scheduled(rt)


def shown(fake_slack, mid: str) -> int:
    """How many posts show the history message `mid`."""
    return sum(str(m.get("blocks")).count(TEXTS[mid]) for m in fake_slack.messages)


def test_history_is_stored_not_posted_and_noted_once(client, routed, fake_slack):
    deliver(client, routed, fixture("whatsapp/history.json"))
    [note] = fake_slack.messages
    assert note["channel"] == "C_ALERTS" and "+15550783881" in note["text"] and "4 messages" in note["text"]
    assert "/meta history import 15550783881" in note["text"]
    deliver(client, routed, fixture("whatsapp/history.json"))  # Meta redelivers
    later = fixture("whatsapp/history.json")
    value = later["entry"][0]["changes"][0]["value"]
    value["history"][0]["metadata"].update(phase=1, chunk_order=2, progress=60)
    value["history"][0]["threads"][0]["messages"][0]["id"] = "wamid.HIST.A0"
    deliver(client, routed, later)
    assert len(fake_slack.messages) == 1  # one note per number; nothing in customer threads
    with routed.db.session() as s:
        assert len(s.scalars(select(HistoryMessage)).all()) == 5
    assert events_done(routed)


def test_declined_sharing_is_said_once(client, routed, fake_slack):
    deliver(client, routed, fixture("whatsapp/history_declined.json"))
    deliver(client, routed, fixture("whatsapp/history_declined.json", metadata={"display_phone_number": "15550783881"},
                                    messaging_product="whatsapp "))
    [note] = fake_slack.messages
    assert note["channel"] == "C_ALERTS" and "declined" in note["text"] and "2593109" in note["text"]
    assert "History sharing is turned off" in note["text"]
    assert "declined" in slash_command(client, "history", user="U_ADMIN").get_json()["text"]


def test_app_contacts_name_customers_without_a_post(client, routed, fake_slack):
    deliver(client, routed, fixture("whatsapp/smb_app_state_sync.json"))
    assert fake_slack.messages == []
    assert customers.resolve(routed.db.engine, PHONE_ID, customers.Seen(phone="16505551234")).profile_name == \
        "Pablo Morales"
    assert events_done(routed)


@pytest.mark.parametrize("history", [
    "not a list",
    [{"metadata": {"phase": "x"}}],  # no threads
    [{"threads": "16505551234"}],
    [{"threads": ["16505551234", {"id": "1", "messages": {"id": "m"}}]}],
    [{"threads": [{"id": "1", "messages": [{"from": "1", "type": "text"}]}]}],  # a message without an id
    ["string where an object belongs"],
    [{"errors": [{"code": 131000, "title": "Something went wrong"}]}],  # an error, not a decline
])
def test_bad_shapes_are_described_never_a_traceback(client, routed, fake_slack, history):
    payload = fixture("whatsapp/history.json")
    payload["entry"][0]["changes"][0]["value"]["history"] = copy.deepcopy(history)
    deliver(client, routed, payload)
    [note] = fake_slack.messages
    assert note["channel"] == "C_ALERTS" and "nothing readable" in note["text"] and "None" not in note["text"]
    assert events_done(routed)


def test_media_details_sent_apart_complete_the_stored_message(client, routed, fake_slack):
    deliver(client, routed, fixture("whatsapp/history.json"))
    details = fixture("whatsapp/history.json")
    value = details["entry"][0]["changes"][0]["value"]
    del value["history"]
    value["messages"] = [{"from": "16505551234", "id": "wamid.HIST.A3", "timestamp": "1738544400", "type": "image",
                          "image": {"id": "MEDIA9", "caption": "This one", "mime_type": "image/jpeg"}}]
    deliver(client, routed, details)
    assert len(fake_slack.messages) == 1  # the first chunk's note only
    with routed.db.session() as s:
        [row] = s.scalars(select(HistoryMessage).where(HistoryMessage.message_id == "wamid.HIST.A3"))
        assert row.data["image"]["id"] == "MEDIA9" and row.thread == "16505551234" and not row.outgoing
        assert len(s.scalars(select(HistoryMessage)).all()) == 4


def test_only_admins_see_and_import_history(client, routed, fake_slack):
    deliver(client, routed, fixture("whatsapp/history.json"))
    assert "Only workspace admins" in slash_command(client, "history", user="U_MEMBER").get_json()["text"]
    assert "Only workspace admins" in slash_command(client, "history import 15550783881",
                                                    user="U_MEMBER").get_json()["text"]
    text = slash_command(client, "history", user="U_ADMIN").get_json()["text"]
    assert "*+15550783881*: 4 messages with 2 customers arrived (complete)" in text
    assert "`/meta history import 15550783881`" in text
    assert "No history arrived" in slash_command(client, "history import 999", user="U_ADMIN").get_json()["text"]
    assert stored.get(routed.db.engine, PHONE_ID).import_state is None  # off until an admin asks


def test_import_posts_into_threads_as_history_in_order_never_unanswered_never_sent(client, routed, fake_slack,
                                                                                     fake_graph):
    deliver(client, routed, fixture("whatsapp/smb_app_state_sync.json"))
    deliver(client, routed, fixture("whatsapp/history.json"))
    fake_slack.reset()
    sent_before = len(fake_graph.calls)
    answer = slash_command(client, "history import +1 555-078-3881", user="U_ADMIN").get_json()["text"]
    assert "Importing 4 messages of +15550783881 into <#C_MSG>" in answer
    until_imported(routed)
    posts = [m for m in fake_slack.messages if m["channel"] == "C_MSG"]
    progress, *imported, final = posts
    assert "thread_ts" not in progress and "Imported" in progress["text"]  # updated in place (chat.update)
    assert final["thread_ts"] == progress["ts"] and "4 messages in 2 customer threads" in final["text"]
    assert {e["ts"] for e in fake_slack.edits} == {progress["ts"]} and len(fake_slack.edits) <= 2  # a modest rate
    # customer B (16315551181 sorts first): one post opening its thread; Pablo (16505551234): one post per day
    b_root, a_root, a_day2 = imported
    assert "16315551181" in str(b_root["blocks"]) and "From the WhatsApp Business app, before" in str(b_root["blocks"])
    assert "Pablo Morales" in str(a_root["blocks"]) and "thread_ts" not in a_root
    assert a_day2["thread_ts"] == a_root["ts"] and "This one" in str(a_day2["blocks"])
    assert "file was not shared" in str(a_day2["blocks"])
    day1 = str(a_root["blocks"])
    assert day1.index(TEXTS["wamid.HIST.A1"]) < day1.index(TEXTS["wamid.HIST.A2"])
    assert ":iphone: _business_" in day1  # the business's own message is marked as such
    assert all(shown(fake_slack, mid) == 1 for mid in TEXTS)
    assert unanswered.count(routed, "T1") == 0
    assert len(fake_graph.calls) == sent_before  # nothing reached Meta: no send, no read receipt
    assert "imported already" in slash_command(client, "history import 15550783881", user="U_ADMIN").get_json()["text"]
    assert "4 imported" in slash_command(client, "history", user="U_ADMIN").get_json()["text"]


class Crash(BaseException):
    """The worker dies here."""


def test_an_import_killed_after_a_post_resumes_and_shows_every_message_once(client, routed, fake_slack, monkeypatch):
    deliver(client, routed, fixture("whatsapp/history.json"))
    slash_command(client, "history import 15550783881", user="U_ADMIN")
    real_done, calls = history_import.dedupe.done, []

    def dies_after_second_post(engine, key):
        calls.append(key)
        if len(calls) == 2:
            raise Crash  # Slack took the post; nothing was marked
        real_done(engine, key)

    monkeypatch.setattr(history_import.dedupe, "done", dies_after_second_post)
    routed.redis.delete(jobs.flag(PHONE_ID))  # the queued job is this call
    with pytest.raises(Crash):
        history_import.run(routed, PHONE_ID)
    # The process is gone: its lease lapses, its claim names a dead worker.
    monkeypatch.setattr(history_import.dedupe, "done", real_done)
    routed.redis.delete(jobs.flag(PHONE_ID))
    with routed.db.session() as s:
        s.execute(update(DedupeKey).where(DedupeKey.state == "claimed").values(owner="dead-worker"))
    from metaops.delivery import recovery

    assert recovery.recover(routed.queue) >= 1
    until_imported(routed)
    assert all(shown(fake_slack, mid) == 1 for mid in TEXTS)
    with routed.db.session() as s:
        assert all(m.imported_at for m in s.scalars(select(HistoryMessage)))


def test_slack_refusing_mid_way_holds_the_import_then_it_goes_on(client, routed, fake_slack, monkeypatch):
    deliver(client, routed, fixture("whatsapp/history.json"))
    real_post, posts = history_import.post_in_thread, []

    def limited_on_second(rt, router, team_id, channel, *args, **kwargs):
        posts.append(channel)
        if len(posts) == 2:
            fake_slack.limit_channel(channel, 2)  # Slack answers 429 for 2 s
        return real_post(rt, router, team_id, channel, *args, **kwargs)

    monkeypatch.setattr(history_import, "post_in_thread", limited_on_second)
    slash_command(client, "history import 15550783881", user="U_ADMIN")
    until_imported(routed)
    # each refused try was tried again (a slow retry may meet the 429 window once more), nothing else twice
    assert fake_slack.refused_429 >= 1 and len(posts) == 3 + fake_slack.refused_429
    assert all(shown(fake_slack, mid) == 1 for mid in TEXTS)
