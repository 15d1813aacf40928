"""Benchmark (not a test): a burst into one channel at Slack's pace (issue 15, Bursts).

100 customers write 10 messages each into one WhatsApp number within a minute (arrival round-robin over 60 s,
stored and queued as the webhook does), all routed to one Slack channel. One worker process of the Procfile's
line (with its scheduler) delivers them into the Slack fake, in its own process, which enforces Slack's pace:
1 chat.postMessage per second per channel with a burst of 5 (429 with Retry-After beyond). Printed: posts made
(and per customer), when the last one was visible, the fastest schedule the fake allows for that many posts
(max(last arrival, first post + (posts - 5) s)), the ratio (target <= 1.2x), 429s after the first second, and
whether every message is present, in order, in its customer's thread.

Usage, from the repo root: .venv/bin/python -m bench.burst [--customers 100] [--each 10] [--minute 60]
[--db sqlite|postgresql]; `make bench` runs it. Needs Redis on 127.0.0.1:6379 (db 11, flushed) and, for
postgresql, PostgreSQL on 127.0.0.1:5432. Takes about four minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import text

from metaops import runtime, settings
from metaops.delivery import inbox
from store import events, workspaces
from store.clock import utcnow
from store.models import MetaConnection
from tests.databases import temporary_database

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/11"  # a db of its own: the other benches flush db 13
PG_ADMIN = "postgresql+psycopg://root@127.0.0.1:5432/test"
FAKE = ("import time\n"
        "from tests.fakes.slack_api import FakeSlack\n"
        "f = FakeSlack(); print(f.api_url, flush=True)\n"
        "while True: time.sleep(3600)\n")
SLACK_RATE, SLACK_BURST = 1.0, 5
WORD = re.compile(r"c(\d{3}) m(\d+)")


def body(c: int, n: int) -> bytes:
    sender = f"1555{c:07d}"
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "WABA1", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550783881",
                                                          "phone_number_id": "PN1"},
            "contacts": [{"profile": {"name": f"Customer {c}"}, "wa_id": sender}],
            "messages": [{"from": sender, "id": f"wamid.burst.{c}.{n}", "timestamp": str(int(time.time())),
                          "type": "text", "text": {"body": f"c{c:03d} m{n}"}}]}}]}]}).encode()


def control(base: str, method: str, path: str) -> dict:
    req = urllib.request.Request(base + path, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100)
    ap.add_argument("--each", type=int, default=10)
    ap.add_argument("--minute", type=float, default=60, help="the burst arrives over this many seconds")
    ap.add_argument("--db", choices=["postgresql", "sqlite"], default="sqlite")
    ap.add_argument("--timeout", type=float, default=900)
    args = ap.parse_args()
    fake = subprocess.Popen([sys.executable, "-c", FAKE], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    slack_url = fake.stdout.readline().strip()
    base = slack_url.removesuffix("/api/")
    workdir = Path(tempfile.mkdtemp(prefix="metaops-burst-"))
    url, drop = temporary_database(args.db, PG_ADMIN, workdir)
    config = {"ENCRYPTION_KEYS": Fernet.generate_key().decode(), "DATABASE_URL": url, "REDIS_URL": REDIS_URL,
              "SLACK_API_URL": slack_url, "SLACK_BOT_TOKEN": "xoxb-test-bot-token", "INSTANCE_DIR": str(workdir)}
    rt = runtime.build(settings.from_mapping(config), worker=True)
    runtime.install(rt)
    rt.redis.flushdb()
    worker = None
    try:
        with rt.db.session() as session:
            ws = workspaces.ensure_workspace(session, "T1")
            ws.connect_channel = "C1"
            conn = MetaConnection(team_id="T1", meta_user_id="1", token_enc=rt.crypto.encrypt("t"))
            session.add(conn)
            session.flush()
            workspaces.add_whatsapp_account(session, conn, "WABA1", None, [{"id": "PN1"}])
        control(base, "POST", f"/control/pace?rate={SLACK_RATE:g}&burst={SLACK_BURST}")
        env = {**os.environ, **config, "PYTHONPATH": str(ROOT)}
        procfile = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)
        worker = subprocess.Popen([sys.executable, "-m", "rq.cli", *procfile["worker"].split()[1:]], env=env,
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(2)  # the worker and its scheduler up
        total = args.customers * args.each
        plan = [(c, n) for n in range(args.each) for c in range(args.customers)]  # round-robin over the minute
        t0 = time.monotonic()
        for k, (c, n) in enumerate(plan):
            due = t0 + args.minute * k / total
            time.sleep(max(0.0, due - time.monotonic()))
            raw = body(c, n)
            event_id = events.insert_event(rt.db.ingest, raw, utcnow())
            inbox.push_events(rt.queue, [(event_id, inbox.partition_of(raw))])
        last_arrival = time.monotonic() - t0
        while time.monotonic() - t0 < args.timeout:
            with rt.db.engine.connect() as c:
                done = c.execute(text("SELECT count(*) FROM webhook_events WHERE state = 'done'")).scalar_one()
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
            words = WORD.findall(json.dumps(p) if p["thread_ts"] else p["text"])
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
        complete = all(seen.get(f"{c:03d}") == list(range(args.each)) for c in range(args.customers))
        late_429 = sum(1 for t in posts["refused_at"] if t - t0 - first > 1)
        print(f"burst ({args.db}): {args.customers} customers x {args.each} messages into one channel over "
              f"{last_arrival:.0f} s; the Slack fake at {SLACK_RATE:g} post/s per channel, burst {SLACK_BURST}")
        print(f"  events done: {done}/{total}; posts: {len(times)} ({len(times) / args.customers:.2f} per customer, "
              f"most {max(per.values())}); every message present in order in its thread: {complete}; "
              f"posts mixing customers: {mixed}")
        print(f"  last post visible {last:.1f} s after the burst began; fastest schedule the fake allows for "
              f"{len(times)} posts: {fastest:.1f} s; ratio {last / fastest:.2f}x (target <= 1.2x)")
        print(f"  429s: {len(posts['refused_at'])} in all, {late_429} after the first second")
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)
        rt.redis.flushdb()
        rt.db.dispose()
        runtime.install(None)
        drop()
        fake.kill()


if __name__ == "__main__":
    main()
