"""A web worker of the Procfile's line SIGKILLed while webhooks arrive (an OOM kill mid-batch): no request is
answered 200 without its row stored and queued; a request the kill cut off is retried as Meta retries it, and its
body is stored at most once more (a body committed just before the kill: delivery's dedupe posts it once)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from integrations.meta.signature import sign
from metaops import defaults
from metaops.queue import streams
from store import events
from store.timestamps import utcnow
from tests.constants import APP_SECRET
from tests.helpers import start_procfile_web, wa_message, wa_payload

pytestmark = pytest.mark.both_databases  # the multi-row INSERT's commit on each database

CLIENTS, EACH = 8, 40


def _workers(master: int) -> set[int]:
    """The gunicorn workers of `master` (its child processes)."""
    found = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2:].split()[1]) == master:
            found.add(int(pid))
    return found


def test_a_web_worker_killed_mid_batch_never_answers_200_without_its_row(config, redis_conn):
    proc, port = start_procfile_web(config, concurrency=2)
    url = f"http://127.0.0.1:{port}/meta/webhook"
    bodies = [json.dumps(wa_payload([wa_message(f"wamid.K{c}x{i}", f"1555{c:07d}", f"text {i}")])).encode()
              for c in range(CLIENTS) for i in range(EACH)]
    answers: dict[bytes, list[int | None]] = defaultdict(list)  # each try's status; None: no answer (cut off)
    oks = threading.Semaphore(0)

    def client(mine: list[bytes]) -> None:
        with requests.Session() as s:
            for body in mine:
                for _ in range(100):  # Meta retries a request that failed or got no answer
                    try:
                        status: int | None = s.post(url, data=body, timeout=30, headers={
                            "Content-Type": "application/json", "X-Hub-Signature-256": sign(body, APP_SECRET)
                        }).status_code
                    except requests.RequestException:
                        status = None
                    answers[body].append(status)
                    if status == 200:
                        oks.release()
                        break
                    time.sleep(0.05)

    try:
        deadline = time.monotonic() + 30  # /healthz answered once one worker was up; wait for both
        while len(before := _workers(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(before) == 2
        threads = [threading.Thread(target=client, args=(bodies[c * EACH:(c + 1) * EACH],)) for c in range(CLIENTS)]
        for t in threads:
            t.start()
        for _ in range(60):  # under way: some answered, most still to come
            assert oks.acquire(timeout=30)
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        for t in threads:
            t.join(120)
        assert not any(t.is_alive() for t in threads)
        assert victim not in _workers(proc.pid)  # killed, and the master started another
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)

    engine = create_engine(str(config["DATABASE_URL"]))
    with engine.connect() as conn:
        rows = [(r[0], bytes(r[1])) for r in conn.execute(text("SELECT id, body FROM webhook_events"))]
    stranded = set(events.stranded(engine, utcnow() + timedelta(days=1), 10_000))
    engine.dispose()
    queued: dict[int, int] = {}
    for p in range(defaults.PARTITIONS):
        for _entry, fields in redis_conn.xrange(streams.stream_key(p)):
            event_id = int(fields[b"id"])
            assert event_id not in queued, f"event {event_id} queued twice"
            queued[event_id] = p
    ids_of: dict[bytes, list[int]] = defaultdict(list)
    for event_id, body in rows:
        ids_of[body].append(event_id)
    assert sorted(ids_of) == sorted(bodies)  # nothing else stored
    for body in bodies:
        assert answers[body][-1] == 200  # every body answered 200 in the end (retried as Meta does)
        assert any(i in queued for i in ids_of[body])  # the 200 try's row is stored and queued
        extra = len(ids_of[body]) - 1
        cut_off = sum(1 for s in answers[body] if s != 200)
        assert 0 <= extra <= cut_off  # a second row only for a try that got no 200
    assert set(queued) <= {i for i, _ in rows}  # nothing queued that is not stored
    # a row committed by the killed worker before it queued it waits for the sweep, which finds it: none lost
    assert {i for i, _ in rows} - set(queued) <= stranded
