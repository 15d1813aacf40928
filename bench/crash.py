"""Benchmark (not a test): a worker killed mid-burst at Slack's pace, and how soon delivery resumes (issue 18).

200 WhatsApp texts from 20 customers (round-robin, stored and queued as the webhook does within a second or two)
go to one Slack channel. The Slack fake, in its own process, keeps Slack's pace (1 chat.postMessage per second
per channel, bursts of 5, 429 beyond); our pace is on (the defaults). The Procfile's worker line runs as a real
process in its own process group (its scheduler thread holds RQ's scheduler lock and moves the delayed releases).
Once about 50 texts are shown in Slack, the group is SIGKILLed (the channel has parked events and a release job
running or scheduled) and the same line started again at once.

Printed per run: texts shown at the kill, seconds from the restart to the first and to the last post, texts
lost (never shown: must be 0) and texts shown twice (at most 1), posts; then, measured in the same run, the same
burst with no kill (the baseline) and the ratio of the crashed run's total time to it.

Usage, from the repo root: .venv/bin/python -m bench.crash [--runs 5] [--customers 20] [--each 10] [--kill-at 50]
[--db sqlite|postgresql] [--slack-latency 0.15]; `make bench` runs it. Needs Redis on 127.0.0.1:6379 (db 14,
flushed) and, for postgresql, PostgreSQL on 127.0.0.1:5432. Takes about a minute a run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench import common
from bench.common import ROOT
from tests.helpers import worker_command, worker_env

REDIS_URL = "redis://127.0.0.1:6379/14"  # a db of its own: the other benches flush 11, 12, 13
WORD = re.compile(r"c(\d{2}) m(\d+)")


def body(c: int, n: int) -> bytes:
    return common.whatsapp_text(1, "15550783881", f"1555{c:07d}", f"Customer {c}", f"wamid.crash.{c}.{n}",
                                f"c{c:02d} m{n}", timestamp=str(int(time.time())))


def shown(base: str) -> tuple[list[tuple[str, int]], list[float]]:
    """Every text Slack shows (customer, number), in post order, and when each post was accepted."""
    posts = sorted(common.control(base, "GET", "/control/posts", timeout=10)["posts"], key=lambda p: p["at"])
    words: list[tuple[str, int]] = []
    for p in posts:
        blocks = str(p["blocks"]) if p["blocks"] else p["text"]
        words += [(c, int(n)) for c, n in WORD.findall(blocks)]
    return words, [p["at"] for p in posts]


def start(command: list[str], config: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(command, env=worker_env(config), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def kill(*procs: subprocess.Popen) -> None:
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def one_run(args: argparse.Namespace, kill_at: int | None) -> dict[str, float]:
    """One burst; `kill_at`: SIGKILL the worker once that many texts are shown, and start it again."""
    fake, slack_url = common.start_slack_fake()
    base = slack_url.removesuffix("/api/")
    if args.slack_latency:
        common.control(base, "POST", f"/control/latency?seconds={args.slack_latency:g}", timeout=10)
    workdir = Path(tempfile.mkdtemp(prefix="metaops-crash-"))
    url, drop = common.database(args.db, workdir)
    config = common.app_config(url, REDIS_URL, slack_url, workdir)
    rt = common.start_runtime(config)
    procs: list[subprocess.Popen] = []
    total = args.customers * args.each
    try:
        with rt.db.session() as session:
            common.connect_workspace(session, rt, 1)
        for n in range(args.each):
            for c in range(args.customers):
                common.push_event(rt, body(c, n))
        t0 = time.monotonic()
        procs = [start(worker_command(), config)]
        result: dict[str, float] = {}
        if kill_at is not None:
            while len(shown(base)[0]) < kill_at:
                time.sleep(0.02)
            kill(*procs)
            result["shown_at_kill"] = len(shown(base)[0])
            restarted = time.monotonic()
            procs = [start(worker_command(), config)]
        deadline = time.monotonic() + args.timeout
        while len(set(shown(base)[0])) < total and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # anything posted twice shows by now
        words, times = shown(base)
        counts = Counter(words)
        # the fake's clock is this host's monotonic clock: its times compare with ours directly
        result.update(lost=total - len(counts), twice=sum(v - 1 for v in counts.values()), posts=len(times),
                      total=times[-1] - t0,
                      at_once=common.control(base, "GET", "/control/stats", timeout=10)["most_in_flight"])
        if kill_at is not None:
            after = [t for t in times if t > restarted]
            result["first_after"] = after[0] - restarted if after else float("nan")
            result["last_after"] = times[-1] - restarted
        return result
    finally:
        kill(*procs)
        common.stop_runtime(rt, drop)
        fake.kill()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--customers", type=int, default=20)
    ap.add_argument("--each", type=int, default=10)
    ap.add_argument("--kill-at", type=int, default=50, help="texts shown in Slack when the worker is killed")
    ap.add_argument("--db", choices=["postgresql", "sqlite"], default="sqlite")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--slack-latency", type=float, default=0.0, help="seconds the fake takes to answer each call")
    args = ap.parse_args()
    print(f"crash ({args.db}): {args.customers} customers x {args.each} texts into one channel; the Slack fake at "
          f"1 post/s per channel, burst 5, answering each call after {args.slack_latency:g} s; the worker (Procfile "
          f"line, WORKER_DRAINS jobs at once) SIGKILLed at {args.kill_at} texts shown and restarted at once; a "
          f"baseline burst with no kill before each run; at most one text may show twice per delivery job running "
          f"at the kill")
    ratios = []
    for k in range(args.runs):
        base = one_run(args, None)
        r = one_run(args, args.kill_at)
        ratios.append(r["total"] / base["total"])
        print(f"  run {k + 1}: killed at {r['shown_at_kill']:.0f} texts shown; restart -> first post "
              f"{r['first_after']:.1f} s, -> last post {r['last_after']:.1f} s; lost {r['lost']:.0f}, shown twice "
              f"{r['twice']:.0f}; posts {r['posts']:.0f}, most Slack calls at once {r['at_once']:.0f}; total "
              f"{r['total']:.1f} s vs {base['total']:.1f} s with no kill ({ratios[-1]:.2f}x; baseline lost "
              f"{base['lost']:.0f}, twice {base['twice']:.0f})")
    print(f"  median ratio crashed/baseline: {statistics.median(ratios):.2f}x")


if __name__ == "__main__":
    main()
