"""Crash recovery on real processes: a worker killed with SIGKILL mid-burst, and a PostgreSQL server stopped
and started under the webhook and under a drain (a private server, never the machine's shared one)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator

import pytest
from rq.scheduler import RQScheduler
from sqlalchemy import select

from metaops.delivery import holds
from metaops.queue import streams
from store import migrate
from store.models import WebhookEvent
from tests.constants import ROOT
from tests.helpers import (
    PrivatePostgres,
    burst,
    by_customer,
    clock_command,
    connect_whatsapp,
    post_webhook,
    run_due_scheduled,
    run_worker,
    texts,
    until,
    wa_message,
    wa_payload,
    worker_command,
    worker_env,
)

# Both databases: a SIGKILLed worker's claims (dedupe rows naming their owner) taken over; the private-server class
# below is PostgreSQL's own.
pytestmark = pytest.mark.both_databases

PACED_CUSTOMERS, EACH = 8, 10  # 80 texts into one channel: about 25 posts at Slack's one per second


def _start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    """A Procfile process in a group of its own: SIGKILL of the group is a crash (an OOM kill, a deploy)."""
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _kill(*procs: subprocess.Popen) -> None:
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def _shown(fake_slack) -> dict[str, list[int]]:
    """Text numbers per customer, in the order Slack showed them (a joined post's texts in its order)."""
    seen: dict[str, list[int]] = defaultdict(list)
    for m in list(fake_slack.messages):
        for customer, n in texts(m):
            seen[customer].append(n)
    return seen


def test_killing_the_worker_holding_the_scheduler_lock_strands_no_paced_channel(client, rt, config, fake_slack):
    """Slack's pace and ours on (the defaults): a burst into one channel parks most texts on the channel's list,
    taken up by delayed release jobs. The worker holding RQ's scheduler lock and the clock are SIGKILLed while
    the channel has parked events and a release is running or waiting; a new worker starts alone (no clock):
    posts resume within 30 s, nothing is lost, at most one text is shown twice, and each customer's order holds."""
    connect_whatsapp(rt)
    burst(client, PACED_CUSTOMERS, EACH)
    env = worker_env(config)
    lock = RQScheduler.get_locking_key(rt.queue.name)
    worker = _start(worker_command(), env)
    clock = None
    try:
        assert until(lambda: rt.redis.get(lock) is not None, 30, 0.01), "the worker never took the scheduler lock"
        holder = rt.redis.get(lock)
        clock = _start(clock_command(), env)  # a candidate too, while the worker holds the lock
        assert until(lambda: sum(map(len, _shown(fake_slack).values())) >= 25, 90, 0.01), "too little was posted"
        assert holds.parked(rt.redis, "T1", "C1", 1), "the channel had nothing parked"
        assert rt.redis.get(lock) == holder and not holder.startswith(b"clock-")  # the worker still holds it
    finally:
        _kill(worker, *([clock] if clock else []))
    shown_before = sum(map(len, _shown(fake_slack).values()))
    assert shown_before < PACED_CUSTOMERS * EACH  # killed mid-burst

    posts_before, restarted = len(fake_slack.messages), time.monotonic()
    worker = _start(worker_command(), env)
    try:
        assert until(lambda: len(fake_slack.messages) > posts_before, 30, every=0.1), \
            "nothing was posted within 30 s of the restart"
        assert until(lambda: sum(map(len, _shown(fake_slack).values())) >= PACED_CUSTOMERS * EACH, 120, 0.2), \
            f"texts left undelivered: {sum(map(len, _shown(fake_slack).values()))} shown"
        assert until(lambda: _all_done(rt), 30, 0.2)
    finally:
        _kill(worker)
    assert time.monotonic() - restarted < 150
    seen = _shown(fake_slack)
    assert len(seen) == PACED_CUSTOMERS
    assert all(set(numbers) == set(range(EACH)) for numbers in seen.values())  # nothing lost
    assert sum(map(len, seen.values())) - PACED_CUSTOMERS * EACH <= 1  # at most the text the kill interrupted
    for numbers in seen.values():  # a repost comes right after its first post: order kept
        assert [n for i, n in enumerate(numbers) if i == 0 or numbers[i - 1] != n] == list(range(EACH))
    assert streams.waiting(rt.redis) == 0 and holds.parked(rt.redis, "T1", "C1", 1) == []


def _all_done(rt) -> bool:
    with rt.db.session() as s:
        return set(s.scalars(select(WebhookEvent.state))) == {"done"}


# --- PostgreSQL stopped and started -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def private_pg() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    reason = server.available()
    if reason:
        server.close()
        pytest.skip(f"no private PostgreSQL server: {reason}")
    try:
        server.init()
        yield server
    finally:
        server.close()


class TestPostgresStoppedAndStarted:
    @pytest.fixture
    def database_url(self, private_pg: PrivatePostgres) -> str:
        """A migrated database on the private server (instead of SQLite and the shared PostgreSQL)."""
        if not _accepts(private_pg):  # a test that failed with the server stopped
            private_pg.start()
        url = private_pg.create_database(f"metaops_{uuid.uuid4().hex[:8]}")
        migrate.upgrade(url)
        return url

    def test_webhook_answers_503_while_the_server_is_down_and_200_once_it_is_back(self, client, rt, private_pg):
        connect_whatsapp(rt)
        assert post_webhook(client, wa_payload([wa_message("wamid.P1", "15550001", "c01 m0")])).status_code == 200
        private_pg.stop()  # the pooled ingest connection dies with the server
        r = post_webhook(client, wa_payload([wa_message("wamid.P2", "15550001", "c01 m1")]))
        assert r.status_code == 503 and b"retry" in r.data
        private_pg.start()
        assert post_webhook(client, wa_payload([wa_message("wamid.P2", "15550001", "c01 m1")])).status_code == 200
        # A restart between two webhooks: the pooled connection died unseen; the next webhook still stores.
        private_pg.stop()
        private_pg.start()
        assert post_webhook(client, wa_payload([wa_message("wamid.P3", "15550001", "c01 m2")])).status_code == 200
        with rt.db.session() as s:
            bodies = [bytes(b) for b in s.scalars(select(WebhookEvent.body).order_by(WebhookEvent.id))]
        assert [b"wamid.P1" in b for b in bodies] == [True, False, False]
        assert [b"wamid.P2" in b for b in bodies] == [False, True, False]
        assert [b"wamid.P3" in b for b in bodies] == [False, False, True]

    def test_a_drain_that_finds_the_server_down_posts_the_text_once_it_is_back(self, client, rt, private_pg,
                                                                                fake_slack):
        connect_whatsapp(rt)
        assert post_webhook(client, wa_payload([wa_message("wamid.D1", "15550002", "c02 m0")])).status_code == 200
        private_pg.stop()  # before the worker runs
        run_worker(rt)
        assert fake_slack.messages == [] and streams.waiting(rt.redis) == 1  # still first in line
        private_pg.start()

        def posted() -> bool:
            run_due_scheduled(rt)  # the drain comes back DB_RETRY_DELAY later, as a scheduled job
            run_worker(rt)
            return bool(fake_slack.messages)

        assert until(posted, 30, every=0.5)
        run_due_scheduled(rt)
        run_worker(rt)
        assert by_customer(fake_slack.messages) == {"c02": [0]}  # posted once
        assert streams.waiting(rt.redis) == 0
        with rt.db.session() as s:
            assert list(s.scalars(select(WebhookEvent.state))) == ["done"]


def _accepts(server: PrivatePostgres) -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(server.admin_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - down
        return False
    finally:
        engine.dispose()
