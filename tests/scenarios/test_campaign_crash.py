"""A campaign survives a crash (issue 23, point 3): the worker sending it is SIGKILLed mid-campaign; a new worker and
the clock take it up, and every recipient is sent the template exactly once (the one being sent at the kill, whose
outcome was lost, recorded as unknown and never sent again)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections import Counter

from sqlalchemy import select

from metaops.campaigns import sender
from store.models import Campaign, CampaignRecipient
from tests.constants import ROOT
from tests.helpers import clock_command, connect_whatsapp, until, worker_command, worker_env
from tests.helpers.campaigns import TEMPLATE, scheduled_campaign

RECIPIENTS = 200


def _start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _kill(*procs: subprocess.Popen) -> None:
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def _seed(rt) -> int:
    return scheduled_campaign(rt, "Crash", RECIPIENTS)


def _sends(fake_graph) -> Counter[str]:
    return Counter(s["to"] for s in list(fake_graph.sent) if s.get("type") == "template")


def test_a_sigkilled_campaign_worker_resumes_and_sends_everyone_exactly_once(rt, config, fake_graph):
    connect_whatsapp(rt, token=fake_graph.issue_token())
    fake_graph.templates = [dict(TEMPLATE)]
    fake_graph.stall_sends = 0.01
    campaign_id = _seed(rt)
    sender.queue(rt, campaign_id)
    env = worker_env(config)
    worker = _start(worker_command(), env)
    try:
        assert until(lambda: sum(_sends(fake_graph).values()) >= 40, 60), "the campaign never started"
    finally:
        _kill(worker)
    before = sum(_sends(fake_graph).values())
    assert before < RECIPIENTS  # killed mid-campaign
    worker, clock = _start(worker_command(), env), _start(clock_command(), env)
    try:
        assert until(lambda: _state(rt, campaign_id) == "done", 150), \
            f"not resumed: {sum(_sends(fake_graph).values())} sent"
    finally:
        _kill(worker, clock)
    sends = _sends(fake_graph)
    assert max(sends.values()) == 1  # nobody twice
    with rt.db.session() as s:
        rows = {r.phone: r.state for r in s.scalars(select(CampaignRecipient))}
    assert Counter(rows.values())["unknown"] <= 1  # the one the kill interrupted, if any
    assert {p for p, state in rows.items() if state == "sent"} <= set(sends)
    assert len(sends) >= RECIPIENTS - 1 and set(rows.values()) <= {"sent", "unknown"}


def _state(rt, campaign_id: int) -> str:
    with rt.db.session() as s:
        return str(s.scalars(select(Campaign.state).where(Campaign.id == campaign_id)).one())
