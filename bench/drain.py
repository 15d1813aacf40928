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
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from redis import Redis
from rq import SimpleWorker, Worker

from bench.common import (
    ROOT,
    app_config,
    connect_workspace,
    count_done,
    database,
    push_event,
    start_runtime,
    start_slack_fake,
    stop_runtime,
    whatsapp_text,
)
from metaops.queue import connection
from metaops.worker import Worker as AppWorker

REDIS_URL = "redis://127.0.0.1:6379/13"


def noop_rate(worker_class: type[Worker], n: int) -> float:
    r = Redis.from_url(REDIS_URL)
    r.flushdb()
    q = connection.make_queue(r, "bench-noop")  # JSON, as every job of the app
    with r.pipeline() as p:
        for i in range(n):
            q.enqueue_call("bench.noop.noop", args=(i,), result_ttl=0, pipeline=p)
        p.execute()
    w = worker_class([q], connection=r, serializer=connection.SERIALIZER)
    t = time.perf_counter()
    w.work(burst=True, logging_level="WARNING")
    rate = n / (time.perf_counter() - t)
    r.flushdb()
    return rate


def body(i: int) -> bytes:
    return whatsapp_text(1, "15550783881", f"1555000{i % 50:04d}", f"Customer {i % 50}", f"wamid.bench.{i}",
                         f"bench message {i}")


WORKER_CMD = [sys.executable, "-m", "rq.cli", "worker", "-c", "metaops.rq_settings", "--worker-class",
              "metaops.worker.Worker", "-S", "rq.serializers.JSONSerializer", "--burst", "--logging_level", "WARNING"]


def drain_rate(kind: str, n: int, slack_url: str, workdir: Path, processes: int = 0) -> tuple[float, int]:
    """Events/s drained into the Slack fake: in this process (0), or by that many worker processes."""
    url, drop = database(kind, workdir)
    config = {**app_config(url, REDIS_URL, slack_url, workdir),
              "SLACK_PACE_RATE": "0"}  # the fake takes any pace: this measures the drain itself (bench.burst: pace)
    rt = start_runtime(config)
    try:
        with rt.db.session() as session:
            connect_workspace(session, rt, 1)
        for i in range(n):
            push_event(rt, body(i))
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
        return n / elapsed, count_done(rt)
    finally:
        stop_runtime(rt, drop)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=3000)
    ap.add_argument("--db", choices=["postgresql", "sqlite", "both"], default="both")
    ap.add_argument("--processes", default="", help="also drain with worker processes, e.g. 1,2,4 (PostgreSQL)")
    args = ap.parse_args()
    (ROOT / "bench" / "noop.py").exists() or sys.exit("bench/noop.py missing")
    fake, slack_url = start_slack_fake()
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
