"""Jobs are JSON (RQ's JSONSerializer), never pickled: what the app queues, what the worker reads, and the jobs an
earlier release left pickled in Redis, converted once (or refused, never run) by `convert-jobs`.

A pickled job is made as the earlier release made it: the same code paths, with the queue it built
(RQ's default serializer)."""

from __future__ import annotations

import os
import pickle
import time
import zlib
from datetime import datetime, timedelta

import pytest
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry
from rq.serializers import DefaultSerializer, JSONSerializer

from metaops import defaults
from metaops.clock import Clock
from metaops.queue import connection, enqueue, pickled_jobs, streams
from metaops.queue.pickled_jobs import Counts
from metaops.worker import Worker
from tests.fakes.http import Reply
from tests.helpers import (
    RedisServer,
    connect_whatsapp,
    customer_thread,
    free_port,
    job_call,
    post_webhook,
    run_due_scheduled,
    run_worker,
    slack_event,
    wa_message,
    wa_payload,
    waiting_job_ids,
)


class Touch:
    """Pickles as a call of os.system that creates a file: run only if something unpickles it."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):  # noqa: ANN204
        return os.system, (f"touch {self.path}",)


@pytest.fixture
def no_unpickling(monkeypatch):
    """Every real unpickling during the test is recorded (and fails): the test asserts there was none."""
    calls: list[str] = []

    def refuse(*args, **kwargs):
        calls.append("unpickled")
        raise AssertionError("something unpickled a job")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(DefaultSerializer, "loads", staticmethod(refuse))
    return calls


def old_queue(rt) -> Queue:
    """The queue as the release before JSON built it."""
    return Queue(defaults.QUEUE_NAME, connection=rt.redis)


def is_pickled(rt, job_id: str) -> bool:
    return zlib.decompress(rt.redis.hget(f"rq:job:{job_id}", "data"))[:1] == b"\x80"


def as_rq_writes_it(rt, func: str, args: list) -> bytes:
    """A job's `data` as RQ 2 with the JSON serializer writes it for this call."""
    return zlib.compress(Job.create(func, args=args, connection=rt.redis, serializer=JSONSerializer).data)


def reply_in_thread(client, root: str, text: str):
    return slack_event(client, {"type": "message", "channel": "C_CONNECT", "user": "U_ADMIN", "text": text,
                                "ts": "1700000100.000200", "thread_ts": root, "team": "T1"})


# --- what the app queues ---------------------------------------------------------------------------------------

def test_every_job_the_app_queues_is_json_and_runs(client, rt, fake_slack, fake_graph):
    assert rt.queue.serializer is JSONSerializer
    root = customer_thread(client, rt, fake_slack, fake_graph)  # a webhook's drain job, run

    fake_slack.fail_next("/api/chat.postMessage", Reply(500, {"ok": False, "error": "internal_error"}))
    post_webhook(client, wa_payload([wa_message("wamid.J2", "15551234567", "second try")]))
    run_worker(rt)  # the drain fails to post: the event gets a process_event job of its own (JSON), run at once
    reply_in_thread(client, root, "yes, in stock")  # a send_reply job
    enqueue.refresh_home(rt.queue, "T1", "U_ADMIN")  # a refresh_home job
    Clock(rt.queue).tick()  # the periodic jobs
    calls = {job_call(rt.redis, i)[0]: job_call(rt.redis, i)[2] for i in waiting_job_ids(rt.redis)}
    assert calls["metaops.jobs.send_reply"] == [1] and calls["metaops.jobs.refresh_home"] == ["T1", "U_ADMIN"]
    assert {"metaops.jobs.sweep", "metaops.jobs.check_tokens", "metaops.jobs.retention"} <= set(calls)
    run_worker(rt)

    assert [m["text"].rsplit(": ", 1)[-1] for m in fake_slack.messages] == ["second try"]
    assert [s["body"] for s in fake_graph.sent] == ["yes, in stock"]
    assert [p["user_id"] for p in fake_slack.published] == ["U_ADMIN"]
    assert FailedJobRegistry(queue=rt.queue).get_job_ids() == [] and rt.queue.get_job_ids() == []


def test_the_worker_reads_json_whatever_serializer_it_is_given(rt, fake_slack):
    connect_whatsapp(rt)
    pickling = old_queue(rt)
    for worker in (Worker([pickling], connection=rt.redis), Worker(defaults.QUEUE_NAME, connection=rt.redis),
                   Worker([pickling], connection=rt.redis, serializer=DefaultSerializer)):
        assert worker.serializer is JSONSerializer
        assert [q.serializer for q in worker.queues] == [JSONSerializer]
    assert pickling.serializer is DefaultSerializer  # the caller's queue is left alone

    enqueue.refresh_home(rt.queue, "T1", "U1")
    Worker([pickling], connection=rt.redis).work(burst=True, logging_level="WARNING")
    assert [p["user_id"] for p in fake_slack.published] == ["U1"]


def test_an_unconverted_pickled_job_is_failed_by_the_worker_never_unpickled(rt, tmp_path, no_unpickling):
    marker = tmp_path / "ran"
    old_queue(rt).enqueue_call("metaops.jobs.refresh_home", args=(Touch(str(marker)), "U1"), result_ttl=0)
    Worker([rt.queue], connection=rt.redis).work(burst=True, logging_level="WARNING")
    assert not marker.exists() and no_unpickling == []
    assert len(FailedJobRegistry(queue=rt.queue)) == 1


# --- jobs an earlier release left pickled -----------------------------------------------------------------------

def test_queued_pickled_jobs_are_converted_then_run_once(client, rt, fake_slack, fake_graph, monkeypatch,
                                                         no_unpickling):
    root = customer_thread(client, rt, fake_slack, fake_graph)
    monkeypatch.setattr(rt, "queue", old_queue(rt))  # the earlier release queues a webhook's drain and a reply
    post_webhook(client, wa_payload([wa_message("wamid.P2", "15551234567", "did it ship?")]))
    reply_in_thread(client, root, "it did")
    monkeypatch.setattr(rt, "queue", connection.make_queue(rt.redis))
    ids = waiting_job_ids(rt.redis)
    assert len(ids) == 2 and all(is_pickled(rt, i) for i in ids)
    partition = streams.partition_of(wa_payload([wa_message("wamid.P2", "15551234567", "")]))
    before = {i: rt.redis.hgetall(f"rq:job:{i}") for i in ids}

    assert pickled_jobs.convert_all(rt.redis) == Counts(converted=2, refused=0)
    expected = {"metaops.jobs.drain": [partition], "metaops.jobs.send_reply": [1]}
    for i in ids:
        func, _, args, _ = job_call(rt.redis, i)
        assert expected.pop(func) == args
        after = rt.redis.hgetall(f"rq:job:{i}")
        assert after[b"data"] == as_rq_writes_it(rt, func, args)  # byte for byte
        assert {k: v for k, v in after.items() if k != b"data"} == {k: v for k, v in before[i].items() if k != b"data"}
    assert expected == {}
    assert pickled_jobs.convert(rt.redis) == 0  # a second run: nothing left to convert

    run_worker(rt)
    run_worker(rt)
    assert [m["text"].rsplit(": ", 1)[-1] for m in fake_slack.messages] == ["did it ship?"]
    assert [s["body"] for s in fake_graph.sent] == ["it did"]
    assert FailedJobRegistry(queue=rt.queue).get_job_ids() == [] and no_unpickling == []


def test_a_pickled_scheduled_retry_is_converted_and_runs_once_when_due(client, rt, fake_slack, monkeypatch,
                                                                       no_unpickling):
    connect_whatsapp(rt)
    rt.settings = rt.settings.with_overrides(JOB_RETRY_INTERVALS=(600,))
    fake_slack.fail_next("/api/chat.postMessage", Reply(500, {"ok": False, "error": "internal_error"}))
    post_webhook(client, wa_payload([wa_message("wamid.S1", "15550003333", "try me later")]))
    monkeypatch.setattr(rt, "queue", old_queue(rt))
    run_worker(rt)  # the post fails; the job code of the earlier release schedules the event's retry, pickled
    streams.enqueue_drain(rt.queue, 5, delay=600)  # and a delayed drain
    monkeypatch.setattr(rt, "queue", connection.make_queue(rt.redis))
    scheduled = ScheduledJobRegistry(queue=rt.queue)
    assert sorted(scheduled.get_job_ids()) == sorted(waiting_job_ids(rt.redis)) and len(scheduled) == 2
    assert all(is_pickled(rt, i) for i in scheduled.get_job_ids()) and fake_slack.messages == []

    assert pickled_jobs.convert_all(rt.redis) == Counts(converted=2, refused=0)
    assert job_call(rt.redis, "event-1") == ["metaops.jobs.process_event", None, [1], {}]
    assert pickled_jobs.convert_all(rt.redis) == Counts(converted=0, refused=0)

    for job_id in scheduled.get_job_ids():
        rt.redis.zadd(scheduled.key, {job_id: int(time.time()) - 1})  # due now
    run_due_scheduled(rt)
    run_worker(rt)
    run_due_scheduled(rt)
    run_worker(rt)
    assert [m["text"].rsplit(": ", 1)[-1] for m in fake_slack.messages] == ["try me later"]
    assert len(scheduled) == 0 and FailedJobRegistry(queue=rt.queue).get_job_ids() == []
    assert no_unpickling == []


@pytest.mark.parametrize(("args", "meta", "named"), [
    ((datetime(2024, 5, 1, 12, 0), "U1"), None, "names datetime.datetime"),
    (("T1", "U1"), {"at": datetime(2024, 5, 1)}, "names datetime.datetime"),
    ((b"\x00raw", "U1"), None, "holds a bytes"),
    (({1: "a"}, "U1"), None, "key that is not text (int)"),
], ids=["datetime-argument", "datetime-in-meta", "bytes-argument", "int-key"])
def test_a_payload_json_cannot_carry_is_refused_and_never_run(rt, fake_slack, args, meta, named, no_unpickling):
    job = old_queue(rt).enqueue_call("metaops.jobs.refresh_home", args=args, meta=meta, result_ttl=0)
    assert pickled_jobs.convert_all(rt.redis) == Counts(converted=0, refused=1)
    run_worker(rt)
    assert fake_slack.published == [] and rt.queue.get_job_ids() == []
    assert FailedJobRegistry(queue=rt.queue).get_job_ids() == [job.id]
    failed = Job.fetch(job.id, connection=rt.redis, serializer=JSONSerializer)
    result = failed.latest_result()
    assert result is not None and named in result.exc_string and failed.get_status() == "failed"
    assert pickled_jobs.convert_all(rt.redis) == Counts(converted=0, refused=0) and no_unpickling == []


def test_a_pickled_os_system_call_is_refused_never_run_and_fails_again_if_requeued(rt, tmp_path, caplog,
                                                                                  no_unpickling):
    markers = [tmp_path / "queued", tmp_path / "scheduled"]
    old = old_queue(rt)
    queued = old.enqueue_call("metaops.jobs.refresh_home", args=(Touch(str(markers[0])), "U1"), result_ttl=0)
    scheduled = old.enqueue_in(timedelta(minutes=10), "metaops.jobs.refresh_home", Touch(str(markers[1])), "U1")
    originals = {j.id: rt.redis.hget(j.key, "data") for j in (queued, scheduled)}

    assert pickled_jobs.convert_all(rt.redis) == Counts(converted=0, refused=2)
    assert not any(m.exists() for m in markers)
    assert waiting_job_ids(rt.redis) == []
    failed = FailedJobRegistry(queue=rt.queue)
    assert sorted(failed.get_job_ids()) == sorted(originals)
    for job_id, original in originals.items():
        stored = rt.redis.hgetall(f"rq:job:{job_id}")
        assert stored[b"pickled_data"] == original and stored[b"status"] == b"failed"
        func, _, [reason], _ = job_call(rt.redis, job_id)
        assert func == pickled_jobs.REFUSED_FUNC and "names posix.system" in reason
        assert "names posix.system" in Job.fetch(job_id, connection=rt.redis,
                                                 serializer=JSONSerializer).latest_result().exc_string
        assert f"job {job_id} refused" in caplog.text

    run_worker(rt)
    failed.requeue(queued.id)  # someone requeues it: the stand-in fails again, nothing runs
    run_worker(rt)
    assert not any(m.exists() for m in markers)
    assert queued.id in failed.get_job_ids() and no_unpickling == []
    assert pickled_jobs.convert_all(rt.redis) == Counts(converted=0, refused=0)


def test_convert_jobs_command_prints_its_counts(app, rt):
    old = old_queue(rt)
    old.enqueue_call("metaops.jobs.refresh_home", args=("T1", "U1"), result_ttl=0)
    old.enqueue_call("metaops.jobs.refresh_home", args=(datetime(2024, 5, 1), "U1"), result_ttl=0)
    with app.app_context():  # as `flask --app metaops.wsgi` runs it (the Procfile's release line runs it for real)
        result = app.test_cli_runner().invoke(args=["convert-jobs"])
        again = app.test_cli_runner().invoke(args=["convert-jobs"])
    assert result.exit_code == 0, result.output
    assert result.output == ("converted 1 pickled job(s) to JSON; refused 1 (moved to RQ's failed registry, "
                             "not run)\n")
    assert again.output.startswith("converted 0 pickled job(s) to JSON; refused 0")


def test_convert_jobs_command_says_when_redis_is_down(config):
    from metaops import create_app, runtime

    server = RedisServer(free_port())  # never started
    app = create_app({**config, "REDIS_URL": f"redis://127.0.0.1:{server.port}/0"})
    try:
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["convert-jobs"])
    finally:
        app.extensions["metaops"].db.dispose()
        runtime.install(None)
    assert result.exit_code == 1
    assert result.output.strip() == "Error: Redis did not answer (ConnectionError); run convert-jobs again"
