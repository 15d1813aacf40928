"""Replies at campaign scale (issue 23, point 4), through the wire formats: signed Meta webhooks from a campaign's
recipients open their threads in the campaign's channel (or the one picked in the modal, or the overflow channels
the app creates), never in the usual `messages` channel; a customer who has a thread keeps it; a burst of replies
faster than Slack's pace waits, every reply shown once and in order, and the progress message says how many wait.
Production pace throughout (the app's 1 post/s per channel, burst 4; the Slack fake enforcing Slack's own)."""

from __future__ import annotations

import copy
import json
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from metaops import defaults, messages
from metaops.delivery import holds
from store.models import Campaign, CampaignRecipient, ContactThread, Customer
from tests.bot.test_listeners_campaigns import PROMO, confirm, connected, press, text_of, until_state, wait_for
from tests.constants import PHONE_ID, ROOT, WABA
from tests.helpers import (
    interact,
    post_webhook,
    run_due_scheduled,
    run_worker,
    slack_event,
    slash_command,
    texts,
    until_delivered,
    wa_message,
    wa_payload,
)
from tests.helpers.workers import waiting_job_ids

__all__ = ["connected"]  # the campaign tests' fixture: a connected number, its templates, an opted-out customer

PEER = Path(os.environ.get("PEER_PAYLOADS") or ROOT.parent / "shared" / "peer")
CAMPAIGN = "C_CAMPAIGN"  # where /meta campaign is run; the usual `messages` channel is C_CONNECT
ANA, DEE, EVE, STRANGER = "972987654321", "4312345678", "15551230000", "15559990000"
FILE = f"phone,body_1,body_2\n{ANA},Ana,20%\n{DEE},Dee,15%\n{EVE},Eve,15%\n"


def share(fake_slack, csv: str, file_id: str = "F0REPLY01") -> str:
    fake_slack.share_file(file_id, "customers.csv", "text/csv", csv.encode())
    return file_id


def submit(client, view: dict[str, Any], file: str, reply_channel: str | None = None,
           overflow: str | None = None) -> Any:
    state: dict[str, Any] = {
        "name": {"value": {"type": "plain_text_input", "value": "Spring sale"}},
        "number": {"value": {"type": "static_select", "selected_option": {"value": PHONE_ID}}},
        "template": {"value": {"type": "static_select", "selected_option": {"value": PROMO["id"]}}},
        "file": {"value": {"type": "plain_text_input", "value": file}},
        "when": {"value": {"type": "datetimepicker", "selected_date_time": None}},
        "reply_channel": {"value": {"type": "conversations_select", "selected_conversation": reply_channel}},
        "overflow": {"value": {"type": "number_input", "value": overflow}},
    }
    return interact(client, {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U_ADMIN"},
                             "api_app_id": "A1", "trigger_id": "1.4",
                             "view": {**view, "id": "V1", "state": {"values": state}}})


def open_form(client, fake_slack) -> dict[str, Any]:
    assert slash_command(client, "campaign", user="U_ADMIN", channel=CAMPAIGN).status_code == 200
    return wait_for(fake_slack.views)


def review(client, rt, fake_slack, file: str, **kw: Any) -> dict[str, Any]:
    r = submit(client, open_form(client, fake_slack), file, **kw)
    assert r.get_json()["response_action"] == "update"
    run_worker(rt)
    return fake_slack.updates[-1]["view"]


def started(client, rt, fake_slack, file: str, **kw: Any) -> Campaign:
    """A campaign confirmed from CAMPAIGN and sent to every recipient of `file`."""
    done = confirm(client, review(client, rt, fake_slack, file, **kw)).get_json()
    assert "confirmed" in text_of(done["view"]), text_of(done["view"])
    run_worker(rt)
    with rt.db.session() as s:
        c = s.scalars(select(Campaign)).one()
        s.expunge(c)
    assert c.state == "done"
    return c


def root_of(rt, fake_slack, phone: str) -> dict[str, Any]:
    """The Slack post at the root of the customer's thread."""
    row = thread_of(rt, phone)
    [root] = [m for m in fake_slack.messages if m["ts"] == row.root_ts]
    assert root["channel"] == row.channel_id
    return root


def in_thread(fake_slack, root: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in fake_slack.messages if m.get("thread_ts") == root["ts"] and m["channel"] == root["channel"]]


def peer(name: str, **changes: Any) -> dict[str, Any]:
    """A WhatsApp webhook body pywa wrote for its tests, pointed at our number, its message changed."""
    body = json.loads((PEER / name).read_text())
    [entry] = body["entry"]
    entry["id"] = WABA
    value = entry["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = PHONE_ID
    value["messages"][0].update(changes)
    return body


def thread_of(rt, phone: str) -> ContactThread:
    with rt.db.session() as s:
        customer = s.scalars(select(Customer).where(Customer.business_id == PHONE_ID, Customer.phone == phone)).one()
        row = s.scalars(select(ContactThread).where(ContactThread.contact == f"customer:{customer.id}")).one()
        s.expunge(row)
    return row


@pytest.mark.both_databases  # the routing questions are SQL: on both dialects
@pytest.mark.skipif(not (PEER / "pywa__message-reply.json").is_file(), reason=f"no peer payloads at {PEER}")
def test_recipients_replies_open_threads_in_the_campaign_channel(client, rt, connected, fake_slack, fake_graph):
    post_webhook(client, wa_payload([wa_message("wamid.DEE0", DEE, "Before the campaign")]))
    run_worker(rt)
    dee_root = root_of(rt, fake_slack, DEE)
    assert dee_root["channel"] == "C_CONNECT"
    c = started(client, rt, fake_slack, share(fake_slack, FILE))
    with rt.db.session() as s:
        sent = {r.phone: r.message_id for r in s.scalars(select(CampaignRecipient))}
    # Ana answers the campaign message (pywa's reply payload, its context our message), then taps a quick reply
    post_webhook(client, peer("pywa__message-reply.json", context={"from": "15550783881", "id": sent[ANA]}))
    post_webhook(client, peer("pywa__callback-button-quick-reply.json", context={"from": "15550783881",
                                                                                 "id": sent[ANA]}))
    post_webhook(client, wa_payload([wa_message("wamid.DEE1", DEE, "Got it, thanks")]))
    post_webhook(client, wa_payload([wa_message("wamid.X1", STRANGER, "Who are you?")]))
    until_delivered(rt)

    found = {phone: root_of(rt, fake_slack, phone) for phone in (ANA, DEE, STRANGER)}
    assert found[ANA]["channel"] == CAMPAIGN  # a recipient's new thread: the campaign's channel
    assert [m["text"] for m in in_thread(fake_slack, found[ANA])] and "title" in json.dumps(
        in_thread(fake_slack, found[ANA]))  # the quick reply joined her thread there
    assert found[STRANGER]["channel"] == "C_CONNECT"  # not a recipient: the usual channel
    assert found[DEE] == dee_root and "Got it" in json.dumps(in_thread(fake_slack, dee_root))  # kept her thread
    assert not [m for m in fake_slack.messages if m["channel"] == "C_CONNECT" and ANA in json.dumps(m)]
    assert thread_of(rt, ANA).campaign_id == c.id and thread_of(rt, DEE).campaign_id is None

    # Ana writes again days later (past the reply window): her thread stays where it is
    with rt.db.session() as s:
        for r in s.scalars(select(CampaignRecipient)):
            r.sent_at = r.sent_at.replace(year=r.sent_at.year - 1)
    post_webhook(client, wa_payload([wa_message("wamid.ANA9", ANA, "One more question")]))
    until_delivered(rt)
    assert "One more question" in json.dumps(in_thread(fake_slack, found[ANA]))

    # the team answers from the campaign channel's thread: it reaches Ana
    slack_event(client, {"type": "message", "channel": CAMPAIGN, "user": "U_ADMIN", "text": "Glad you like it",
                         "ts": "1700000300.000100", "thread_ts": found[ANA]["ts"], "team": "T1"})
    run_worker(rt)
    assert [s["to"] for s in fake_graph.sent if s.get("body") == "Glad you like it"] == [ANA]
    time.sleep(defaults.CAMPAIGN_PROGRESS_EVERY + 0.2)
    run_due_scheduled(rt)
    run_worker(rt)
    assert "replied 2" in fake_slack.edits[-1]["text"]  # Ana and Dee (a message within the window of hers)


def test_reply_channel_picked_in_the_modal(client, rt, connected, fake_slack):
    shown = text_of(review(client, rt, fake_slack, share(fake_slack, FILE), reply_channel="C_PUBLIC"))
    assert "Replies open their threads in <#C_PUBLIC>" in shown
    assert fake_slack.channels["C_PUBLIC"]["is_member"]  # a public channel the app was not in: joined
    confirm(client, fake_slack.updates[-1]["view"])
    run_worker(rt)
    post_webhook(client, wa_payload([wa_message("wamid.EVE1", EVE, "Interested!")]))
    until_delivered(rt)
    assert root_of(rt, fake_slack, EVE)["channel"] == "C_PUBLIC"
    progress = next(m for m in fake_slack.messages if m["channel"] == CAMPAIGN and "Campaign" in m["text"])
    assert "<#C_PUBLIC>" in json.dumps(progress["blocks"])  # the progress message says where replies go


@pytest.mark.parametrize(("channel", "flags", "says"), [
    ("C_OLD", {"name": "old-sales", "is_archived": True, "is_member": True},
     messages.CAMPAIGN_REPLY_CHANNEL_ARCHIVED.format(channel="C_OLD")),
    ("G_PRIVATE", None, messages.CAMPAIGN_REPLY_CHANNEL_INVITE.format(channel="G_PRIVATE")),
    ("C_GONE", None, messages.CAMPAIGN_REPLY_CHANNEL_UNKNOWN),
])
def test_a_reply_channel_the_app_cannot_use_comes_back_under_its_field(client, rt, connected, fake_slack, channel,
                                                                       flags, says):
    if flags:
        fake_slack.channels[channel] = flags
    back = review(client, rt, fake_slack, share(fake_slack, FILE), reply_channel=channel)
    ids = [b.get("block_id") for b in back["blocks"]]
    error = back["blocks"][ids.index("reply_channel") + 1]
    assert error["block_id"].startswith("meta_error_") and says in json.dumps(error)
    picker = back["blocks"][ids.index("reply_channel")]["element"]
    assert picker["initial_conversation"] == channel  # the form keeps what was picked
    with rt.db.session() as s:
        assert s.scalars(select(Campaign)).all() == []  # nothing stored to send


@pytest.mark.parametrize("overflow", ["6", "-1", "2.5", "three"])
def test_overflow_out_of_range_is_refused_under_its_field(client, rt, connected, fake_slack, overflow):
    r = submit(client, open_form(client, fake_slack), share(fake_slack, FILE), overflow=overflow)
    assert r.get_json() == {"response_action": "errors", "errors": {
        "overflow": messages.CAMPAIGN_OVERFLOW_RANGE.format(most=defaults.CAMPAIGN_OVERFLOW_MAX)}}
    assert not waiting_job_ids(rt.redis)  # nothing queued to check


def test_overflow_spreads_new_conversations_over_created_channels(client, rt, connected, fake_slack):
    phones = [f"1555000{n:04d}" for n in range(9)]
    file = "phone,body_1,body_2\n" + "".join(f"{p},C{n},5%\n" for n, p in enumerate(phones))
    shown = text_of(review(client, rt, fake_slack, share(fake_slack, file), overflow="3"))
    assert "3 new channel(s) #spring-sale-1, #spring-sale-2, #spring-sale-3" in shown
    confirm(client, fake_slack.updates[-1]["view"])
    run_worker(rt)
    with rt.db.session() as s:
        c = s.scalars(select(Campaign)).one()
        overflow = list(c.overflow_channels)
    assert [fake_slack.channels[x]["name"] for x in overflow] == ["spring-sale-1", "spring-sale-2", "spring-sale-3"]
    assert all("U_ADMIN" in fake_slack.channels[x]["members"] for x in overflow)  # the requester invited
    for n, p in enumerate(phones):  # each recipient answers, twice
        post_webhook(client, wa_payload([wa_message(f"wamid.o{n}.0", p, f"c{n:02d} m0")]))
    for n, p in enumerate(phones):
        post_webhook(client, wa_payload([wa_message(f"wamid.o{n}.1", p, f"c{n:02d} m1")]))
    until_delivered(rt, seconds=90)
    where: dict[str, set[str]] = defaultdict(set)
    for m in fake_slack.messages:
        for customer, _ in texts(m):
            where[customer].add(m["channel"])
    with rt.db.session() as s:
        ids = {p: s.scalars(select(Customer.id).where(Customer.phone == p)).one() for p in phones}
    for n, p in enumerate(phones):
        assert where[f"{n:02d}"] == {overflow[ids[p] % 3]}  # one channel per customer, the same every time
    assert {ch for chs in where.values() for ch in chs} == set(overflow)  # spread over all three
    assert not [m for m in fake_slack.messages if m["channel"] in ("C_CONNECT", CAMPAIGN) and texts(m)]


def test_overflow_channel_name_taken_starts_nothing_until_fixed(client, rt, connected, fake_slack, fake_graph):
    fake_slack.channels["C_TAKEN"] = {"name": "spring-sale-2", "is_private": False, "is_member": False}
    reviewed = review(client, rt, fake_slack, share(fake_slack, FILE), overflow="3")
    back = confirm(client, reviewed).get_json()
    said = messages.CAMPAIGN_OVERFLOW_NAME_TAKEN.format(name="spring-sale-2")
    assert back["response_action"] == "update" and said in text_of(back["view"])
    assert back["view"]["submit"]["text"] == messages.CAMPAIGN_CONFIRM  # the review again, to confirm once fixed
    run_worker(rt)
    with rt.db.session() as s:
        c = s.scalars(select(Campaign)).one()
        assert (c.state, len(c.overflow_channels)) == ("draft", 1)  # not started; the channel made is kept
    assert not [x for x in fake_graph.sent if x.get("type") == "template"]
    assert not [m for m in fake_slack.messages if "Campaign Spring sale" in str(m.get("text"))]
    fake_slack.channels["C_TAKEN"]["name"] = "spring-sale-old"  # the admin renamed the old channel
    done = confirm(client, back["view"]).get_json()
    assert "confirmed" in text_of(done["view"])
    run_worker(rt)
    names = [ch["name"] for ch in fake_slack.channels.values()]
    assert sorted(n for n in names if n.startswith("spring-sale-") and n != "spring-sale-old") == [
        "spring-sale-1", "spring-sale-2", "spring-sale-3"]  # the first one not made twice
    assert len([x for x in fake_graph.sent if x.get("type") == "template"]) == 3


@pytest.mark.parametrize(("refusal", "said"), [
    ("restricted_action", messages.CAMPAIGN_OVERFLOW_RESTRICTED.format(name="spring-sale-1")),
    ("missing_scope", messages.CAMPAIGN_OVERFLOW_SCOPE.format(name="spring-sale-1")),
])
def test_slack_refusing_to_create_channels_starts_nothing(client, rt, connected, fake_slack, fake_graph, refusal,
                                                          said):
    if refusal == "restricted_action":
        fake_slack.creating_restricted = True
    else:
        fake_slack.scopes.discard("channels:manage")  # installed before the scope was added
    back = confirm(client, review(client, rt, fake_slack, share(fake_slack, FILE), overflow="2")).get_json()
    assert said in text_of(back["view"])
    run_worker(rt)
    with rt.db.session() as s:
        assert s.scalars(select(Campaign.state)).one() == "draft"
    assert not [x for x in fake_graph.sent if x.get("type") == "template"]


def test_refused_channels_on_approval_leave_the_request_waiting(client, rt, connected, fake_slack, fake_graph,
                                                               monkeypatch):
    monkeypatch.setattr(defaults, "CAMPAIGN_APPROVAL_RECIPIENTS", 1)  # why: this campaign of 3 needs an approval
    confirm(client, review(client, rt, fake_slack, share(fake_slack, FILE), overflow="1"))
    request = next(m for m in fake_slack.messages if "asks to send campaign" in m["text"])
    fake_slack.creating_restricted = True
    press(client, fake_slack, request, "campaign_approve", user="U_OWNER")
    answers = fake_slack.responses()
    assert any(messages.CAMPAIGN_OVERFLOW_RESTRICTED.format(name="spring-sale-1") in str(a.get("text"))
               for a in answers)
    until_state(rt, "approval")
    run_worker(rt)
    assert not [x for x in fake_graph.sent if x.get("type") == "template"]
    fake_slack.creating_restricted = False  # the workspace admin allowed it: approved again, it starts
    press(client, fake_slack, request, "campaign_approve", user="U_OWNER")
    until_state(rt, "scheduled")
    run_worker(rt)
    assert len([x for x in fake_graph.sent if x.get("type") == "template"]) == 3


def test_a_burst_of_replies_waits_in_order_and_the_progress_says_how_many(client, rt, connected, fake_slack):
    customers, each = 8, 3
    phones = [f"1555000{n:04d}" for n in range(customers)]
    file = "phone,body_1,body_2\n" + "".join(f"{p},C{n},5%\n" for n, p in enumerate(phones))
    c = started(client, rt, fake_slack, share(fake_slack, file))
    progress_ts = c.progress_ts
    for n in range(each):  # every recipient answers three times at once: far faster than one post a second
        for k, p in enumerate(phones):
            r = post_webhook(client, wa_payload([wa_message(f"wamid.{k}.{n}", p, f"c{k:02d} m{n}")]))
            assert r.status_code == 200
    run_worker(rt)  # the burst's first posts go; the rest wait on the campaign channel
    assert holds.parked_count(rt.redis, "T1", CAMPAIGN) > 0
    time.sleep(defaults.CAMPAIGN_PROGRESS_EVERY + 0.2)  # the progress message's own pace
    run_due_scheduled(rt)
    run_worker(rt)
    waiting = [e for e in fake_slack.edits if e["ts"] == progress_ts and "waiting to be shown" in json.dumps(e)]
    assert waiting, "the progress message never said replies wait"
    line = next(b for b in waiting[0]["blocks"] if "waiting to be shown" in json.dumps(b))["elements"][0]["text"]
    count = int(line.split("shown: ")[1].split(",")[0])
    assert 0 < count < customers * each and "all shown by about <!date^" in line
    until_delivered(rt, seconds=90)
    for _ in range(4):  # the refreshes go on until none waits
        last = [e for e in fake_slack.edits if e["ts"] == progress_ts][-1]
        if "waiting to be shown" not in json.dumps(last):
            break
        time.sleep(defaults.CAMPAIGN_PROGRESS_EVERY + 0.2)
        run_due_scheduled(rt)
        run_worker(rt)
    assert "waiting to be shown" not in json.dumps(last) and f"replied {customers}" in last["text"]
    assert holds.parked_count(rt.redis, "T1", CAMPAIGN) == 0
    shown: dict[str, list[int]] = defaultdict(list)
    threads: dict[str, set[str]] = defaultdict(set)
    for m in fake_slack.messages:
        for customer, number in texts(m):
            shown[customer].append(number)
            threads[customer].add(m.get("thread_ts", m["ts"]))
            assert m["channel"] == CAMPAIGN
    assert shown == {f"{k:02d}": list(range(each)) for k in range(customers)}  # each once, in order
    assert all(len(t) == 1 for t in threads.values())  # each customer's own thread
    assert fake_slack.refused_429 == 0


def test_the_review_keeps_the_overflow_choice_when_sent_back(client, rt, connected, fake_slack):
    view = open_form(client, fake_slack)
    submit(client, copy.deepcopy(view), "F0MISSING", overflow="2")
    run_worker(rt)
    back = fake_slack.updates[-1]["view"]
    [number] = [b for b in back["blocks"] if b.get("block_id") == "overflow"]
    assert number["element"]["initial_value"] == "2" and number["element"]["max_value"] == str(
        defaults.CAMPAIGN_OVERFLOW_MAX)


@pytest.mark.parametrize(("name", "expected"), [
    ("Spring sale", "spring-sale-2"),
    ("Black Friday 2026 — VIP!", "black-friday-2026-vip-2"),
    ("🎉🎉", "campaign-7-2"),
    ("x" * 200, "x" * 78 + "-2"),
])
def test_overflow_channel_names_are_names_slack_takes(name, expected):
    from metaops.campaigns.reply_channels import channel_name
    from tests.fakes.slack_api import _name_error

    made = channel_name(name, 7, 2)
    assert made == expected and _name_error(made) is None
