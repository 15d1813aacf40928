"""Benchmark (not a test): a burst into one channel at Slack's pace (issue 15, Bursts).

100 customers write 10 messages each into one WhatsApp number within a minute (arrival round-robin over 60 s,
stored and queued as the webhook does), all routed to one Slack channel. One worker process of the Procfile's
line (its scheduler thread moving the delayed releases) delivers them into the Slack fake, in its own process,
which enforces Slack's pace: 1 chat.postMessage per second per channel with a burst of 5 (429 with Retry-After
beyond). Printed: posts made (and per customer), when the last one was visible, the fastest schedule the fake
allows for that many posts (max(last arrival, first post + (posts - 5) s)), the ratio (target <= 1.2x), 429s
after the first second, and whether every message is present, in order, in its customer's thread.

Usage, from the repo root: .venv/bin/python -m bench.burst [--customers 100] [--each 10] [--minute 60]
[--db sqlite|postgresql]; `make bench` runs it. Needs Redis on 127.0.0.1:6379 (db 11, flushed) and, for
postgresql, PostgreSQL on 127.0.0.1:5432. Takes about four minutes.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench import common
from bench.common import ROOT
from tests.helpers import worker_command, worker_env

REDIS_URL = "redis://127.0.0.1:6379/11"  # a db of its own: the other benches flush db 13
SLACK_RATE, SLACK_BURST = 1.0, 5
WORD = re.compile(r"c(\d{3}) m(\d+)")


def body(c: int, n: int) -> bytes:
    return common.whatsapp_text(1, "15550783881", f"1555{c:07d}", f"Customer {c}", f"wamid.burst.{c}.{n}",
                                f"c{c:03d} m{n}", timestamp=str(int(time.time())))


def control(base: str, method: str, path: str) -> dict:
    return common.control(base, method, path, timeout=10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100)
    ap.add_argument("--each", type=int, default=10)
    ap.add_argument("--minute", type=float, default=60, help="the burst arrives over this many seconds")
    ap.add_argument("--db", choices=["postgresql", "sqlite"], default="sqlite")
    ap.add_argument("--timeout", type=float, default=900)
    args = ap.parse_args()
    fake, slack_url = common.start_slack_fake()
    base = slack_url.removesuffix("/api/")
    workdir = Path(tempfile.mkdtemp(prefix="metaops-burst-"))
    url, drop = common.database(args.db, workdir)
    config = common.app_config(url, REDIS_URL, slack_url, workdir)
    rt = common.start_runtime(config)
    worker = None
    try:
        with rt.db.session() as session:
            common.connect_workspace(session, rt, 1)
        control(base, "POST", f"/control/pace?rate={SLACK_RATE:g}&burst={SLACK_BURST}")
        worker = subprocess.Popen(worker_command(), env=worker_env(config), cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)  # the Procfile's worker line
        time.sleep(2)  # the worker up
        total = args.customers * args.each
        plan = [(c, n) for n in range(args.each) for c in range(args.customers)]  # round-robin over the minute
        t0 = time.monotonic()
        for k, (c, n) in enumerate(plan):
            due = t0 + args.minute * k / total
            time.sleep(max(0.0, due - time.monotonic()))
            common.push_event(rt, body(c, n))
        last_arrival = time.monotonic() - t0
        while time.monotonic() - t0 < args.timeout:
            done = common.count_done(rt)
            if done == total:
                break
            time.sleep(0.5)
        posts = control(base, "GET", "/control/posts")
        times = sorted(p["at"] for p in posts["posts"])
        first, last = times[0] - t0, times[-1] - t0
        fastest = max(last_arrival, first + max(0, len(times) - SLACK_BURST) / SLACK_RATE)
        seen: dict[str, list[int]] = defaultdict(list)
        per: dict[str, int] = defaultdict(int)
        mixed = 0
        roots: dict[str, str] = {}
        wrong_thread = 0
        for p in sorted(posts["posts"], key=lambda p: p["at"]):
            words = WORD.findall(json.dumps(p["blocks"]) if p["blocks"] else p["text"])
            customers = {c for c, _ in words}
            mixed += len(customers) > 1
            for c in customers:
                per[c] += 1
                if p["thread_ts"] is None:
                    roots[c] = "root"
                elif c not in roots:
                    wrong_thread += 1
            for c, n in words:
                seen[c].append(int(n))
        wrong = {f"{c:03d}": seen.get(f"{c:03d}") for c in range(args.customers)
                 if seen.get(f"{c:03d}") != list(range(args.each))}
        complete = not wrong
        late_429 = sum(1 for t in posts["refused_at"] if t - t0 - first > 1)
        print(f"burst ({args.db}): {args.customers} customers x {args.each} messages into one channel over "
              f"{last_arrival:.0f} s; the Slack fake at {SLACK_RATE:g} post/s per channel, burst {SLACK_BURST}")
        print(f"  events done: {done}/{total}; posts: {len(times)} ({len(times) / args.customers:.2f} per customer, "
              f"most {max(per.values())}); every message present in order in its thread: {complete}; "
              f"posts mixing customers: {mixed}")
        print(f"  last post visible {last:.1f} s after the burst began; fastest schedule the fake allows for "
              f"{len(times)} posts: {fastest:.1f} s; ratio {last / fastest:.2f}x (target <= 1.2x)")
        print(f"  429s: {len(posts['refused_at'])} in all, {late_429} after the first second")
        for c, shown in list(wrong.items())[:5]:
            print(f"  customer {c}: messages shown in this order: {shown}")
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)
        common.stop_runtime(rt, drop)
        fake.kill()


if __name__ == "__main__":
    main()
