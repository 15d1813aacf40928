"""The worker class named in the Procfile.

RQ's SimpleWorker runs jobs in its own process: on a 2-core machine it ran about 4x the jobs per second
of the forking Worker (bench/drain has the figures). Periodic jobs are not the worker's business: the
`clock` process (metaops.clock) enqueues them.
"""

from rq import SimpleWorker


class Worker(SimpleWorker):
    pass
