"""Benchmark (not a test): one campaign of N recipients (10,000 by default) sent by the Procfile's worker against the
Graph fake playing Meta's throughput (80 messages a second per number by default: past it Meta answers 130429) and
the Slack fake, while Meta's three statuses of every message (sent, delivered, read, each with its pricing
object) are posted, signed as Meta signs them, to the Procfile's web process (gunicorn) as soon as the Graph fake
took the message. Printed: sends per second against Meta's throughput and against the campaign pace
(defaults.CAMPAIGN_SEND_RATE, under Meta's), the 130429 answers, the worker's peak memory (RSS of the worker
processes), the time from the bench's start to the first send (the worker starting), and the time from the last
status webhook to a correct final report in Slack (its counts: every message sent, delivered and read).

Usage, from the repo root: PYTHONPATH=. .venv/bin/python -m bench.campaign [--recipients 10000]
[--db sqlite|postgresql] [--meta-rate 80] [--workers 1] [--web-concurrency 2]. Needs Redis on 127.0.0.1:6379 (and
PostgreSQL on 127.0.0.1:5432 for postgresql).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select

from bench.common import ROOT, app_config, database, start_runtime, stop_runtime
from integrations.meta.signature import sign
from metaops import defaults
from metaops.campaigns.tally import tally
from store.models import Campaign
from tests.constants import APP_SECRET, WABA
from tests.fakes.meta_graph import FakeGraph
from tests.fakes.slack_api import FakeSlack
from tests.helpers import connect_whatsapp, start_procfile_web, worker_command, worker_env
from tests.helpers.campaigns import TEMPLATE, scheduled_campaign
from tests.helpers.meta import wa_payload

REDIS_URL = "redis://127.0.0.1:6379/10"  # its own database: burst uses 11, ingest 12, drain and holds 13
STATUSES = ("sent", "delivered", "read")
PRICING = {"billable": True, "pricing_model": "PMP", "type": "regular", "category": "marketing"}
POSTERS = 8  # threads posting status webhooks, as Meta's many senders would


def seed(rt: Any, n: int) -> int:
    return scheduled_campaign(rt, "Bench", n)


def rss_kb(pids: list[int]) -> int:
    """The workers' and their children's resident memory, KB."""
    out = subprocess.run(["ps", "-o", "rss=", "--pid", ",".join(map(str, pids)), "--ppid", ",".join(map(str, pids))],
                         capture_output=True, text=True)
    return sum(int(x) for x in out.stdout.split() if x.isdigit())


class StatusPoster:
    """Meta's webhooks for each message the Graph fake took: sent, delivered and read, in that order, each a signed
    POST to the web process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.todo: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self.posted = 0
        self.refused = 0
        self.last_at = 0.0  # perf_counter of the last answered status webhook
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(POSTERS)]
        for t in self._threads:
            t.start()

    def took(self, sent: dict[str, Any], message_id: str) -> None:
        self.todo.put((message_id, str(sent["to"])))

    def _run(self) -> None:
        session = requests.Session()
        while True:
            item = self.todo.get()
            if item is None:
                return
            message_id, to = item
            for n, status in enumerate(STATUSES):
                body = json.dumps(wa_payload([], statuses=[{
                    "id": message_id, "status": status, "timestamp": str(int(time.time()) + n),
                    "recipient_id": to, "pricing": PRICING}])).encode()
                r = session.post(self.url, data=body, timeout=30, headers={
                    "Content-Type": "application/json", "X-Hub-Signature-256": sign(body, APP_SECRET)})
                with self._lock:
                    self.posted += 1
                    self.refused += r.status_code != 200
                    self.last_at = time.perf_counter()

    def stop(self) -> None:
        for _ in self._threads:
            self.todo.put(None)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--recipients", type=int, default=10_000)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--meta-rate", type=int, default=80, help="Meta's throughput the Graph fake plays, msg/s")
    ap.add_argument("--workers", type=int, default=1, help="Procfile worker processes")
    ap.add_argument("--web-concurrency", type=int, default=2, help="the web line's WEB_CONCURRENCY")
    args = ap.parse_args()
    n = args.recipients
    slack = FakeSlack()
    graph = FakeGraph(APP_SECRET)
    graph.throughput = args.meta_rate
    graph.phones[WABA][0]["whatsapp_business_manager_messaging_limit"] = "TIER_UNLIMITED"
    workdir = Path(tempfile.mkdtemp(prefix="metaops-campaign-"))
    url, drop = database(args.db, workdir)
    config = {**app_config(url, REDIS_URL, slack.api_url, workdir), "META_GRAPH_URL": graph.url,
              "META_APP_SECRET": APP_SECRET}
    print(f"bench/campaign: {n} recipients, {args.db}, Graph fake at {args.meta_rate} msg/s, campaign pace "
          f"{defaults.CAMPAIGN_SEND_RATE:.0f}/s, {args.workers} Procfile worker(s), web WEB_CONCURRENCY "
          f"{args.web_concurrency}, 3 status webhooks a message; {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    rt = start_runtime(config)
    workers: list[subprocess.Popen] = []
    web = None
    poster = None
    try:
        connect_whatsapp(rt, token=graph.issue_token())
        graph.templates = [dict(TEMPLATE)]
        started = time.perf_counter()
        campaign_id = seed(rt, n)
        seeded = time.perf_counter()
        web, port = start_procfile_web(config, args.web_concurrency)
        print(f"setup: {n} rows stored in {seeded - started:.1f} s, web up in {time.perf_counter() - seeded:.1f} s",
              flush=True)
        poster = StatusPoster(f"http://127.0.0.1:{port}/meta/webhook")
        send_times: list[float] = []

        def took(sent: dict[str, Any], message_id: str) -> None:
            send_times.append(time.perf_counter())
            poster.took(sent, message_id)  # type: ignore[union-attr]

        graph.after_send = took
        from metaops.campaigns import sender

        sender.queue(rt, campaign_id)
        t0 = time.perf_counter()
        workers = [subprocess.Popen(worker_command(), env=worker_env(config), cwd=ROOT, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True) for _ in range(args.workers)]
        pids = [w.pid for w in workers]
        peak = 0
        while len(send_times) < n or poster.posted < 3 * n:
            peak = max(peak, rss_kb(pids))
            time.sleep(0.5)
        last_status = poster.last_at
        while not slack.files:
            peak = max(peak, rss_kb(pids))
            time.sleep(0.1)
        reported = time.perf_counter()
        with rt.db.session() as s:
            state = s.scalars(select(Campaign.state).where(Campaign.id == campaign_id)).one()
        t = tally(rt, campaign_id)
        correct = (t.sent, t.delivered, t.read, t.failed, t.unknown) == (n, n, n, 0, 0) and state == "done"
        first, last = send_times[0], send_times[-1]
        rate = (n - 1) / (last - first) if last > first else float("nan")
        print(f"sends: {n} in {last - first:.1f} s = {rate:.1f}/s ({rate / args.meta_rate:.2f}x Meta's "
              f"{args.meta_rate}/s, {rate / defaults.CAMPAIGN_SEND_RATE:.2f}x the pace "
              f"{defaults.CAMPAIGN_SEND_RATE:.0f}/s); 130429 answers {graph.throttled}; first send "
              f"{first - t0:.1f} s after the worker started")
        gaps = [b - a for a, b in zip(send_times, send_times[1:], strict=False) if b - a > 1.0]
        print(f"status webhooks: {poster.posted} posted, {poster.refused} refused; worker peak RSS "
              f"{peak / 1024:.0f} MB; sending stood still {sum(gaps):.1f} s in {len(gaps)} pause(s) over 1 s "
              f"(the worker draining the statuses between slices), the longest {max(gaps, default=0):.1f} s")
        print(f"final report {reported - last_status:.1f} s after the last status webhook; counts sent {t.sent} "
              f"delivered {t.delivered} read {t.read} failed {t.failed} unknown {t.unknown} "
              f"({'correct' if correct else 'WRONG'}); load average now "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        if poster is not None:
            poster.stop()
        for w in workers:
            os.killpg(w.pid, signal.SIGKILL)
            w.wait(10)
        if web is not None:
            os.killpg(web.pid, signal.SIGTERM)
            web.wait(20)
        slack.close()
        graph.close()
        stop_runtime(rt, drop)


if __name__ == "__main__":
    main()
