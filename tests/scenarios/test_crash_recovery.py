"""Crash recovery on real processes: a worker killed with SIGKILL mid-burst, and a PostgreSQL server stopped
and started under the webhook and under a drain (a private server, never the machine's shared one)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from metaops import defaults
from metaops.delivery import inbox, periodic
from store import migrate
from store.models import DedupeKey, WebhookEvent
from tests.constants import ROOT
from tests.helpers import (
    PrivatePostgres,
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

CUSTOMERS, EACH = 20, 10


def _wait_for(condition, seconds: float, every: float = 0.01) -> bool:
    """Poll `condition` until it holds or `seconds` have passed (a bound, not a timing)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def test_a_worker_killed_mid_burst_loses_nothing_and_keeps_each_customers_order(client, rt, config, fake_slack):
    connect_whatsapp(rt)
    burst(client, CUSTOMERS, EACH)
    env = worker_env(config)
    # Its own process group: SIGKILL reaches the worker and the scheduler process it forks, as in a crash.
    worker = subprocess.Popen(worker_command(), env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        assert _wait_for(lambda: len(fake_slack.messages) >= 50, 60), "the worker posted too little"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    posted_before = len(fake_slack.messages)
    assert posted_before < CUSTOMERS * EACH  # killed mid-burst

    # What time does with no worker running (waiting for real would take minutes): every "drain pending" flag
    # expires (DRAIN_FLAG_TTL; nobody renews them), among them that of a drain job the worker had taken off
    # the queue (running, or taken but not yet started: then RQ has no trace of it), and the claim of the item
    # it was posting runs out (DEDUPE_LEASE).
    for p in range(defaults.PARTITIONS):
        rt.redis.delete(inbox.flag_key(p))
    with rt.db.session() as s:
        for claim in s.scalars(select(DedupeKey).where(DedupeKey.state == "claimed")):
            claim.claimed_at -= timedelta(seconds=defaults.DEDUPE_LEASE + 1)
    periodic.sweep()  # the clock's sweep: a drain for every partition with events waiting and no drain pending

    again = subprocess.run(worker_command("--burst"), env=env, cwd=ROOT, capture_output=True, timeout=100)
    assert again.returncode == 0, again.stderr.decode()[-2000:]

    seen = by_customer(fake_slack.messages)
    assert len(seen) == CUSTOMERS
    assert all(set(numbers) == set(range(EACH)) for numbers in seen.values())  # nothing lost
    assert len(fake_slack.messages) - CUSTOMERS * EACH <= 1  # at most the one post the kill interrupted, twice
    for numbers in seen.values():  # a repost comes right after its first post: order kept
        assert [n for i, n in enumerate(numbers) if i == 0 or numbers[i - 1] != n] == list(range(EACH))
    assert inbox.waiting(rt.redis) == 0
    with rt.db.session() as s:
        assert set(s.scalars(select(WebhookEvent.state))) == {"done"}


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
        assert fake_slack.messages == [] and inbox.waiting(rt.redis) == 1  # still first in line
        private_pg.start()

        def posted() -> bool:
            run_due_scheduled(rt)  # the drain comes back DB_RETRY_DELAY later, as a scheduled job
            run_worker(rt)
            return bool(fake_slack.messages)

        assert _wait_for(posted, 30, every=0.5)
        run_due_scheduled(rt)
        run_worker(rt)
        assert by_customer(fake_slack.messages) == {"c02": [0]}  # posted once
        assert inbox.waiting(rt.redis) == 0
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
