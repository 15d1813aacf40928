"""A workspace that removes the app or revokes its bot token (issue 20, point 5): its Slack installation, Meta
connection and assets go (another workspace may then connect the assets), its replies waiting to be sent are
refused and never sent, and the events parked on its channels are let go; the other workspace keeps everything
(two workspaces in multi-workspace mode, signed Slack events from tests/fixtures/slack/events/)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from metaops.delivery import holds
from store import outbox, workspaces
from store.models import MetaConnection, ReplyOutbox, WhatsAppAccount
from tests.bot.test_security import T2_PHONE, T2_WABA, two  # noqa: F401 - the two-workspace fixture
from tests.constants import WABA
from tests.helpers import connect_whatsapp, post_event, run_worker, slack_fixture


def until(done: Callable[[], bool]) -> None:
    """Bolt runs event listeners after the ack: wait for the listener's work."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not done():
        time.sleep(0.02)
    assert done()


def outbox_states(rt: Any) -> dict[str, tuple[str, str | None]]:
    with rt.db.session() as s:
        return {r.team_id: (r.state, r.last_error) for r in s.scalars(select(ReplyOutbox))}


def seed(rt: Any) -> None:
    """A reply waiting to be sent and an event parked on a channel, in each workspace."""
    for team, channel in (("T1", "C_T1"), ("T2", "C_T2")):
        outbox.add(rt.db.engine, team, channel, "1700000100.000100", "1700000100.000200", "U_X", "on its way",
                   rt.now())
        holds.park(rt.redis, rt.queue, team, channel, 41 if team == "T1" else 42, 600)


@pytest.mark.parametrize("fixture", ["events/app_uninstalled.json", "events/tokens_revoked.json"])
def test_a_workspace_that_removes_the_app_leaves_nothing_behind(two, fake_slack, fake_graph, fixture,  # noqa: F811
                                                                caplog):
    _, rt, client, _ = two
    seed(rt)
    caplog.set_level(logging.INFO)
    store = rt.slack.installations
    assert store.find_installation(enterprise_id=None, team_id="T2") is not None

    assert post_event(client, slack_fixture(fixture, team_id="T2", context_team_id="T2")).status_code == 200
    until(lambda: store.find_installation(enterprise_id=None, team_id="T2") is None)
    until(lambda: outbox_states(rt)["T2"][0] == "refused")

    assert outbox_states(rt) == {"T1": ("pending", None),
                                 "T2": ("refused", "the app was removed from this workspace, so the reply was not "
                                                   "sent")}
    with rt.db.session() as s:
        assert workspaces.connection_of(s, "T2") is None and workspaces.held_by(s, "T2") == []
        assert workspaces.holder_of(s, "whatsapp", T2_WABA) is None
        assert workspaces.connection_of(s, "T1") is not None  # the other workspace keeps everything
        assert {h.id for h in workspaces.held_by(s, "T1")} == {WABA, "PAGE1", "IG1"}
    assert store.find_installation(enterprise_id=None, team_id="T1") is not None
    until(lambda: holds.parked_among(rt.redis, [41, 42]) == {41})  # let go after the outbox, in the same job
    assert holds.is_held(rt.redis, "T2", "C_T2") == 0 and holds.is_held(rt.redis, "T1", "C_T1") > 0
    said = " ".join(r.getMessage() for r in caplog.records if r.name == "metaops.uninstall")
    assert "team T2" in said and "1 pending repl(ies) refused" in said and "1 parked event(s)" in said
    assert "EAA" not in said and "xox" not in said  # no token in the operator's log

    # the pending reply is never sent, and the WhatsApp account may be connected by another workspace
    run_worker(rt)
    assert fake_graph.sent == []
    connect_whatsapp(rt, team="T3", channel="C_T3", waba=T2_WABA, phone_id=T2_PHONE, token=fake_graph.issue_token())
    assert workspaces.owner_of(rt.db.engine, T2_WABA) == "T3"
    with rt.db.session() as s:
        assert s.get(WhatsAppAccount, T2_WABA).team_id == "T3"
        assert s.scalars(select(MetaConnection.team_id).order_by(MetaConnection.team_id)).all() == ["T1", "T3"]


def test_a_revoked_user_token_alone_changes_nothing(two, fake_slack, fake_graph):  # noqa: F811
    _, rt, client, _ = two
    body = slack_fixture("events/tokens_revoked.json", team_id="T2", event={"tokens": {"oauth": ["U_X"], "bot": []}})
    assert post_event(client, body).status_code == 200
    time.sleep(0.3)  # the listener ran (Bolt runs it after the ack)
    assert rt.slack.installations.find_installation(enterprise_id=None, team_id="T2") is not None
    with rt.db.session() as s:
        assert workspaces.connection_of(s, "T2") is not None
