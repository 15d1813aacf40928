"""The worker class named in the Procfile.

RQ's SimpleWorker runs jobs in its own process: on a 2-core machine it ran about 4x the jobs per second
of the forking Worker (bench/drain has the figures). Periodic jobs are not the worker's business: the
`clock` process (metaops.clock) enqueues them.

Delivery waits on Slack (100-300 ms a call) far more than it computes, so each worker process runs many jobs at
once: the delivery jobs (DELIVERY: a partition's drain, a channel's release, an event's own job, and the Slack calls
a customer's message leads to) each in a thread of its own, while the main thread goes on taking jobs off the
queue; any other job runs in the main thread as before. WORKER_DRAINS bounds the deliveries in progress
(delivery/lanes.py's slots): each job but a drain takes a slot for its run, a drain's conversations each take one,
and a drain holds a reservation, so the main thread takes a job only while slots and reservations leave room.
Every job keeps RQ's bookkeeping: it is in the StartedJobRegistry (its execution renewed every
job_monitoring_interval) while its thread runs, then finished, failed (into the failed registry, with its
retries) or retried as RQ does it, and a killed process leaves its jobs there for recovery as before. The leases a
delivery job takes are its own (leases.job()): two jobs of one process never hold one partition or channel, and
one that ends holding any lets it go. A pool thread cannot get RQ's SIGALRM timeout: its job's timeout is a
timer that raises JobTimeoutException in that thread, and the drains and releases hand over to a new job long
before (DRAIN_MAX_SECONDS). A warm stop (SIGTERM) has them hand over at their next event and waits for them.

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
import ctypes
import logging
import threading
from collections.abc import Callable
from typing import Any

from rq import Queue, SimpleWorker
from rq.executions import Execution
from rq.job import Job
from rq.serializers import JSONSerializer
from rq.timeouts import BaseDeathPenalty, JobTimeoutException, UnixSignalDeathPenalty
from rq.utils import now
from rq.worker.base import StopRequested

from metaops.away import sender as away
from metaops.conversation import state, state_root
from metaops.delivery import holds, lanes, recovery, scheduler
from metaops.queue import enqueue, leases, pickled_jobs, streams

log = logging.getLogger(__name__)
# The jobs run in pool threads: the delivery of customers' messages and the Slack calls it leads to. Each keeps
# to leases of its own (or none) and shares nothing else but thread-safe clients (SQLAlchemy's pool, redis-py's
# pool, slack_sdk's WebClient opening a connection per call).
DELIVERY = frozenset({streams.DRAIN, holds.RELEASE, enqueue.PROCESS_EVENT, state_root.REFRESH_JOB, state.NOTE_JOB,
                      away.JOB})


def _json(queue: Any) -> Any:
    if isinstance(queue, Queue) and queue.serializer is not JSONSerializer:
        queue = copy.copy(queue)  # the caller's Queue is left as it is
        queue.serializer = JSONSerializer
    return queue


class ThreadDeathPenalty(BaseDeathPenalty):
    """A job's timeout in a thread that is not the main one (SIGALRM reaches only that): a timer raises the
    exception in the job's thread, at its next Python instruction (after a blocking call returns)."""

    def __init__(self, timeout: float, exception: type[BaseException] = JobTimeoutException, **kwargs: Any) -> None:
        super().__init__(timeout, exception, **kwargs)
        self._thread = threading.get_ident()
        self._timer: threading.Timer | None = None

    def setup_death_penalty(self) -> None:
        if self._timeout > 0:
            self._timer = threading.Timer(self._timeout, self._raise)
            self._timer.daemon = True
            self._timer.start()

    def cancel_death_penalty(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _raise(self) -> None:
        # 0: the thread is gone (the job ended as the timer fired)
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._thread), ctypes.py_object(self._exception))


class Worker(SimpleWorker):
    def __init__(self, queues: Any, *args: Any, **kwargs: Any) -> None:
        self._local = threading.local()  # per thread: the RQ execution of the job it runs (before RQ sets one)
        kwargs["serializer"] = JSONSerializer
        listed = [queues] if isinstance(queues, str | Queue) else list(queues)
        super().__init__([_json(q) for q in listed], *args, **kwargs)
        leases.name_process(self.name)
        self._scheduling: threading.Event | None = None
        self._jobs: dict[str, tuple[Job, Execution | None]] = {}  # running now, by job id
        self._changed = threading.Condition()
        self._in_main = False  # the main thread runs a job (a warm stop waits for it)
        self._beating = threading.Event()

    # RQ keeps the execution of "the" job on the worker; each thread has its own.
    @property
    def execution(self) -> Execution | None:
        return getattr(self._local, "execution", None)

    @execution.setter
    def execution(self, value: Execution | None) -> None:
        self._local.execution = value

    @property
    def death_penalty_class(self) -> type[BaseDeathPenalty]:  # type: ignore[override]
        main = threading.current_thread() is threading.main_thread()
        return UnixSignalDeathPenalty if main else ThreadDeathPenalty

    def work(self, *args: Any, **kwargs: Any) -> bool:
        leases.me(self.connection)
        leases.reopen()
        pickled_jobs.convert(self.connection)
        for queue in self.queues:
            recovery.recover(queue)
        self._beating.clear()
        threading.Thread(target=self._beat, name="metaops-job-heartbeats", daemon=True).start()
        try:
            return super().work(*args, **kwargs)
        finally:
            self._beating.set()
            if self._scheduling is not None:
                self._scheduling.set()

    def dequeue_job_and_maintain_ttl(self, timeout: int | None, max_idle_time: int | None = None) -> Any:
        """A job once the WORKER_DRAINS delivery slots have room (lanes.Slots: those in use and the running drains'
        reservations). Burst mode: the queue empty while delivery jobs still run (they may queue more: hand-overs,
        retries), wait for them and look again."""
        while not lanes.slots().wait_room(1):
            pass
        while True:
            result = super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
            if result is not None or timeout is not None:
                return result
            with self._changed:
                if not self._jobs:
                    return None
                self._changed.wait(1)

    def execute_job(self, job: Job, queue: Queue) -> None:
        slots = lanes.slots()
        with self._changed:
            self._jobs[job.id] = (job, None)
        if job.func_name == streams.DRAIN:  # its conversations take slots of their own; it reserves one
            slots.reserve()
            let_go = slots.unreserve
        else:
            self._in_main = True  # a warm stop meanwhile waits for this job, out of the queue already
            try:
                slots.take()  # free a moment ago, unless a drain's conversation took it: until one ends
            except BaseException:
                self._done(job, lambda: None)
                raise
            finally:
                self._in_main = False
            let_go = slots.give
        if job.func_name in DELIVERY:
            try:
                threading.Thread(target=self._run_in_thread, args=(job, queue, let_go),
                                 name=f"metaops-job-{job.id}", daemon=True).start()
            except BaseException:  # not started (a stop signal right now): nothing to wait for
                self._done(job, let_go)
                raise
            return
        self._in_main = True
        try:
            super().execute_job(job, queue)
        finally:
            self._in_main = False
            self._done(job, let_go)

    def _run_in_thread(self, job: Job, queue: Queue, let_go: Callable[[], None]) -> None:
        try:
            with leases.job():
                execution = self.prepare_execution(job)
                with self._changed:
                    self._jobs[job.id] = (job, execution)
                self.perform_job(job, queue)  # RQ's: success, failure (its retries) and registries as ever
        except Exception:  # noqa: BLE001 - RQ's bookkeeping itself failed (Redis away): the job stays started
            log.exception("job %s: RQ's bookkeeping failed; recovery takes its work over", job.id)
        finally:
            self._done(job, let_go)

    def _done(self, job: Job, let_go: Callable[[], None]) -> None:
        """The job ended: its slot (or a drain's reservation) given back."""
        let_go()
        with self._changed:
            self._jobs.pop(job.id, None)
            self._changed.notify_all()

    def _beat(self) -> None:
        """Every job_monitoring_interval: the running jobs' executions stay in the StartedJobRegistry (and the
        worker's key alive) for as long as their threads run."""
        while not self._beating.wait(self.job_monitoring_interval):
            with self._changed:
                running = [(job, execution) for job, execution in self._jobs.values() if execution is not None]
            try:
                with self.connection.pipeline() as pipe:
                    self.heartbeat(self.worker_ttl + 60, pipeline=pipe)
                    for job, execution in running:
                        ttl = self.get_heartbeat_ttl(job)
                        execution.heartbeat(job.started_job_registry, ttl, pipeline=pipe)
                        job.heartbeat(now(), ttl, pipeline=pipe, xx=True)
                    pipe.execute()
            except Exception as e:  # noqa: BLE001 - Redis away: the next beat tries again
                log.warning("job heartbeats failed (%s)", type(e).__name__)

    def _shutdown(self) -> None:
        """A warm stop: the delivery jobs hand over at their next event; a job in the main thread finishes first."""
        leases.close()
        if self._in_main:
            self._stop_requested = True
            self.set_shutdown_requested_date()
            if self.scheduler:
                self.stop_scheduler()
            return
        if self.scheduler:
            self.stop_scheduler()
        raise StopRequested()

    def teardown(self) -> None:
        """The work loop ended: wait for the jobs still running in threads (they hand over within a Slack call or
        two once stopping), then leave as RQ does."""
        with self._changed:
            while self._jobs:
                self._changed.wait(1)
        super().teardown()

    def _start_scheduler(self, burst: bool = False, *args: Any, **kwargs: Any) -> None:
        """`--with-scheduler`: our scheduler thread (RQ's would hold its lock 61 s past a kill, and look for a
        lapsed one only every ten minutes)."""
        if burst:
            mover = scheduler.Mover(self.queues[0], self.name)
            mover.move_due()
            mover.let_go()
            return
        self._scheduling = scheduler.run_in_thread(self.queues[0], self.name)
