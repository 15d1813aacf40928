"""`make run` as the README writes it, with no settings, in a fresh copy of the repository: the setup page answers on
port 3000 and its URLs say 3000; every process of the run is stopped afterwards.

The copy holds the repository's files as git knows them (tracked and new, not ignored: no .env, no instance/),
and uses this checkout's virtualenv (`make run VENV=… PYTHON=…`, its install step marked done with `make -o`, so
nothing is installed into it from the copy). Redis is the test run's own; the database is the default SQLite file
under the copy's instance/.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from metaops.settings import Settings
from tests.constants import ROOT
from tests.web.test_setup_page import URL_IDS, Page

PORT = 3000
STARTUP_LIMIT = 60  # seconds make run may take until the setup page answers


def _port_taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _copy_of_the_repository(dest: Path) -> None:
    if shutil.which("git") is None or shutil.which("make") is None:
        pytest.skip("git and make are needed to copy the repository and run its Makefile")
    r = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                       capture_output=True, timeout=60)
    if r.returncode != 0:
        pytest.skip(f"not a git checkout: {r.stderr.decode().strip()}")
    for name in filter(None, r.stdout.decode().split("\0")):
        src = ROOT / name
        if src.is_file():  # listed but deleted in the working tree: not part of the copy
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


def _descendants(pid: int) -> set[int]:
    """Every process below `pid` (honcho starts each of its processes in a session of its own)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to make's process group and to every process below it; SIGKILL to whatever is left after 20 s."""
    pids = _descendants(proc.pid) | {proc.pid}
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in [proc.pid, *pids]:
            try:
                os.killpg(os.getpgid(pid), sig)
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(p) for p in pids if p != proc.pid):
            try:
                proc.wait(0.2)
            except subprocess.TimeoutExpired:
                pass
        if proc.poll() is not None and not any(_alive(p) for p in pids if p != proc.pid):
            return
    proc.wait(10)


def test_make_run_serves_the_setup_page_on_3000(redis_url, redis_conn, tmp_path):
    if _port_taken(PORT):
        pytest.skip(f"port {PORT} is taken on this machine; `make run` needs it free")
    repo = tmp_path / "metaops"
    _copy_of_the_repository(repo)
    venv = Path(sys.prefix)
    if not (venv / "bin" / "honcho").exists():
        pytest.skip(f"the tests' Python ({sys.prefix}) is not this project's virtualenv (no honcho in it)")
    settings = {f for f in Settings.__dataclass_fields__} | {"WEB_CONCURRENCY"}
    env = {k: v for k, v in os.environ.items() if k not in settings and not k.startswith(("TEST_", "PYTEST"))}
    env.update(REDIS_URL=redis_url, WEB_CONCURRENCY="1")
    log = (tmp_path / "make-run.log").open("w+")
    proc = subprocess.Popen(["make", "-o", f"{venv}/.installed", "run", f"VENV={venv}", f"PYTHON={sys.executable}"],
                            cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        page = None
        deadline = time.monotonic() + STARTUP_LIMIT
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                r = requests.get(f"http://127.0.0.1:{PORT}/", timeout=2)
                if r.status_code == 200 and "MetaOps setup" in r.text:
                    page = Page(r.text)
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.25)
        log.seek(0)
        output = log.read()
        assert page is not None, f"no setup page on :{PORT} within {STARTUP_LIMIT} s; make run said:\n{output[-3000:]}"
        assert page.text_by_id["url-slack-events"] == f"http://localhost:{PORT}/slack/events"
        assert page.text_by_id["url-meta-webhook"] == f"http://localhost:{PORT}/meta/webhook"
        assert all(page.text_by_id[i].startswith(f"http://localhost:{PORT}/") for i in URL_IDS)
        assert f"http://localhost:{PORT}/slack/events" in page.text_by_id["manifest"]
        assert "Database: ok" in page.text_by_id["health"] and "Redis: ok" in page.text_by_id["health"]
        assert "ENCRYPTION_KEYS=" in (repo / ".env").read_text()  # written by make run
        assert (repo / "instance" / "metaops.db").is_file()
        assert f"web on port {PORT}, PUBLIC_URL http://localhost:{PORT}" in output
    finally:
        _stop(proc)
        log.close()
    assert not _port_taken(PORT), "something still listens on the port after make run was stopped"
