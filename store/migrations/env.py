"""Alembic environment: the URL is DATABASE_URL (or the default SQLite file) unless a caller set one."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from metaops.settings import database_url
from store.models import Base

config = context.config
if config.config_file_name and config.get_main_option("sqlalchemy.url") is None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
target_metadata = Base.metadata
url = config.get_main_option("sqlalchemy.url") or database_url()


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    from store.db import make_engine

    if config.attributes.get("connection") is not None:
        _run(config.attributes["connection"])
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()  # closes the last SQLite connection, which checkpoints the WAL into the file


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
