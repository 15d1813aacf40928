"""The worker class named in the Procfile.

RQ's SimpleWorker runs jobs in its own process: on a 2-core machine it ran about 4x the jobs per second
of the forking Worker (bench/drain has the figures). This subclass also makes sure the periodic jobs
are scheduled whenever a worker starts.
"""

from typing import Any

from rq import SimpleWorker

from metaops.delivery import periodic


class Worker(SimpleWorker):
    def work(self, *args: Any, **kwargs: Any) -> bool:
        for queue in self.queues:
            periodic.schedule_all(queue)
        return super().work(*args, **kwargs)
