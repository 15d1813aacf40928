"""The Procfile's processes start from their line alone, with their environment."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests
from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet
from rq import Queue
from rq.serializers import JSONSerializer, resolve_serializer
from sqlalchemy import create_engine, text

from metaops.queue import connection
from tests.constants import ROOT
from tests.helpers import post_webhook_raw, procfile, start_procfile_web, stored_events, wa_message, wa_payload


def test_procfile_has_web_worker_release():
    lines = procfile()
    assert lines["web"].startswith("gunicorn ") and "$PORT" in lines["web"].replace("${PORT:-3000}", "$PORT")
    # Our scheduler thread, not RQ's process (a killed worker held RQ's lock 61 s and it looked again after 10 min).
    assert lines["worker"].startswith("rq worker ") and "--with-scheduler" in lines["worker"]
    assert "metaops.worker.Worker" in lines["worker"]
    worker = lines["worker"].split()
    serializer = resolve_serializer(worker[worker.index("-S") + 1])
    assert serializer is connection.SERIALIZER is JSONSerializer  # jobs are JSON
    assert lines["release"] == "alembic upgrade head"
    assert lines["clock"] == "python -m metaops.clock"


def test_web_line_serves_health_and_webhooks(config, tmp_path):
    proc, port = start_procfile_web(config, concurrency=2)
    try:
        r = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
        assert r.status_code == 200 and r.json()["database"] == "ok"
        r = post_webhook_raw(f"http://127.0.0.1:{port}", wa_payload([wa_message("wamid.P1", "15550101010", "hi")]))
        assert r.status_code == 200
        assert stored_events(config["DATABASE_URL"]) == 1
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(20)


def test_clock_line_enqueues_the_periodic_jobs_and_stops_on_sigterm(config, redis_conn):
    env = {**os.environ, **{k: str(v) for k, v in config.items()},
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    procs = [subprocess.Popen(["bash", "-c", "exec " + procfile()["clock"]], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
             for _ in range(2)]  # two clocks: each job still once
    try:
        for _ in range(150):
            ids = [i.decode() for i in redis_conn.lrange("rq:queue:metaops", 0, -1)]
            if {"sweep", "check_tokens"} <= {i.split("-")[1] for i in ids}:
                break
            time.sleep(0.1)
        time.sleep(1.5)  # a tick or more of both clocks
        ids = [i.decode() for i in redis_conn.lrange("rq:queue:metaops", 0, -1)]
        kinds = [i.split("-")[1] for i in ids]
        assert kinds.count("check_tokens") == 1 and 1 <= kinds.count("sweep") <= 2  # 2: a minute turned
    finally:
        for proc in procs:
            os.killpg(proc.pid, 15)
    for proc in procs:
        assert proc.wait(10) == 0, proc.stderr.read().decode() if proc.stderr else ""


def test_release_line_migrates_an_empty_database_and_the_worker_line_runs_a_pickled_job_once(
        tmp_path, redis_url, redis_conn):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
           "INSTANCE_DIR": str(tmp_path / "instance"), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
           "PYTHONPATH": str(ROOT)}
    r = subprocess.run(["bash", "-c", procfile()["release"]], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    engine = create_engine(url)
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    head = ScriptDirectory(str(ROOT / "store" / "migrations")).get_current_head()
    assert version == head
    engine.dispose()
    # A job the previous release queued, pickled: the worker converts it as it starts and runs it once.
    pickled = Queue("metaops", connection=redis_conn).enqueue_call("metaops.jobs.drain", args=(3,), result_ttl=0)
    r = subprocess.run(["bash", "-c", "exec " + procfile()["worker"] + " --burst"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    log = r.stdout + r.stderr
    assert "metaops.jobs.drain(3)" in log and "Successfully completed" in log
    assert not redis_conn.exists(pickled.key) and redis_conn.llen("rq:queue:metaops") == 0
