"""Fixtures on real parts: SQLite and PostgreSQL, a real Redis, the real RQ worker code, and local
HTTP fakes of Slack and Meta on loopback. Small and composable: settings -> app -> client, rt."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from cryptography.fernet import Fernet
from redis import Redis
from sqlalchemy import create_engine, text

from metaops import create_app, runtime
from metaops import settings as settings_mod
from metaops.runtime import Runtime
from store import migrate
from store.models import Base
from tests.constants import APP_SECRET, SIGNING_SECRET, TEST_PG_URL, VERIFY_TOKEN
from tests.databases import temporary_postgres
from tests.fakes.meta_graph import APP_ID as GRAPH_APP_ID
from tests.fakes.meta_graph import FakeGraph
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.helpers import redis_server_binary


@pytest.fixture(scope="session")
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def fake_graph() -> Iterator[FakeGraph]:
    fake = FakeGraph(APP_SECRET)
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is faster)."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A database of our own on the test PostgreSQL server, migrated once."""
    url, drop = temporary_postgres(TEST_PG_URL)
    yield url
    drop()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Which databases a test runs on: every test on SQLite; a test marked `both_databases` (itself, its class or
    its module) exercises what the database does and also runs on PostgreSQL. The id says which: `[sqlite]`,
    `[postgresql]`."""
    if "database_kind" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("both_databases") is not None
        metafunc.parametrize("database_kind", ["sqlite", "postgresql"] if both else ["sqlite"], indirect=True)


@pytest.fixture
def database_kind(request: pytest.FixtureRequest) -> str:
    """"sqlite" or "postgresql", as pytest_generate_tests parametrized the test."""
    return str(request.param)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, database_kind: str, tmp_path: Path) -> Iterator[str]:
    """A migrated database of the test's own: a copy of the SQLite template, or the run's PostgreSQL database,
    emptied after the test."""
    if database_kind == "sqlite":
        path = tmp_path / "metaops.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("pg_url")
    yield url
    engine = create_engine(url)
    with engine.begin() as conn:
        names = ", ".join(t.name for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A redis-server of the test run's own on a free port, so runs side by side never share keys (under
    pytest-xdist each worker process starts its own); TEST_REDIS_URL points elsewhere instead."""
    if os.environ.get("TEST_REDIS_URL"):
        yield worker_database(os.environ["TEST_REDIS_URL"])
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(200):
        try:
            if Redis.from_url(url, socket_connect_timeout=0.2).ping():
                break
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(10)


def worker_database(url: str) -> str:
    """`url` with a Redis database of this pytest-xdist worker's own (the URL's number plus the worker's: gw2 of
    redis://h:6379/0 is redis://h:6379/2), since every test flushes its database; `url` itself outside xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{int(parts.path.strip('/') or 0) + int(worker[2:])}"))


@pytest.fixture
def redis_conn(redis_url: str) -> Iterator[Redis]:
    """The test Redis, empty before and after each test."""
    r = Redis.from_url(redis_url)
    r.flushdb()
    yield r
    r.flushdb()
    r.close()


@pytest.fixture
def config(request: pytest.FixtureRequest, database_url: str, redis_url: str, redis_conn: Redis,
           fake_slack: FakeSlack, fake_graph: FakeGraph, tmp_path: Path) -> dict[str, object]:
    """The app's settings: production defaults but for the addresses of the fakes and what the comments say.
    Our pace and Slack's (the fake's) are on unless the test is marked `unpaced(why=...)`."""
    fake_slack.reset()
    fake_graph.reset()
    unpaced = request.node.get_closest_marker("unpaced")
    if unpaced is not None:
        assert unpaced.kwargs.get("why"), "an unpaced test says why"
        fake_slack.enforce_pace(0, 0)
    return {
        "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SLACK_API_URL": fake_slack.api_url,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "META_APP_ID": GRAPH_APP_ID,
        "META_APP_SECRET": APP_SECRET,
        "META_VERIFY_TOKEN": VERIFY_TOKEN,
        "META_GRAPH_URL": fake_graph.url,
        "META_DIALOG_URL": "https://dialog.example.test",
        "PUBLIC_URL": "https://metaops.example.test",
        "INSTANCE_DIR": str(tmp_path / "instance"),
        # Not the default (10, 30, 60, 300, 900 s): a test of a failing event sees its two retries at once rather than
        # waiting minutes; the waits themselves are tested with the defaults in tests/delivery/test_retry_waits.py.
        "JOB_RETRY_INTERVALS": "0,0",
        **({"SLACK_PACE_RATE": "0"} if unpaced is not None else {}),
    }


@pytest.fixture
def app(config: dict[str, object]):  # noqa: ANN201
    application = create_app(settings_mod.from_mapping(config))
    yield application
    rt: Runtime = application.extensions["metaops"]
    rt.db.dispose()
    rt.redis.close()
    runtime.install(None)


@pytest.fixture
def client(app):  # noqa: ANN001, ANN201
    return app.test_client()


@pytest.fixture
def rt(app) -> Runtime:  # noqa: ANN001
    return app.extensions["metaops"]
