"""The worker class named in the Procfile.

RQ's SimpleWorker runs jobs in its own process: on a 2-core machine it ran about 4x the jobs per second
of the forking Worker (bench/drain has the figures). Periodic jobs are not the worker's business: the
`clock` process (metaops.clock) enqueues them.

Jobs are JSON (RQ's JSONSerializer): the worker reads them as JSON whatever serializer it is given (the
Procfile's `-S` flag forgotten, a Queue built with another), so nothing in a worker ever unpickles; starting,
it converts the pickled jobs an earlier release left waiting (metaops.queue.pickled_jobs).

Each worker process keeps a heartbeat under its RQ name (metaops.queue.leases): the partitions, channels and
claims it holds are taken over within seconds once it dies. Starting, it recovers what dead workers left.
`--with-scheduler` starts, instead of RQ's scheduler process, a thread that moves due delayed jobs while this
worker holds RQ's scheduler lock and runs recovery (metaops.delivery.scheduler).
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from rq import Queue, SimpleWorker
from rq.serializers import JSONSerializer

from metaops.delivery import recovery, scheduler
from metaops.queue import leases, pickled_jobs


def _json(queue: Any) -> Any:
    if isinstance(queue, Queue) and queue.serializer is not JSONSerializer:
        queue = copy.copy(queue)  # the caller's Queue is left as it is
        queue.serializer = JSONSerializer
    return queue


class Worker(SimpleWorker):
    def __init__(self, queues: Any, *args: Any, **kwargs: Any) -> None:
        kwargs["serializer"] = JSONSerializer
        listed = [queues] if isinstance(queues, str | Queue) else list(queues)
        super().__init__([_json(q) for q in listed], *args, **kwargs)
        leases.name_process(self.name)
        self._scheduling: threading.Event | None = None

    def work(self, *args: Any, **kwargs: Any) -> bool:
        leases.me(self.connection)
        pickled_jobs.convert(self.connection)
        for queue in self.queues:
            recovery.recover(queue)
        try:
            return super().work(*args, **kwargs)
        finally:
            if self._scheduling is not None:
                self._scheduling.set()

    def _start_scheduler(self, burst: bool = False, *args: Any, **kwargs: Any) -> None:
        """`--with-scheduler`: our scheduler thread (RQ's would hold its lock 61 s past a kill, and look for a
        lapsed one only every ten minutes)."""
        if burst:
            mover = scheduler.Mover(self.queues[0], self.name)
            mover.move_due()
            mover.let_go()
            return
        self._scheduling = scheduler.run_in_thread(self.queues[0], self.name)
