"""Partitioned delivery: order per customer, parallel workers, a held channel that holds nothing else, and
events a dead drain left behind taken over by the next one."""

from __future__ import annotations

import subprocess
import time

import pytest
from sqlalchemy import select

from metaops import defaults
from metaops.queue import streams
from store.models import NotificationRoute, WebhookEvent
from tests.constants import ROOT
from tests.helpers import (
    burst,
    by_customer,
    connect_whatsapp,
    post_webhook,
    run_due_scheduled,
    run_worker,
    wa_message,
    wa_payload,
    worker_command,
    worker_env,
)


@pytest.mark.unpaced(why="partitions and order, one post per text: at Slack's pace texts would join in fewer posts "
                           "(tests/delivery/test_pacing.py) and 48 posts take most of a minute")
def test_customers_spread_over_partitions_and_each_keeps_its_order(client, rt, fake_slack):
    connect_whatsapp(rt)
    burst(client, customers=12, each=4)
    used = [p for p in range(defaults.PARTITIONS) if rt.redis.xlen(streams.stream_key(p))]
    assert len(used) > 1  # twelve customers of one number do not share one line
    run_worker(rt)
    seen = by_customer(fake_slack.messages)
    assert len(fake_slack.messages) == 48 and all(v == [0, 1, 2, 3] for v in seen.values())
    assert streams.waiting(rt.redis) == 0


def test_one_customers_events_stay_on_one_partition():
    a = wa_payload([wa_message("wamid.a", "15550001", "x")])
    b = wa_payload([wa_message("wamid.b", "15550001", "y")])
    other = wa_payload([wa_message("wamid.c", "15550002", "z")])
    assert streams.partition_of(a) == streams.partition_of(b)
    assert streams.conversation_of(a) != streams.conversation_of(other)
    assert streams.partition_of(b"not json") in range(defaults.PARTITIONS)


@pytest.mark.unpaced(why="order across worker processes, one post per text: at Slack's pace 100 posts take over a "
                           "minute; tests/scenarios/test_crash_recovery.py runs worker processes at Slack's pace")
@pytest.mark.both_databases  # worker processes writing to one database at once
def test_two_and_three_worker_processes_keep_each_customers_order(client, rt, config, fake_slack):
    connect_whatsapp(rt)
    burst(client, customers=20, each=5)
    env = worker_env(config)
    cmd = worker_command("--burst")
    for workers in (2, 3):
        procs = [subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                 for _ in range(workers)]
        for p in procs:
            assert p.wait(120) == 0, p.stderr.read().decode()[-2000:] if p.stderr else ""
        if workers == 2:
            assert len(fake_slack.messages) == 100
            burst(client, customers=20, each=5)  # a second burst for three workers (same ids: redeliveries)
    seen = by_customer(fake_slack.messages)
    assert len(fake_slack.messages) == 100  # the second burst was all redeliveries: nothing posted twice
    assert all(v == [0, 1, 2, 3, 4] for v in seen.values()) and len(seen) == 20


def test_a_rate_limited_channel_holds_only_its_own_posts(client, rt, fake_slack):
    connect_whatsapp(rt)
    with rt.db.session() as s:
        s.add(NotificationRoute(team_id="T1", kind="alerts", channel_id="C_ALERTS"))
    fake_slack.limit_channel("C1", 2)
    post_webhook(client, wa_payload([wa_message("wamid.H1", "15550001111", "held one")]))
    failed = {"id": "wamid.gone", "status": "failed", "timestamp": "1", "recipient_id": "15557654321",
              "errors": [{"code": 131026, "title": "Message undeliverable"}]}
    post_webhook(client, wa_payload([], statuses=[failed]))
    run_worker(rt)
    assert [m["channel"] for m in fake_slack.messages] == ["C_ALERTS"]  # the other channel's post went out
    assert fake_slack.refused_429 == 1
    # Another customer's message (another partition) once the channel is held: it waits without asking Slack. (Two
    # drains of one worker posting to the channel at the very moment of its 429 would each get one.)
    post_webhook(client, wa_payload([wa_message("wamid.H2", "15550002222", "held two")]))
    run_worker(rt)
    assert fake_slack.refused_429 == 1
    time.sleep(2.1)
    run_due_scheduled(rt)
    run_worker(rt)
    assert [m["text"].rsplit(": ", 1)[-1] for m in fake_slack.messages if m["channel"] == "C1"] == \
        ["held one", "held two"]
    with rt.db.session() as s:
        assert set(s.scalars(select(WebhookEvent.state))) == {"done"}


def test_events_a_dead_drain_read_are_taken_over_first_and_in_order(client, rt, fake_slack):
    connect_whatsapp(rt)
    for n in range(3):
        post_webhook(client, wa_payload([wa_message(f"wamid.T{n}", "15550009999", f"c99 m{n}")]))
    [partition] = [p for p in range(defaults.PARTITIONS) if rt.redis.xlen(streams.stream_key(p))]
    streams.ensure_group(rt.redis, partition)
    taken = streams.read(rt.redis, partition, "dead-worker", 2)  # read, never acknowledged: the worker died
    assert len(taken) == 2
    rt.redis.delete(streams.flag_key(partition))  # its flag expired
    assert streams.ensure_drain(rt.queue) == 1  # what the periodic sweep does
    run_worker(rt)
    assert by_customer(fake_slack.messages) == {"c99": [0, 1, 2]}
    assert streams.waiting(rt.redis) == 0


def test_a_drain_job_queued_before_partitions_moves_the_old_list(client, rt, fake_slack):
    connect_whatsapp(rt)
    post_webhook(client, wa_payload([wa_message("wamid.OLD", "15550007777", "c77 m0")]))
    for p in range(defaults.PARTITIONS):  # as an earlier release left Redis: ids on one list
        rt.redis.delete(streams.stream_key(p), streams.flag_key(p))
    rt.redis.rpush(streams.LEGACY_EVENTS_KEY, 1)
    rt.queue.enqueue_call(streams.DRAIN)  # the old job: no partition argument
    run_worker(rt)
    assert by_customer(fake_slack.messages) == {"c77": [0]}
    assert rt.redis.llen(streams.LEGACY_EVENTS_KEY) == 0
