"""Throwaway migrated databases for tests and benchmarks."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text

from store import migrate


def temporary_postgres(admin_url: str, prefix: str = "metaops_test", revision: str = "head"
                       ) -> tuple[str, Callable[[], None]]:
    """A new database on the server of `admin_url`, migrated up to `revision`; returns its URL and a function
    dropping it."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    migrate.upgrade(url, revision)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def temporary_database(kind: str, admin_url: str, workdir: Path) -> tuple[str, Callable[[], None]]:
    """`kind` postgresql or sqlite (a file in `workdir`), migrated."""
    if kind == "postgresql":
        return temporary_postgres(admin_url, "metaops_bench")
    url = f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:6]}.db'}"
    migrate.upgrade(url)
    return url, lambda: None
