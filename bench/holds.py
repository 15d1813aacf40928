"""Benchmark (not a test): does a Slack 429 on one channel slow the others? (issue 10, benchmark (b))

In one run, (a) and (b) below, each on a fresh migrated database: 1,000 stored WhatsApp texts bound for 10
channels (10 workspaces in single-workspace mode, each with its own WABA and its own connect channel) are
drained by the Procfile's worker class (metaops.worker.Worker) in burst mode, in this process, into the
Slack fake (in its own process):

(a) with no 429;
(b) while the Slack fake answers 429 (Retry-After) for an 11th channel for 20 s, with events for that
    channel (an 11th workspace) mixed into the burst. Its events are parked on the channel and released by
    the scheduled `metaops.jobs.release_channel` job, which this bench moves onto the queue as the worker's
    clock would (tests.helpers.run_due_scheduled), then drains again, until all is posted.

Each duration runs from the start of the drain to the last of the 1,000 events marked done (processed_at,
set right after its post). Printed: both durations, the ratio b/a (target <= 1.2x), and what the limited
channel got (429s answered, posts, when its events were done); `--repeat` pairs, alternated, then the
ratio of the best durations and the median of the pairs' ratios (the machine may be shared and noisy).

Usage, from the repo root (`tests` is imported from there): .venv/bin/python -m bench.holds [--events 1000]
[--limited-events 50] [--seconds 20] [--repeat 3] [--db postgresql|sqlite]; `make bench` runs it.
Needs Redis on 127.0.0.1:6379 and, for postgresql, PostgreSQL on 127.0.0.1:5432.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from bench import common
from metaops.worker import Worker as AppWorker
from store.models import WebhookEvent
from store.timestamps import utcnow
from tests.helpers import run_due_scheduled

REDIS_URL = "redis://127.0.0.1:6379/13"
CHANNELS = 10  # the channels that must not slow down
LIMITED = CHANNELS + 1  # the 11th: workspace T11, WABA11, channel C11
CONTACTS = 5  # customers per WABA
MAX_LOOPS = 2000  # drain + delayed-job rounds after the first burst, at most
POLL = 0.2  # seconds between those rounds


def body(i: int, k: int) -> bytes:
    """Event `i`, a text from one of CONTACTS customers to WABA`k` (phone number PN`k`)."""
    return common.whatsapp_text(k, f"1555078{k:04d}", f"1555{k:03d}{i % CONTACTS:04d}",
                                f"Customer {k}-{i % CONTACTS}", f"wamid.holds.{k}.{i}", f"holds bench message {i}")


def burst_plan(n: int, limited: int) -> list[tuple[int, int]]:
    """(event number, WABA number) in arrival order: n events round-robin over the 10 channels, with the
    limited channel's events spread evenly among them."""
    plan = [(i, 1 + i % CHANNELS) for i in range(n)]
    step = max(1, n // limited) if limited else 0
    for j in reversed(range(limited)):
        plan.insert(min(len(plan), j * step + step // 2), (j, LIMITED))
    return plan


def control(base: str, method: str, path: str) -> dict:
    return common.control(base, method, path, timeout=5)


@dataclass
class Result:
    seconds: float  # drain start to the last of the n events done
    done: int  # of the n events
    limited_done: int
    limited_first: float | None  # seconds after the drain started
    limited_last: float | None
    refused_429: int
    limited_posts: int
    other_posts: int


def run(kind: str, n: int, limited: int, seconds: float, slack_url: str, workdir: Path, timeout: float) -> Result:
    """One drain of n events for the 10 channels (and `limited` for the 11th, limited for `seconds` when > 0)."""
    base = slack_url.removesuffix("/api/")
    url, drop = common.database(kind, workdir)
    config = {**common.app_config(url, REDIS_URL, slack_url, workdir),
              "SLACK_PACE_RATE": "0"}  # the fake takes any pace: this measures the drain itself (bench.burst: pace)
    rt = common.start_runtime(config)
    try:
        with rt.db.session() as session:
            for k in range(1, LIMITED + 1):
                common.connect_workspace(session, rt, k)
        main_ids, limited_ids = set(), set()
        for i, k in burst_plan(n, limited):
            event_id = common.push_event(rt, body(i, k))
            (limited_ids if k == LIMITED else main_ids).add(event_id)
        before = control(base, "GET", "/control/stats")
        if seconds > 0:
            control(base, "POST", f"/control/limit?channel=C{LIMITED}&seconds={seconds:g}")
        started, t0 = utcnow(), time.perf_counter()
        AppWorker([rt.queue], connection=rt.redis).work(burst=True, logging_level="WARNING")
        for _ in range(MAX_LOOPS):  # the parked events: released by a scheduled job, drained again
            done = common.count_done(rt)
            if done == len(main_ids) + len(limited_ids) or time.perf_counter() - t0 > timeout:
                break
            time.sleep(POLL)
            run_due_scheduled(rt)
            AppWorker([rt.queue], connection=rt.redis).work(burst=True, logging_level="WARNING")
        with rt.db.engine.connect() as c:
            rows = c.execute(select(WebhookEvent.id, WebhookEvent.processed_at)  # datetimes on SQLite too
                             .where(WebhookEvent.state == "done")).all()
        after = control(base, "GET", "/control/stats")
        main = [(at - started).total_seconds() for i, at in rows if i in main_ids]
        lim = sorted((at - started).total_seconds() for i, at in rows if i in limited_ids)
        posts = {ch: count - before["posts"].get(ch, 0) for ch, count in after["posts"].items()}
        return Result(seconds=max(main) if main else float("nan"), done=len(main), limited_done=len(lim),
                      limited_first=lim[0] if lim else None, limited_last=lim[-1] if lim else None,
                      refused_429=after["refused_429"] - before["refused_429"],
                      limited_posts=posts.get(f"C{LIMITED}", 0),
                      other_posts=sum(v for ch, v in posts.items() if ch != f"C{LIMITED}"))
    finally:
        common.stop_runtime(rt, drop)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1000, help="events for the 10 channels")
    ap.add_argument("--limited-events", type=int, default=50, help="events for the 11th channel, in (b)")
    ap.add_argument("--seconds", type=float, default=20, help="how long the 11th channel gets 429s")
    ap.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    ap.add_argument("--repeat", type=int, default=3, help="(a)/(b) pairs, alternated")
    ap.add_argument("--timeout", type=float, default=180, help="give up a drain after this long, seconds")
    args = ap.parse_args()
    fake, slack_url = common.start_slack_fake()
    workdir = Path(tempfile.mkdtemp(prefix="metaops-holds-"))
    try:
        pairs = []
        for r in range(1, args.repeat + 1):  # (a) and (b) alternate: a noisy machine weighs on both alike
            a = run(args.db, args.events, 0, 0, slack_url, workdir, args.timeout)
            print(f"#{r} (a) no 429 ({args.db}): {a.done}/{args.events} events for {CHANNELS} channels posted in "
                  f"{a.seconds:.2f} s ({a.done / a.seconds:.0f} events/s), {a.other_posts} posts", flush=True)
            b = run(args.db, args.events, args.limited_events, args.seconds, slack_url, workdir, args.timeout)
            print(f"#{r} (b) channel C{LIMITED} answering 429 for {args.seconds:g} s, {args.limited_events} of its "
                  f"events mixed in: {b.done}/{args.events} events for {CHANNELS} channels posted in "
                  f"{b.seconds:.2f} s ({b.done / b.seconds:.0f} events/s), {b.other_posts} posts; ratio "
                  f"{b.seconds / a.seconds:.2f}x", flush=True)
            when = (f"done {b.limited_first:.1f}-{b.limited_last:.1f} s after the drain started"
                    if b.limited_first is not None else "none done")
            print(f"#{r} limited channel C{LIMITED}: {b.refused_429} answer(s) 429, then {b.limited_posts} "
                  f"post(s); {b.limited_done}/{args.limited_events} of its events {when}", flush=True)
            pairs.append((a.seconds, b.seconds))
        best_a, best_b = min(p[0] for p in pairs), min(p[1] for p in pairs)
        print(f"best of {args.repeat}: (a) {best_a:.2f} s, (b) {best_b:.2f} s, ratio b/a {best_b / best_a:.2f}x "
              f"(target <= 1.2x); median of the per-pair ratios "
              f"{statistics.median(b / a for a, b in pairs):.2f}x")
    finally:
        fake.kill()


if __name__ == "__main__":
    main()
