"""Benchmark (not a test): one campaign of N recipients (10,000 by default) sent by the Procfile's worker against
the Graph and Slack fakes (in this process): sends per second (the target is the
campaign pace, defaults.CAMPAIGN_SEND_RATE, under Meta's 80/s, not the app), the worker's peak memory (the worker
and its work horses, RSS), and the time from the last send to the final report in Slack.

Usage, from the repo root: PYTHONPATH=. .venv/bin/python -m bench.campaign [--recipients 10000]
[--db sqlite|postgresql]. Needs Redis on 127.0.0.1:6379 (and PostgreSQL on 127.0.0.1:5432 for postgresql).
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

from bench.common import ROOT, app_config, database, start_runtime, stop_runtime
from metaops import defaults
from store.models import Campaign, CampaignRecipient, Template
from tests.constants import APP_SECRET, PHONE_ID, WABA
from tests.fakes.meta_graph import FakeGraph
from tests.fakes.slack_api import FakeSlack
from tests.helpers import connect_whatsapp, worker_command, worker_env

REDIS_URL = "redis://127.0.0.1:6379/11"  # its own database: the other benches use 12 and 13
TEMPLATE = {"id": "800000000000002", "name": "spring_sale", "language": "en", "category": "MARKETING",
            "status": "APPROVED",
            "components": [{"type": "BODY", "text": "Hi {{1}}", "example": {"body_text": [["A"]]}}]}


def seed(rt, n: int) -> int:
    with rt.db.session() as s:
        s.add(Template(waba_id=WABA, team_id="T1", **{k: TEMPLATE[k] for k in (
            "id", "name", "language", "category", "status", "components")}))
        c = Campaign(team_id="T1", name="Bench", created_by="U_ADMIN", channel_id="C1", phone_number_id=PHONE_ID,
                     template_id=TEMPLATE["id"], template_name="spring_sale", language="en", category="MARKETING",
                     state="scheduled", summary={})
        s.add(c)
        s.flush()
        rows = [{"campaign_id": c.id, "line": i + 2, "phone": f"54911{i:08d}", "values": {"body_1": f"C{i}"},
                 "state": "pending", "replied": False} for i in range(n)]
        for i in range(0, n, 1000):
            s.execute(insert(CampaignRecipient), rows[i:i + 1000])
        return c.id


def rss_kb(pid: int) -> int:
    """The worker's and its children's (work horses') resident memory, KB."""
    out = subprocess.run(["ps", "-o", "rss=", "--pid", str(pid), "--ppid", str(pid)], capture_output=True, text=True)
    return sum(int(x) for x in out.stdout.split() if x.isdigit())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--recipients", type=int, default=10_000)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = ap.parse_args()
    slack = FakeSlack()
    slack_url = slack.api_url
    graph = FakeGraph(APP_SECRET)
    workdir = Path(tempfile.mkdtemp(prefix="metaops-campaign-"))
    url, drop = database(args.db, workdir)
    config = {**app_config(url, REDIS_URL, slack_url, workdir), "META_GRAPH_URL": graph.url,
              "META_APP_SECRET": APP_SECRET}
    rt = start_runtime(config)
    worker = None
    try:
        connect_whatsapp(rt, token=graph.issue_token())
        graph.templates = [dict(TEMPLATE)]
        campaign_id = seed(rt, args.recipients)
        from metaops.campaigns import sender

        sender.queue(rt, campaign_id)
        t0 = time.perf_counter()
        worker = subprocess.Popen(worker_command(), env=worker_env(config), cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        peak, last_send = 0, t0
        while True:
            peak = max(peak, rss_kb(worker.pid))
            sent = len(graph.sent)
            if sent >= args.recipients:
                last_send = time.perf_counter()
                break
            time.sleep(0.5)
        while True:
            with rt.db.session() as s:
                state = s.scalars(select(Campaign.state).where(Campaign.id == campaign_id)).one()
            if state == "done" and slack.files:
                break
            peak = max(peak, rss_kb(worker.pid))
            time.sleep(0.2)
        report = time.perf_counter() - last_send
        elapsed = last_send - t0
        print(f"campaign ({args.db}): {args.recipients} recipients in {elapsed:.1f} s = "
              f"{args.recipients / elapsed:.1f} sends/s (pace {defaults.CAMPAIGN_SEND_RATE:.0f}/s); "
              f"worker peak RSS {peak / 1024:.0f} MB; final report {report:.1f} s after the last send")
    finally:
        if worker is not None:
            worker.kill()
            worker.wait(10)
        slack.close()
        graph.close()
        stop_runtime(rt, drop)


if __name__ == "__main__":
    main()
