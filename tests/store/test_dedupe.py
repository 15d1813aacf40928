"""Dedupe claims are atomic in the database: racing claimers, stale claims, and two real worker processes."""

from __future__ import annotations

import subprocess
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from metaops.queue import enqueue
from store import dedupe
from store.models import WebhookEvent
from store.timestamps import utcnow
from tests.constants import ROOT
from tests.helpers import (
    clear_inbox,
    connect_whatsapp,
    post_webhook,
    wa_message,
    wa_payload,
    worker_command,
    worker_env,
)

# Both databases: claims are INSERTs racing on a unique key and conditional UPDATEs, raced by threads and by processes
# on one database.
pytestmark = pytest.mark.both_databases


def test_only_one_claim_wins(rt):
    now = utcnow()
    assert dedupe.claim(rt.db.engine, "k1", 1, now, lease=300)
    with pytest.raises(dedupe.ClaimBusy) as busy:  # held by a live worker: ask again later, never skip
        dedupe.claim(rt.db.engine, "k1", 2, now, lease=300)
    assert 1 <= busy.value.retry_after <= 30
    dedupe.done(rt.db.engine, "k1")
    assert not dedupe.claim(rt.db.engine, "k1", 3, now + timedelta(days=1), lease=300)


def test_released_claim_can_be_taken_again(rt):
    now = utcnow()
    assert dedupe.claim(rt.db.engine, "k2", 1, now, lease=300)
    dedupe.release(rt.db.engine, "k2")
    assert dedupe.claim(rt.db.engine, "k2", 2, now, lease=300)


def test_stale_claim_of_a_dead_worker_is_retaken_once(rt):
    then = utcnow()
    assert dedupe.claim(rt.db.engine, "k3", 1, then, lease=300)
    with pytest.raises(dedupe.ClaimBusy):
        dedupe.claim(rt.db.engine, "k3", 2, then + timedelta(seconds=10), lease=300)
    later = then + timedelta(seconds=301)
    assert dedupe.claim(rt.db.engine, "k3", 3, later, lease=300)
    with pytest.raises(dedupe.ClaimBusy):
        dedupe.claim(rt.db.engine, "k3", 4, later, lease=300)


def test_an_event_whose_item_a_dead_worker_held_is_delivered_after_the_lease(client, rt, fake_slack):
    """A worker died mid-post: its claim stays. The event is retried, not marked done, until the lease ends."""
    from metaops.delivery import drain
    from store.models import WebhookEvent

    connect_whatsapp(rt)
    post_webhook(client, wa_payload([wa_message("wamid.DEAD", "15550004444", "lost?")]))
    clear_inbox(rt.redis)
    dedupe.claim(rt.db.engine, "wa:msg:wamid.DEAD", 1, utcnow(), lease=300)  # the dead worker's claim
    with pytest.raises(dedupe.ClaimBusy):
        drain.handle(rt, 1, drain.Router(rt.db.engine))
    with rt.db.session() as s:
        assert s.get(WebhookEvent, 1).state == "received"
    rt.now = lambda: utcnow() + timedelta(seconds=301)
    drain.handle(rt, 1, drain.Router(rt.db.engine))
    [msg] = fake_slack.messages
    assert "lost?" in msg["text"]


def test_racing_threads_claim_each_key_once(rt):
    wins: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def racer(n: int) -> None:
        barrier.wait()
        for k in range(20):
            try:
                won = dedupe.claim(rt.db.engine, f"race-{k}", n, utcnow(), lease=300)
            except dedupe.ClaimBusy:
                won = False
            if won:
                with lock:
                    wins.append(f"race-{k}")

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == sorted(f"race-{k}" for k in range(20))


@pytest.mark.unpaced(why="two processes racing on the same items: at Slack's pace most of them would wait parked "
                           "and never race")
def test_two_worker_processes_racing_make_no_duplicate(client, rt, config, fake_slack):
    """Each message arrives twice (Meta redelivers); two `rq worker` processes from the Procfile race."""
    connect_whatsapp(rt)
    for i in range(20):
        payload = wa_payload([wa_message(f"wamid.RACE{i}", f"155500000{i % 2}", f"race {i}")])
        post_webhook(client, payload)
        post_webhook(client, payload)
    clear_inbox(rt.redis)  # one job per event instead: more to race on
    with rt.db.session() as s:
        ids = list(s.scalars(select(WebhookEvent.id)))
    for event_id in ids:
        rt.queue.enqueue_call(enqueue.PROCESS_EVENT, args=(event_id,))

    env = worker_env(config)
    cmd = worker_command("--burst")  # the Procfile's worker, until the queue is empty
    workers = [subprocess.Popen(cmd, env=env, cwd=ROOT / "tests", stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
               for _ in range(2)]
    outputs = [w.communicate(timeout=120)[0].decode() for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs

    texts = sorted(m["text"] for m in fake_slack.messages)
    assert len(texts) == 20, outputs
    assert len(set(texts)) == 20
    roots = [m for m in fake_slack.messages if "thread_ts" not in m]
    assert len(roots) == 2  # one thread per contact, even with two workers creating it
