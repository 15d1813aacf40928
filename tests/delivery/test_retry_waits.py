"""Retries of a failed event with the production waits (defaults.JOB_RETRY_INTERVALS): the other tests shorten them
to 0 (tests/conftest.py) so that a failing event's retries run at once; this one keeps them."""

from __future__ import annotations

import time

import pytest
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from metaops import defaults
from metaops.queue import connection, enqueue
from store.models import WebhookEvent
from tests.fakes.http import Reply
from tests.helpers import connect_whatsapp, post_webhook, run_due_scheduled, run_worker, wa_message, wa_payload


@pytest.fixture
def config(config):
    return {k: v for k, v in config.items() if k != "JOB_RETRY_INTERVALS"}  # the default waits


def test_a_failed_event_waits_each_default_interval_in_its_own_job(client, rt, fake_slack):
    connect_whatsapp(rt)
    assert rt.settings.JOB_RETRY_INTERVALS == defaults.JOB_RETRY_INTERVALS == (10, 30, 60, 300, 900)
    fake_slack.fail_next("/api/chat.postMessage", Reply(500, {"ok": False, "error": "internal_error"}))
    post_webhook(client, wa_payload([wa_message("wamid.W1", "15550004444", "after a while")]))
    before = time.time()
    run_worker(rt)  # the drain fails it: its own job, first try after 10 s
    with rt.db.session() as s:
        [event] = s.query(WebhookEvent).all()
        assert event.state == "received" and event.attempts == 1
    job_id = enqueue.event_job_id(event.id)
    registry = ScheduledJobRegistry(queue=rt.queue)
    assert registry.get_job_ids() == [job_id]
    due = registry.get_scheduled_time(job_id).timestamp()
    assert before + 9 <= due <= time.time() + 10
    job = Job.fetch(job_id, connection=rt.redis, serializer=connection.SERIALIZER)
    assert job.retries_left == 4 and job.retry_intervals == [30, 60, 300, 900]
    run_due_scheduled(rt)  # not due yet: nothing moves, nothing is posted
    run_worker(rt)
    assert fake_slack.messages == [] and registry.get_job_ids() == [job_id]
