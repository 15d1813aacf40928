"""Benchmark (not a test): events per second drained end to end by the worker into the Slack fake.

In the same run, the baselines: RQ no-op jobs per second with SimpleWorker and with the forking Worker (the
per-job cost every event would pay if each event were its own job) and, with `--processes`, one worker process
draining one partition at a time (WORKER_DRAINS=1, the worker before issue 24). Each event is one signed WhatsApp
text from one of `--customers` contacts (5 texts each by default), stored and queued as the webhook does; the
worker is the Procfile's class (metaops.worker.Worker); the Slack fake runs in its own process. Our pace is off
and so is the fake's per-channel pace (every text goes to one channel): this measures the worker, not Slack's
pace (bench.burst does). `--slack-latency S`: the fake answers every Web API call S seconds after it came, as
Slack does from a typical host (0.1-0.3 s).

In-process runs (`--db`): the worker class in this process, burst mode, timed from start to finish. Process runs
(`--processes 1,2,4`, PostgreSQL): that many processes of the Procfile's worker line are started and registered
first, then every event is queued at once and timed until the last is done; printed per run: events/s, the
ratio to the one-drain-at-a-time baseline, the ratio to one process, each worker's peak RSS, and whether Slack
shows every text once and each customer's in order.

Usage, from the repo root (`tests` is imported from there): .venv/bin/python -m bench.drain [--events N]
[--customers N] [--db postgresql|sqlite|both|none] [--processes 1,2,4] [--slack-latency 0.15] [--drains N]
[--repeat N]; `make bench` runs it. The issue-24 figures: `--slack-latency 0.15 --processes 1,2,4` (300 texts
from 60 customers when a latency is given). Needs Redis on 127.0.0.1:6379 (db 13, flushed) and PostgreSQL on
127.0.0.1:5432 for postgresql.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from redis import Redis
from rq import SimpleWorker, Worker

from bench.common import (
    ROOT,
    app_config,
    connect_workspace,
    control,
    count_done,
    cpu_by_party,
    database,
    postgres_serving,
    start_runtime,
    start_slack_fake,
    stop_runtime,
    whatsapp_text,
)
from metaops.queue import connection, streams
from metaops.runtime import Runtime
from metaops.worker import Worker as AppWorker
from store import events
from store.timestamps import utcnow
from tests.helpers import worker_command, worker_env

REDIS_URL = "redis://127.0.0.1:6379/13"
TEXT = re.compile(r"bench message (\d+)\b")


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


def body(i: int, customers: int) -> bytes:
    return whatsapp_text(1, "15550783881", f"1555000{i % customers:04d}", f"Customer {i % customers}",
                         f"wamid.bench.{i}", f"bench message {i}")


@dataclass
class Run:
    rate: float
    done: int
    checked: str  # what Slack shows: every text once and in order, or what is wrong
    rss_mb: list[float] = field(default_factory=list)  # each worker process's peak RSS
    cpu_s: float = 0.0  # CPU time of the worker processes from the queueing of the events on (user + system)
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after
    calls: dict[str, int] = field(default_factory=dict)  # Slack Web API calls the run made, per method
    others: dict[str, float] = field(default_factory=dict)  # CPU seconds of the other parties over the run

    def slack_calls(self, events: int) -> str:
        shown = ", ".join(f"{m} {n}" for m, n in sorted(self.calls.items(), key=lambda kv: -kv[1]))
        return f"Slack calls {sum(self.calls.values()) / events:.2f} a text ({shown})"

    def cost(self, events: int) -> str:
        shown = "".join(f", {name} {seconds / events * 1000:.1f}" for name, seconds in self.others.items())
        return f"worker CPU {self.cpu_s:.1f} s ({self.cpu_s / events * 1000:.0f} ms a text; CPU ms a text of the " \
               f"others{shown})"


def drain_rate(kind: str, args: argparse.Namespace, slack_url: str, workdir: Path, processes: int = 0,
               drains: int | None = None) -> Run:
    """Events/s drained into the Slack fake: in this process (0), or by that many worker processes."""
    base = slack_url.removesuffix("/api/")
    url, drop = database(kind, workdir)
    config = {**app_config(url, REDIS_URL, slack_url, workdir), "SLACK_PACE_RATE": "0"}  # see the docstring
    if drains:
        config["WORKER_DRAINS"] = str(drains)
    rt = start_runtime(config)
    load_before = os.getloadavg()[0]
    try:
        with rt.db.session() as session:
            connect_workspace(session, rt, 1)
        shown_before = len(control(base, "GET", "/control/posts", timeout=30)["posts"])
        calls_before = control(base, "GET", "/control/stats", timeout=30)["calls"]
        stored = [(events.insert_event(rt.db.ingest, raw, utcnow()), streams.partition_of(raw))
                  for raw in (body(i, args.customers) for i in range(args.events))]
        rss: list[float] = []
        cpu = 0.0
        others: dict[str, float] = {}
        if processes == 0:
            t = time.perf_counter()
            streams.push_events(rt.queue, stored)
            AppWorker([rt.queue], connection=rt.redis).work(burst=True, logging_level="WARNING")
            elapsed = time.perf_counter() - t
        else:
            parties = {"Slack fake": lambda pid, _group, _cmdline: pid == args.fake_pid,
                       "PostgreSQL": postgres_serving(url)}
            used: list[dict[str, float]] = []  # before the events are queued, once all are done

            def measure() -> None:
                used.append({**cpu_by_party(parties), "Redis": _redis_cpu(rt)})
            elapsed, rss, cpu = _in_processes(rt, config, stored, processes, args.timeout, measure)
            others = {name: used[1][name] - used[0][name] for name in ("Slack fake", "PostgreSQL", "Redis")}
            others["all cores busy"] = used[1]["machine"] - used[0]["machine"]
        posts = control(base, "GET", "/control/posts", timeout=30)["posts"][shown_before:]
        calls = {m: n - calls_before.get(m, 0)
                 for m, n in control(base, "GET", "/control/stats", timeout=30)["calls"].items()}
        return Run(args.events / elapsed, count_done(rt), _check(posts, args.events, args.customers), rss, cpu,
                   (load_before, os.getloadavg()[0]), {m: n for m, n in calls.items() if n},
                   others)
    finally:
        stop_runtime(rt, drop)


def _in_processes(rt: Runtime, config: dict[str, str], stored: list[tuple[int, int]], processes: int,
                  timeout: float, measure: Callable[[], None]) -> tuple[float, list[float], float]:
    """The Procfile's worker line, `processes` of them, started and registered before the events are queued; the
    seconds until every event is done, each process's peak RSS (MB) and their CPU seconds in all from the
    queueing on (their start-up left out), once they stopped (SIGTERM: a warm stop)."""
    procs = [subprocess.Popen(worker_command("--logging_level", "WARNING"), env=worker_env(config), cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(processes)]
    idle_cpu = 0.0
    try:
        deadline = time.monotonic() + 60
        while len(Worker.all_keys(connection=rt.redis)) < processes:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                sys.exit("bench.drain: the worker processes did not start")
            time.sleep(0.05)
        time.sleep(0.5)  # each has done its start-up recovery and waits on the queue
        idle_cpu = sum(_cpu_so_far(p.pid) for p in procs)
        measure()
        t = time.perf_counter()
        streams.push_events(rt.queue, stored)
        while count_done(rt) < len(stored) and time.perf_counter() - t < timeout:
            time.sleep(0.02)
        elapsed = time.perf_counter() - t
        measure()  # before the workers stop: their database connections' processes go with them
    finally:
        rss, cpu = [], 0.0
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            _, _, usage = os.wait4(p.pid, 0)
            p.returncode = 0  # reaped here, for its rusage
            rss.append(usage.ru_maxrss / 1024)  # KB on Linux
            cpu += usage.ru_utime + usage.ru_stime
    return elapsed, rss, cpu - idle_cpu


def _redis_cpu(rt: Runtime) -> float:
    info = rt.redis.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


def _cpu_so_far(pid: int) -> float:
    """CPU seconds (user + system) process `pid` has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _check(posts: list[dict], n: int, customers: int) -> str:
    """'every text once, in order' or what Slack shows wrong."""
    seen: dict[int, list[int]] = defaultdict(list)
    for p in sorted(posts, key=lambda p: p["at"]):
        for m in TEXT.findall(json.dumps(p["blocks"]) if p["blocks"] else p["text"] or ""):
            seen[int(m) % customers].append(int(m))
    shown = sum(len(v) for v in seen.values())
    twice = shown - len({i for v in seen.values() for i in v})
    disordered = sum(1 for v in seen.values() if v != sorted(v))
    if shown - twice == n and not twice and not disordered:
        return "every text once, in order"
    return f"{n - (shown - twice)} texts missing, {twice} shown twice, {disordered} customers out of order"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, help="texts (default 3000; 300 with --slack-latency)")
    ap.add_argument("--customers", type=int, help="customers writing them (default 50; 60 with --slack-latency)")
    ap.add_argument("--db", choices=["postgresql", "sqlite", "both", "none"],
                    help="in-process runs (default both; none with --processes)")
    ap.add_argument("--processes", default="", help="also drain with worker processes, e.g. 1,2,4 (PostgreSQL)")
    ap.add_argument("--slack-latency", type=float, default=0.0, help="seconds the fake takes to answer each call")
    ap.add_argument("--drains", type=int, help="WORKER_DRAINS of the worker processes (default: the app's)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each figure (other work shares the cores)")
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args()
    latency = args.slack_latency > 0
    args.events = args.events or (300 if latency else 3000)
    args.customers = args.customers or (60 if latency else 50)
    counts = [int(x) for x in args.processes.split(",") if x]
    args.db = args.db or ("none" if counts else "both")
    (ROOT / "bench" / "noop.py").exists() or sys.exit("bench/noop.py missing")
    fake, slack_url = start_slack_fake()
    args.fake_pid = fake.pid
    base = slack_url.removesuffix("/api/")
    workdir = Path(tempfile.mkdtemp(prefix="metaops-drain-"))
    try:
        control(base, "POST", "/control/pace?rate=0&burst=0", timeout=10)
        print(f"drain: {args.events} WhatsApp texts from {args.customers} customers into one channel; Slack fake "
              f"answering each call after {args.slack_latency:g} s, its pace and ours off; {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.2f}")
        simple = noop_rate(SimpleWorker, 1000)
        forking = noop_rate(Worker, 300)
        print(f"baseline: RQ no-op jobs, SimpleWorker {simple:.0f}/s, forking Worker {forking:.0f}/s")
        control(base, "POST", f"/control/latency?seconds={args.slack_latency:g}", timeout=10)
        kinds = {"both": ["postgresql", "sqlite"], "none": []}.get(args.db, [args.db])
        for kind in kinds:
            for _ in range(args.repeat):
                run = drain_rate(kind, args, slack_url, workdir)
                print(f"drain ({kind}, in this process): {run.rate:.1f} events/s end to end ({run.done}/"
                      f"{args.events} done; {run.checked}), {run.rate / simple:.2f}x SimpleWorker no-op jobs/s; "
                      f"{run.slack_calls(args.events)}; load {run.load[0]:.2f} -> {run.load[1]:.2f}")
        if not counts:
            return
        for _ in range(args.repeat):
            serial = drain_rate("postgresql", args, slack_url, workdir, 1, drains=1)
            print(f"baseline: 1 process, WORKER_DRAINS=1 (one drain at a time): {serial.rate:.1f} events/s "
                  f"({serial.done}/{args.events} done; {serial.checked}); RSS {_mb(serial.rss_mb)}; "
                  f"{serial.cost(args.events)}; load "
                  f"{serial.load[0]:.2f} -> {serial.load[1]:.2f}")
            one = None
            for processes in counts:
                run = drain_rate("postgresql", args, slack_url, workdir, processes, drains=args.drains)
                one = one or run.rate
                print(f"drain (postgresql, {processes} worker process(es), WORKER_DRAINS="
                      f"{args.drains or 'default'}): {run.rate:.1f} events/s ({run.done}/{args.events} done; "
                      f"{run.checked}), {run.rate / serial.rate:.1f}x one drain at a time, {run.rate / one:.2f}x one "
                      f"process; peak RSS per worker {_mb(run.rss_mb)}; {run.cost(args.events)}; "
                      f"{run.slack_calls(args.events)}; load "
                      f"{run.load[0]:.2f} -> {run.load[1]:.2f}")
    finally:
        fake.kill()


def _mb(values: list[float]) -> str:
    return ", ".join(f"{v:.0f} MB" for v in values)


if __name__ == "__main__":
    main()
