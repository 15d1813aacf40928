"""The worker class named in the Procfile.

RQ's SimpleWorker runs jobs in its own process: on a 2-core machine it ran about 4x the jobs per second
of the forking Worker (bench/drain has the figures). Periodic jobs are not the worker's business: the
`clock` process (metaops.clock) enqueues them.

Jobs are JSON (RQ's JSONSerializer): the worker reads them as JSON whatever serializer it is given (the
Procfile's `-S` flag forgotten, a Queue built with another), so nothing in a worker ever unpickles.
"""

from __future__ import annotations

import copy
from typing import Any

from rq import Queue, SimpleWorker
from rq.serializers import JSONSerializer


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
