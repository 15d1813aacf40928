"""What web and worker share in one process: settings, database, crypto, Redis, queue, Slack clients, the time.

The web app builds and installs one in create_app(); a worker builds one from the environment on its
first job. Jobs reach it through current().
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from redis import Redis
from rq import Queue

from integrations.meta.graph import GraphClient
from integrations.slack.client import SlackClients
from metaops import counters, defaults
from metaops.queue import connection
from metaops.settings import Settings, load
from store.crypto import Crypto
from store.db import Database
from store.installations import EncryptedInstallationStore, RedisStateStore
from store.timestamps import utcnow


@dataclass
class Runtime:
    settings: Settings
    db: Database
    crypto: Crypto
    redis: Redis
    queue: Queue
    slack: SlackClients
    graph: GraphClient
    now: Callable[[], datetime] = utcnow  # the current UTC time (tests move it)


def build(settings: Settings, now: Callable[[], datetime] = utcnow, worker: bool = False) -> Runtime:
    redis = connection.connect(settings)
    # A worker's deliveries run in threads (metaops.worker), which wait on Slack far more than on the database:
    # connections kept for as many as PARTITIONS of them, and room for one each at a moment of need.
    kept = min(settings.WORKER_DRAINS, defaults.PARTITIONS) + defaults.DB_POOL_SPARE
    db = Database(settings.database_url, pre_ping=not worker, pool_size=kept if worker else None,
                  overflow=settings.WORKER_DRAINS + defaults.DB_POOL_SPARE if worker else None)
    crypto = Crypto(settings.encryption_keys)
    installations = EncryptedInstallationStore(db, crypto) if settings.SLACK_CLIENT_ID else None
    return Runtime(
        settings=settings,
        db=db,
        crypto=crypto,
        redis=redis,
        queue=connection.make_queue(redis),
        slack=SlackClients(settings.SLACK_API_URL, settings.SLACK_BOT_TOKEN, installations, defaults.SLACK_TIMEOUT),
        graph=GraphClient(settings.META_GRAPH_URL, settings.META_GRAPH_VERSION, settings.META_APP_ID,
                          settings.META_APP_SECRET, attempts=defaults.GRAPH_ATTEMPTS,
                          backoff=defaults.GRAPH_BACKOFF, timeout=defaults.GRAPH_TIMEOUT,
                          usage_limit=defaults.GRAPH_USAGE_LIMIT, slowdown=defaults.GRAPH_SLOWDOWN,
                          max_inline_wait=defaults.GRAPH_MAX_INLINE_WAIT, page_limit=defaults.GRAPH_PAGE_LIMIT,
                          on_error=lambda e: counters.incr(redis, "graph_errors", code=counters.graph_error_code(e))),
        now=now,
    )


_current: Runtime | None = None
_building = threading.Lock()  # a worker's threads ask for it at once: one is built


def install(rt: Runtime | None) -> None:
    global _current
    _current = rt


def current() -> Runtime:
    if _current is None:
        with _building:
            if _current is None:
                install(build(load(), worker=True))
    assert _current is not None
    return _current


def slack_install_states(rt: Runtime) -> RedisStateStore:
    """Where Slack's install flow (`/slack/install`, multi-workspace mode) keeps its OAuth states: in Redis, for
    defaults.OAUTH_STATE_TTL."""
    return RedisStateStore(rt.redis, defaults.OAUTH_STATE_TTL)
