"""The Procfile's worker class schedules the periodic jobs; each run schedules the next, never twice."""

from __future__ import annotations

from datetime import UTC, datetime

from rq.registry import ScheduledJobRegistry

from metaops import defaults, jobs
from metaops.delivery import periodic
from tests.helpers import run_worker


def _scheduled(rt, name: str = "sweep") -> list[str]:
    return [i for i in ScheduledJobRegistry(queue=rt.queue).get_job_ids() if i.startswith(f"periodic-{name}-")]


def test_worker_start_schedules_the_sweep_once(rt):
    run_worker(rt)
    run_worker(rt)  # a second worker starting in the same interval adds nothing
    assert len(_scheduled(rt)) == 1
    assert len(_scheduled(rt, "check_tokens")) == 1


def test_a_sweep_run_schedules_the_next_slot(rt):
    before = int(datetime.now(UTC).timestamp() // defaults.SWEEP_INTERVAL) + 1
    jobs.sweep()
    after = int(datetime.now(UTC).timestamp() // defaults.SWEEP_INTERVAL) + 1
    [job_id] = _scheduled(rt)
    assert job_id in {f"periodic-sweep-{before}", f"periodic-sweep-{after}"}
    periodic.schedule_all(rt.queue)  # a worker starting now adds nothing
    assert len(_scheduled(rt)) == 1 or before != after
