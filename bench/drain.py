"""Benchmark (not a test): events per second drained end to end by one worker into the Slack fake.

In the same run, the baseline: RQ no-op jobs per second with SimpleWorker and with the forking Worker
(the per-job cost every event would pay if each event were its own job). Each event is one signed
WhatsApp text from one of 50 contacts, stored and queued as the webhook does; the worker is the
Procfile's class (metaops.worker.Worker) in burst mode; the Slack fake runs in its own process.

Usage, from the repo root (`tests` is imported from there): .venv/bin/python -m bench.drain [--events 3000]
[--db postgresql|sqlite]; `make bench` runs it.
Needs Redis on 127.0.0.1:6379 and, for postgresql, PostgreSQL on 127.0.0.1:5432.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet
from redis import Redis
from rq import Queue, SimpleWorker, Worker
from sqlalchemy import text

from metaops import runtime, settings
from metaops.delivery import inbox
from metaops.worker import Worker as AppWorker
from store import events, workspaces
from store.clock import utcnow
from store.models import MetaConnection
from tests.databases import temporary_database

ROOT = Path(__file__).resolve().parent.parent

REDIS_URL = "redis://127.0.0.1:6379/13"
PG_ADMIN = "postgresql+psycopg://root@127.0.0.1:5432/test"
FAKE = ("import time\n"
        "from tests.fakes.slack_api import FakeSlack\n"
        "f = FakeSlack(); print(f.api_url, flush=True)\n"
        "while True: time.sleep(3600)\n")


def noop_rate(worker_class: type[Worker], n: int) -> float:
    r = Redis.from_url(REDIS_URL)
    r.flushdb()
    q = Queue("bench-noop", connection=r)
    with r.pipeline() as p:
        for i in range(n):
            q.enqueue_call("bench.noop.noop", args=(i,), result_ttl=0, pipeline=p)
        p.execute()
    w = worker_class([q], connection=r)
    t = time.perf_counter()
    w.work(burst=True, logging_level="WARNING")
    rate = n / (time.perf_counter() - t)
    r.flushdb()
    return rate


def body(i: int) -> bytes:
    sender = f"1555000{i % 50:04d}"
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "WABA1", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550783881",
                                                          "phone_number_id": "PN1"},
            "contacts": [{"profile": {"name": f"Customer {i % 50}"}, "wa_id": sender}],
            "messages": [{"from": sender, "id": f"wamid.bench.{i}", "timestamp": "1700000000", "type": "text",
                          "text": {"body": f"bench message {i}"}}]}}]}]}).encode()


def database(kind: str, workdir: Path) -> tuple[str, object]:
    return temporary_database(kind, PG_ADMIN, workdir)


WORKER_CMD = [sys.executable, "-m", "rq.cli", "worker", "-c", "metaops.rq_settings", "--worker-class",
              "metaops.worker.Worker", "--burst", "--logging_level", "WARNING"]


def drain_rate(kind: str, n: int, slack_url: str, workdir: Path, processes: int = 0) -> tuple[float, int]:
    """Events/s drained into the Slack fake: in this process (0), or by that many worker processes."""
    url, drop = database(kind, workdir)
    config = {"ENCRYPTION_KEYS": Fernet.generate_key().decode(), "DATABASE_URL": url, "REDIS_URL": REDIS_URL,
              "SLACK_API_URL": slack_url, "SLACK_BOT_TOKEN": "xoxb-test-bot-token", "INSTANCE_DIR": str(workdir),
              "SLACK_PACE_RATE": "0"}  # the fake takes any pace: this measures the drain itself (bench.burst: pace)
    s = settings.from_mapping(config)
    rt = runtime.build(s, worker=True)
    runtime.install(rt)
    rt.redis.flushdb()
    try:
        with rt.db.session() as session:
            ws = workspaces.ensure_workspace(session, "T1")
            ws.connect_channel = "C1"
            conn = MetaConnection(team_id="T1", meta_user_id="1", token_enc=rt.crypto.encrypt("t"))
            session.add(conn)
            session.flush()
            workspaces.add_whatsapp_account(session, conn, "WABA1", None, [{"id": "PN1"}])
        for i in range(n):
            event_id = events.insert_event(rt.db.ingest, body(i), utcnow())
            inbox.push_events(rt.queue, [(event_id, inbox.partition_of(body(i)))])
        t = time.perf_counter()
        if processes == 0:
            AppWorker([rt.queue], connection=rt.redis).work(burst=True, logging_level="WARNING")
        else:  # the Procfile's worker line, `processes` of them, each in burst mode
            env = {**os.environ, **{k: str(v) for k, v in config.items()}}
            procs = [subprocess.Popen(WORKER_CMD, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL) for _ in range(processes)]
            for p in procs:
                p.wait()
        elapsed = time.perf_counter() - t
        with rt.db.engine.connect() as c:
            done = c.execute(text("SELECT count(*) FROM webhook_events WHERE state = 'done'")).scalar_one()
        return n / elapsed, done
    finally:
        rt.redis.flushdb()
        rt.db.dispose()
        runtime.install(None)
        drop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=3000)
    ap.add_argument("--db", choices=["postgresql", "sqlite", "both"], default="both")
    ap.add_argument("--processes", default="", help="also drain with worker processes, e.g. 1,2,4 (PostgreSQL)")
    args = ap.parse_args()
    (ROOT / "bench" / "noop.py").exists() or sys.exit("bench/noop.py missing")
    fake = subprocess.Popen([sys.executable, "-c", FAKE], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    slack_url = fake.stdout.readline().strip()
    workdir = Path(tempfile.mkdtemp(prefix="metaops-drain-"))
    try:
        simple = noop_rate(SimpleWorker, 1000)
        forking = noop_rate(Worker, 300)
        print(f"baseline: RQ no-op jobs, SimpleWorker {simple:.0f}/s, forking Worker {forking:.0f}/s")
        kinds = ["postgresql", "sqlite"] if args.db == "both" else [args.db]
        for kind in kinds:
            rate, done = drain_rate(kind, args.events, slack_url, workdir)
            print(f"drain ({kind}): {rate:.0f} events/s end to end into the Slack fake "
                  f"({done}/{args.events} done), {rate / simple:.2f}x SimpleWorker no-op jobs/s")
        one = None
        for processes in [int(x) for x in args.processes.split(",") if x]:
            rate, done = drain_rate("postgresql", args.events, slack_url, workdir, processes)
            one = one or rate
            print(f"drain (postgresql, {processes} worker process(es)): {rate:.0f} events/s "
                  f"({done}/{args.events} done), {rate / one:.2f}x one process")
    finally:
        fake.kill()


if __name__ == "__main__":
    main()
