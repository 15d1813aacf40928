"""The database engine and sessions, one per process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
DIALECTS = ("postgresql", "sqlite")  # the databases the app runs on (SQLAlchemy's dialect names)
DialectInsert = postgresql.Insert | sqlite.Insert


def make_engine(url: str, **options: Any) -> Engine:
    """An engine. hide_parameters: errors and logs never show bound values (message bodies, tokens)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, hide_parameters=True, **{"pool_pre_ping": True, "pool_size": 5, "max_overflow": 10,
                                                       **options})


def per_dialect(build: Callable[[str], T]) -> dict[str, T]:
    """A statement built once for each dialect, at import: a hot path executes it with its parameters
    (`conn.execute(made[conn.dialect.name], params)`) instead of building it on every call."""
    return {dialect: build(dialect) for dialect in DIALECTS}


def dialect_insert(dialect: str, table: Table) -> DialectInsert:
    """The dialect's own INSERT, which has ON CONFLICT (`on_conflict_do_nothing`, `on_conflict_do_update`)."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:  # DB-API objects
    # WAL lets the web processes insert while a worker reads; busy_timeout makes writers wait, not fail.
    # synchronous=NORMAL in WAL mode survives a crash of the app, not a power cut of the machine:
    # SQLite is the single-machine default, PostgreSQL the production database.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class Database:
    """An engine and its session factory."""

    def __init__(self, url: str, pre_ping: bool = True, pool_size: int | None = None,
                 overflow: int | None = None) -> None:
        """`pre_ping`: test each pooled connection before use (web). A worker skips it: a connection that
        died with a database restart fails its job once, and the job's retry gets a fresh one. `pool_size`:
        connections kept open, with `overflow` more (default: as many again) for a moment of need; default 5,
        and 10 more."""
        self.url = url
        sized = {"pool_size": pool_size, "max_overflow": pool_size if overflow is None else overflow} \
            if pool_size and ":memory:" not in url else {}
        self.engine = make_engine(url, **(sized if url.startswith("sqlite") else {"pool_pre_ping": pre_ping,
                                                                                  "pool_recycle": 1800, **sized}))
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # The webhook's single insert: autocommit sends one statement and no BEGIN/COMMIT round trips;
        # no pre-ping either (a dead pooled connection fails the insert, which answers 503 and Meta retries).
        self.ingest = make_engine(url, isolation_level="AUTOCOMMIT", **({} if url.startswith("sqlite") else
                                                                         {"pool_pre_ping": False}))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        with self.sessions() as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
        self.ingest.dispose()
