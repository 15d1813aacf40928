"""The worker and the clock: the Procfile's worker class run in burst mode, due delayed jobs moved as the
clock moves them, the jobs waiting in Redis read as JSON, and the Procfile's lines as processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from redis import Redis
from sqlalchemy import create_engine, select, text

from metaops import defaults
from metaops.runtime import Runtime
from metaops.worker import Worker
from store.models import WebhookEvent
from tests.constants import ROOT
from tests.helpers.servers import free_port


class BurstWorker(Worker):
    """The Procfile's worker class, but for the order in which RQ stops its pubsub thread (the channel of
    `rq.command`) as the worker ends: RQ unsubscribes, then tells the thread to stop, then joins it for up to
    1 s. When the thread reads the unsubscribe's answer before it is told to stop, it waits for a next message
    and the join waits out its second: up to 1 s at the end of every burst run, while the work is done. Told
    first, the thread ends on that answer."""

    def unsubscribe(self) -> None:
        if self.pubsub_thread:
            self.pubsub_thread.stop()
        super().unsubscribe()


def run_worker(rt: Runtime) -> None:
    """The Procfile's worker class, in burst mode (BurstWorker): runs every queued job, then returns. Every job
    waiting is first checked to be JSON-encoded, so any test that queues a job checks it is."""
    assert_jobs_json(rt.redis)
    BurstWorker([rt.queue], connection=rt.redis).work(burst=True, logging_level="WARNING")


def waiting_job_ids(r: Redis) -> list[str]:
    """The jobs queued or scheduled on the app's queue."""
    ids = r.lrange(f"rq:queue:{defaults.QUEUE_NAME}", 0, -1) + r.zrange(f"rq:scheduled:{defaults.QUEUE_NAME}", 0, -1)
    return [i.decode() for i in ids]


def job_call(r: Redis, job_id: str) -> list[Any]:
    """A waiting job's `data` read as RQ's JSONSerializer wrote it: [function, instance, args, kwargs]; fails on
    anything else (a pickle)."""
    return json.loads(zlib.decompress(r.hget(f"rq:job:{job_id}", "data")).decode())


def assert_jobs_json(r: Redis) -> None:
    for job_id in waiting_job_ids(r):
        if not r.exists(f"rq:job:{job_id}"):
            continue  # expired (a job's ttl): RQ skips it
        func, instance, args, kwargs = job_call(r, job_id)
        assert isinstance(func, str) and instance is None and isinstance(args, list) and isinstance(kwargs, dict)
        meta = r.hget(f"rq:job:{job_id}", "meta")
        assert meta is None or isinstance(json.loads(meta), dict), f"job {job_id}: meta is not JSON"


def run_due_scheduled(rt: Runtime) -> None:
    """What the clock does each tick: move due delayed jobs onto the queue (metaops.clock)."""
    from metaops.clock import Clock

    clock = Clock(rt.queue, schedule={})
    assert clock.move_due(), "another clock holds RQ's scheduler lock"
    clock.let_go()


def until(condition: Callable[[], Any], seconds: float = 10.0, every: float = 0.05) -> bool:
    """Poll `condition` until it holds or `seconds` have passed (a bound, not a timing); whether it held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return bool(condition())


def until_delivered(rt: Runtime, seconds: float = 60) -> None:
    """Run the worker and, as the clock does, move due delayed jobs (releases at Slack's pace, retries) until
    every stored event is done; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        run_worker(rt)
        with rt.db.session() as s:
            states = set(s.scalars(select(WebhookEvent.state)))
        if states <= {"done"}:
            return
        assert time.monotonic() < deadline, f"events left undelivered: {states}"
        time.sleep(0.2)
        run_due_scheduled(rt)


def clear_inbox(r: Any) -> None:
    """Empty every partition of the inbox and drop the drain flags: queued drain jobs then find nothing."""
    from metaops.queue import streams

    for p in range(defaults.PARTITIONS):
        r.delete(streams.stream_key(p), streams.flag_key(p))


def procfile() -> dict[str, str]:
    """The Procfile's command lines, by process type."""
    return dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())


def worker_command(*extra: str) -> list[str]:
    """The Procfile's worker line, run with this interpreter, with `extra` arguments."""
    rq_args = procfile()["worker"].split()
    assert rq_args[0] == "rq"
    return [sys.executable, "-m", "rq.cli", *rq_args[1:], *extra]


def clock_command() -> list[str]:
    """The Procfile's clock line, run with this interpreter."""
    args = procfile()["clock"].split()
    assert args[:2] == ["python", "-m"]
    return [sys.executable, *args[1:]]


def worker_env(config: dict[str, Any]) -> dict[str, str]:
    """The environment of a worker process on the app's `config`, importing from the repository."""
    return {**os.environ, **{k: str(v) for k, v in config.items()}, "PYTHONPATH": str(ROOT)}


def start_procfile_web(config: dict[str, Any], concurrency: int) -> tuple[subprocess.Popen, int]:
    """The Procfile's web line on `config` with WEB_CONCURRENCY `concurrency`, on a free port, in a process
    group of its own (stop it with os.killpg(proc.pid, 15)). Returns once /healthz answered, or after trying
    for some 10 s (then the caller's first request fails)."""
    port = free_port()
    env = {**os.environ, **{k: str(v) for k, v in config.items()}, "PORT": str(port),
           "WEB_CONCURRENCY": str(concurrency), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    proc = subprocess.Popen(["bash", "-c", "exec " + procfile()["web"]], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    return proc, port


def stored_events(database_url: str) -> int:
    """Webhook events stored in the database at `database_url` (one a process of its own wrote to)."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM webhook_events")).scalar_one()
    engine.dispose()
    return int(n)
