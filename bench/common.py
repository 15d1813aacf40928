"""What the benchmarks share: the repo root, the PostgreSQL server, the Slack fake in its own process, a
migrated throwaway database with a worker runtime on it, and workspaces connected to a WhatsApp number.

Each bench keeps its own Redis database, which it flushes: campaign 10, burst 11, ingest 12, drain and holds 13,
crash 14.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.orm import Session

from metaops import runtime, settings
from metaops.queue import streams
from store import events, workspaces
from store.models import MetaConnection
from store.timestamps import utcnow
from tests.databases import temporary_database

ROOT = Path(__file__).resolve().parent.parent

PG_ADMIN = "postgresql+psycopg://root@127.0.0.1:5432/test"
FAKE = ("import time\n"
        "from tests.fakes.slack_api import FakeSlack\n"
        "f = FakeSlack(); print(f.api_url, flush=True)\n"
        "while True: time.sleep(3600)\n")


def cpu_by_party(parties: dict[str, Callable[[int, int, str], bool]]) -> dict[str, float]:
    """CPU seconds (user + system) used so far by each party: the processes its test (pid, process group,
    command line) accepts, the first party that accepts a process counting it; and `machine`: every core's busy
    time (all but idle and iowait), so that the rest of the machine's load can be told apart."""
    tick = os.sysconf("SC_CLK_TCK")
    used = dict.fromkeys(parties, 0.0)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        party = next((name for name, accepts in parties.items() if accepts(int(pid), int(fields[2]), cmdline)), None)
        if party is not None:
            used[party] += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    busy = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    used["machine"] = (sum(busy) - busy[3] - busy[4]) / tick
    return used


def postgres_serving(database_url: str) -> Callable[[int, int, str], bool]:
    """A party for cpu_by_party: the PostgreSQL backends serving `database_url`'s database, and the WAL writer."""
    name = database_url.rsplit("/", 1)[-1]
    return lambda _pid, _pgid, cmdline: cmdline.startswith("postgres: ") and (f" {name} " in cmdline
                                                                              or "walwriter" in cmdline)


def database(kind: str, workdir: Path) -> tuple[str, Callable[[], None]]:
    """A migrated throwaway database: `kind` postgresql (on PG_ADMIN's server) or sqlite (a file in `workdir`)."""
    return temporary_database(kind, PG_ADMIN, workdir)


def start_slack_fake() -> tuple[subprocess.Popen, str]:
    """The Slack fake in its own process and its API URL; the caller kills the process."""
    fake = subprocess.Popen([sys.executable, "-c", FAKE], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return fake, fake.stdout.readline().strip()


def control(base: str, method: str, path: str, timeout: float) -> dict:
    """A call to the Slack fake's /control endpoints (`base`: its URL without /api/)."""
    req = urllib.request.Request(base + path, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())


def app_config(database_url: str, redis_url: str, slack_url: str, workdir: Path) -> dict[str, str]:
    """The app's settings for a bench: a fresh encryption key, the Slack fake, the bot token it accepts."""
    return {"ENCRYPTION_KEYS": Fernet.generate_key().decode(), "DATABASE_URL": database_url, "REDIS_URL": redis_url,
            "SLACK_API_URL": slack_url, "SLACK_BOT_TOKEN": "xoxb-test-bot-token", "INSTANCE_DIR": str(workdir),
            "META_GRAPH_URL": "http://127.0.0.1:9"}  # nothing leaves the machine: Graph calls are refused at once


def start_runtime(config: dict[str, str]) -> runtime.Runtime:
    """A worker runtime on `config`, installed, its Redis database flushed."""
    rt = runtime.build(settings.from_mapping(config), worker=True)
    runtime.install(rt)
    rt.redis.flushdb()
    return rt


def stop_runtime(rt: runtime.Runtime, drop: Callable[[], None]) -> None:
    """Undoes start_runtime and drops the database."""
    rt.redis.flushdb()
    rt.db.dispose()
    runtime.install(None)
    drop()


def connect_workspace(session: Session, rt: runtime.Runtime, k: int) -> None:
    """Workspace T`k` (connect channel C`k`) with a Meta connection owning WABA`k` with phone number PN`k`."""
    ws = workspaces.ensure_workspace(session, f"T{k}")
    ws.connect_channel = f"C{k}"
    conn = MetaConnection(team_id=f"T{k}", meta_user_id=str(k), token_enc=rt.crypto.encrypt("t"))
    session.add(conn)
    session.flush()
    workspaces.add_whatsapp_account(session, conn, f"WABA{k}", None, [{"id": f"PN{k}"}])


def whatsapp_text(k: int, display: str, sender: str, name: str, wamid: str, text: str,
                  timestamp: str = "1700000000") -> bytes:
    """A webhook body: one WhatsApp text from `sender` (profile `name`) to phone number PN`k` (displayed as
    `display`) of WABA`k`, as connect_workspace set them up."""
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": f"WABA{k}", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp", "metadata": {"display_phone_number": display,
                                                          "phone_number_id": f"PN{k}"},
            "contacts": [{"profile": {"name": name}, "wa_id": sender}],
            "messages": [{"from": sender, "id": wamid, "timestamp": timestamp, "type": "text",
                          "text": {"body": text}}]}}]}]}).encode()


def push_event(rt: runtime.Runtime, raw: bytes) -> int:
    """Stores `raw` and queues it on its partition, as the webhook does; returns the event's id."""
    event_id = events.insert_event(rt.db.ingest, raw, utcnow())
    streams.push_events(rt.queue, [(event_id, streams.partition_of(raw))])
    return event_id


def count_done(rt: runtime.Runtime) -> int:
    """Stored events marked done."""
    with rt.db.engine.connect() as c:
        return c.execute(text("SELECT count(*) FROM webhook_events WHERE state = 'done'")).scalar_one()
