"""The worker class named in the Procfile.

RQ's SimpleWorker runs jobs in its own process: on a 2-core machine it ran about 4x the jobs per second
of the forking Worker (bench/drain has the figures). Delayed and periodic jobs are not the worker's business:
the `clock` process (metaops.clock) moves and enqueues them.

Each worker process keeps a heartbeat under its RQ name (metaops.delivery.leases): the partitions, channels and
claims it holds are taken over within seconds once it dies. Starting, it recovers what dead workers left.
"""

from __future__ import annotations

from typing import Any

from rq import SimpleWorker

from metaops.delivery import leases, recovery


class Worker(SimpleWorker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leases.name_process(self.name)

    def work(self, *args: Any, **kwargs: Any) -> bool:
        leases.me(self.connection)
        for queue in self.queues:
            recovery.recover(queue)
        return super().work(*args, **kwargs)
