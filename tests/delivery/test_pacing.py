"""Our own pace per Slack channel, and the messages of one customer thread that waited posted together (issue 15).

The Slack fake enforces a pace here (per channel, with a burst one post above ours); the app paces at
PACE posts per second with a burst of BURST. Customers' texts look like 'c07 m3'."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections import defaultdict

import pytest

from metaops import defaults, settings
from metaops.conversation import pace
from metaops.conversation.router import Router
from metaops.delivery import holds
from metaops.exceptions import ConfigError
from tests.constants import ROOT
from tests.helpers import (
    burst,
    connect_whatsapp,
    fixture,
    post_webhook,
    texts,
    until_delivered,
    wa_message,
    wa_payload,
    worker_command,
    worker_env,
)

PACE, BURST = 5.0, 2


@pytest.fixture
def config(config):
    return {**config, "SLACK_PACE_RATE": str(PACE)}


@pytest.fixture(autouse=True)
def paced(monkeypatch, fake_slack, config):  # after `config`, which gives the fake Slack's own pace
    monkeypatch.setattr(defaults, "SLACK_PACE_BURST", BURST)
    fake_slack.enforce_pace(PACE, BURST + 1)


def _blocks(message: dict) -> list[dict]:
    blocks = message.get("blocks")
    return json.loads(blocks) if isinstance(blocks, str) else blocks or []


def test_a_burst_from_several_customers_is_one_post_per_thread_per_slot_in_order(client, rt, fake_slack):
    connect_whatsapp(rt)
    burst(client, customers=4, each=5)
    until_delivered(rt)
    posts = fake_slack.messages
    roots = {texts(m)[0][0]: m["ts"] for m in posts if "thread_ts" not in m}
    assert len(roots) == 4  # each customer's first message opened its own thread
    seen: dict[str, list[int]] = defaultdict(list)
    per_customer: dict[str, int] = defaultdict(int)
    for m in posts:
        words = texts(m)
        [customer] = {c for c, _ in words}  # never two customers in one post
        assert m.get("thread_ts", m["ts"]) == roots[customer]
        seen[customer] += [n for _, n in words]
        per_customer[customer] += 1
    assert all(v == [0, 1, 2, 3, 4] for v in seen.values()) and len(seen) == 4  # every message, in order
    # While behind, a thread's waiting messages went as one post: 20 messages in far fewer posts (a message that
    # found a token before the channel fell behind went alone).
    assert sum(per_customer.values()) <= 12 and max(len(texts(m)) for m in posts) >= 3
    assert fake_slack.refused_429 == 0  # our pace stayed within Slack's
    joined = [m for m in posts if len(texts(m)) > 1]
    for m in joined:  # each message a block with its time
        sections = [b for b in _blocks(m) if b["type"] == "section"]
        assert len(sections) == len(texts(m)) and all("<!date^1700000000^{time}|" in b["text"]["text"]
                                                       for b in sections)
    assert holds.parked(rt.redis, "T1", "C1", 10) == []


def test_a_customers_messages_never_join_another_customers_post(client, rt, fake_slack):
    connect_whatsapp(rt)
    for n in range(6):  # two customers writing alternately, each five words, while the channel is behind
        for c in (1, 2):
            post_webhook(client, wa_payload([wa_message(f"wamid.x{c}.{n}", f"1555111{c:04d}", f"c{c:02d} m{n}")]))
    until_delivered(rt)
    for m in fake_slack.messages:
        assert len({c for c, _ in texts(m)}) == 1
    order = defaultdict(list)
    for m in fake_slack.messages:
        for c, n in texts(m):
            order[c].append(n)
    assert order == {"01": list(range(6)), "02": list(range(6))}


def test_media_is_still_uploaded_and_ends_the_joined_post(client, rt, fake_slack, fake_graph):
    connect_whatsapp(rt, token=fake_graph.issue_token())
    sender = "15551234567"
    post_webhook(client, wa_payload([wa_message("wamid.m0", sender, "c09 m0")]))
    post_webhook(client, wa_payload([wa_message("wamid.m1", sender, "c09 m1")]))
    post_webhook(client, fixture("whatsapp/image.json", id="wamid.m2", image={"caption": "c09 m2"}))
    for n in (3, 4, 5):
        post_webhook(client, wa_payload([wa_message(f"wamid.m{n}", sender, f"c09 m{n}")]))
    until_delivered(rt)
    words = [[n for _, n in texts(m)] for m in fake_slack.messages]
    # The image's post stands on its own; which texts join depends on how many tokens the pace had left (a slow
    # machine refills some between posts), never on the order: each text once, in order.
    assert [2] in words and [n for post in words for n in post] == list(range(6))
    [upload] = fake_slack.files
    assert upload["thread_ts"] == fake_slack.messages[0]["ts"]


def test_the_token_bucket_is_shared_by_two_workers(rt):
    rate, burst = 10.0, 3
    taken = []
    start = time.monotonic()

    def worker() -> None:
        router = Router(rt.db.engine, rt.redis, pace=(rate, burst))
        while time.monotonic() - start < 1.5:
            try:
                router.take_slot("T1", "C1")
                taken.append(time.monotonic())
            except pace.ChannelHeld as e:
                assert e.paced and e.wait >= 1
                router._held.clear()
            time.sleep(0.005)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    assert burst <= len(taken) <= burst + rate * elapsed + 1  # never beyond the rate, whoever asks


@pytest.mark.both_databases  # worker processes writing to one database at once
def test_two_worker_processes_share_the_pace_and_slack_never_answers_429(client, rt, config, fake_slack):
    # The processes take the default burst; at 5 posts/s one token is 0.2 s, less than two processes' request
    # times may differ by, so Slack's bucket here is three posts deeper (at Slack's 1/s one post is 1 s of slack).
    fake_slack.enforce_pace(PACE, defaults.SLACK_PACE_BURST + 3)
    connect_whatsapp(rt)
    burst(client, customers=6, each=3)
    env = worker_env(config)
    cmd = worker_command("--burst")
    procs = [subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for _ in range(2)]
    for p in procs:
        assert p.wait(120) == 0, p.stderr.read().decode()[-2000:] if p.stderr else ""
    until_delivered(rt)
    assert fake_slack.refused_429 == 0
    seen: dict[str, list[int]] = defaultdict(list)
    for m in fake_slack.messages:
        [customer] = {c for c, _ in texts(m)}
        seen[customer] += [n for _, n in texts(m)]
    assert seen == {f"{c:02d}": [0, 1, 2] for c in range(6)}


def test_no_pace_takes_no_token(rt):
    assert pace.take(rt.redis, "T1", "C1", 0, 4) == 0
    assert rt.redis.keys("metaops:pace:*") == []


def test_an_entry_parked_before_threads_were_noted_is_taken_alone():
    old = holds.Parked.parse(b"42")
    assert (old.event_id, old.thread, old.joinable) == (42, None, False)
    nothing = holds.Parked.parse(b"43 N -")
    assert (nothing.thread, nothing.joinable) == ("", False)
    joinable = holds.Parked.parse(b"44 J 1025 wa:abc")
    assert holds.same_thread([old, joinable], 10) == [old]
    assert holds.same_thread([joinable, old, holds.Parked.parse(b"45 J 1025 wa:abc")], 10) == [joinable]


@pytest.mark.parametrize("value", ["fast", "-1"])
def test_a_bad_pace_setting_stops_the_process_with_its_name(value):
    with pytest.raises(ConfigError, match="SLACK_PACE_RATE"):
        settings.from_mapping({"ENCRYPTION_KEYS": "x" * 43 + "=", "SLACK_PACE_RATE": value})
