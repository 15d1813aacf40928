"""The daily Graph API version check (issue 21, part D): the default version is one Meta serves for a year or more;
60 days before Meta's published end of the version in use the operator is warned in the log every day and once in
the alerts channel; a version Meta has not dated yet, or one far from its end, says nothing."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest

from integrations.meta import versions
from metaops import defaults, jobs
from metaops.assets import graph_version
from metaops.clock import SCHEDULE
from tests.helpers import connect_whatsapp


@pytest.fixture
def on(rt, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())

    def at(version: str, day: date):
        rt.settings = rt.settings.with_overrides(META_GRAPH_VERSION=version)
        rt.now = lambda: datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        return rt
    return at


def test_the_default_version_is_served_for_a_year_or_more():
    _, end = versions.VERSIONS[defaults.META_GRAPH_VERSION]
    assert end is None or (end - versions.CHECKED).days >= 365  # None: Meta has not dated it, at least 2 years
    assert "metaops.jobs.check_graph_version" in SCHEDULE and SCHEDULE["metaops.jobs.check_graph_version"] == 86400


def test_sixty_days_before_the_end_the_alerts_channel_is_told_once(on, fake_slack, caplog):
    rt = on("v21.0", date(2026, 11, 22))  # Meta ends v21.0 on 2027-01-21: 60 days left
    with caplog.at_level(logging.WARNING):
        assert graph_version.check(rt) == 1
        assert graph_version.check(rt) == 0  # the next day's check: logged again, not posted again
    [note] = fake_slack.messages
    assert note["channel"] == "C_CONNECT"
    assert "*v21.0*" in note["text"] and "2027-01-21 (60 day(s) left)" in note["text"]
    assert "META_GRAPH_VERSION" in note["text"] and "v27.0" in note["text"]
    assert len([r for r in caplog.records if "Graph API v21.0 ends on 2027-01-21" in r.getMessage()]) == 2


def test_a_version_already_past_its_end_is_said_so(on, fake_slack):
    assert graph_version.check(on("v20.0", date(2026, 12, 1))) == 1
    assert "already past" in fake_slack.messages[0]["text"]


@pytest.mark.parametrize("version, day", [
    ("v21.0", date(2026, 11, 21)),  # 61 days left
    ("v26.0", date(2026, 12, 14)),  # Meta has not dated its end yet
    ("v25.0", date(2026, 12, 14)),
])
def test_nothing_is_said_far_from_the_end_or_without_one(on, fake_slack, version, day):
    assert graph_version.check(on(version, day)) == 0
    assert fake_slack.messages == []


def test_a_version_not_in_the_table_is_logged(on, fake_slack, caplog):
    with caplog.at_level(logging.WARNING):
        assert graph_version.check(on("v99.0", date(2026, 12, 14))) == 0
    assert "v99.0 is not in integrations/meta/versions.py" in caplog.text and fake_slack.messages == []


def test_the_job_runs_the_check(on, fake_slack, monkeypatch):
    rt = on("v21.0", date(2026, 12, 1))
    monkeypatch.setattr("metaops.delivery.periodic.current", lambda: rt)
    assert jobs.check_graph_version() == 1
