"""Unknown outcome is not failure (issue 11, point 5): a reply Meta accepts and then does not answer for past the
read timeout is sent once, marked "unknown", said in its thread with a "Send again" button, and not retried by
RQ; pressing the button sends it once more, however often it is pressed (signed Slack requests, a real Redis,
the real worker, the Graph fake that stalls after accepting)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from rq.registry import FailedJobRegistry, ScheduledJobRegistry
from sqlalchemy import select

from metaops import messages, permissions
from metaops.conversation import replies
from store.models import OutboundMessage, ReplyOutbox
from tests.helpers import customer_thread, interact, run_worker, slack_event

# Both databases: the outbox's `unknown` state left by a conditional UPDATE: Send again sends once however often it is
# pressed.
pytestmark = pytest.mark.both_databases

SLACK_TS = "1700000100.000200"


def reply(client: Any, root: str, text: str = "your order shipped") -> None:
    assert slack_event(client, {"type": "message", "channel": "C_CONNECT", "user": "U_MEMBER", "text": text,
                                "ts": SLACK_TS, "thread_ts": root, "team": "T1"}).status_code == 200


def press(client: Any, button: dict[str, Any], user: str, team: str = "T1", root: str = "",
          home: str | None = None) -> Any:
    """`home`: the presser's own workspace (`user.team_id`), when it is not `team` (a Slack Connect guest)."""
    return interact(client, {
        "type": "block_actions", "team": {"id": team}, "user": {"id": user, "team_id": home or team},
        "api_app_id": "A1",
        "trigger_id": "1.2", "channel": {"id": "C_CONNECT"}, "container": {"type": "message"},
        "message": {"ts": "1700000200.000100", "thread_ts": root},
        "actions": [{"action_id": button["action_id"], "value": button["value"], "type": "button",
                     "block_id": "b", "action_ts": "1"}]})


def sending_again_said(fake_slack: Any, count: int = 1) -> None:
    """Bolt runs action listeners after the ack: wait for the listener's note (posted once the job is queued)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and sum("Send again" in m["text"] for m in fake_slack.messages) < count:
        time.sleep(0.02)
    assert sum("Send again" in m["text"] for m in fake_slack.messages) == count


def row(rt: Any) -> ReplyOutbox:
    with rt.db.session() as s:
        [only] = s.scalars(select(ReplyOutbox))
        return only


def stalled_send(client: Any, rt: Any, fake_slack: Any, fake_graph: Any) -> tuple[str, dict[str, Any]]:
    """A reply whose send Meta accepted and then did not answer within the read timeout: (root, its button)."""
    root = customer_thread(client, rt, fake_slack, fake_graph)
    rt.graph.timeout = (5, 0.2)  # read timeout short for the test; the fake answers after 1 s
    fake_graph.stall_sends = 1.0
    reply(client, root)
    run_worker(rt)
    fake_graph.stall_sends = 0.0
    [note] = [m for m in fake_slack.messages if m.get("thread_ts") == root]
    [button] = [e for b in note["blocks"] if b["type"] == "actions" for e in b["elements"]]
    return root, button


def test_a_send_meta_accepted_but_did_not_answer_is_unknown_not_retried(client, rt, fake_slack, fake_graph):
    root, button = stalled_send(client, rt, fake_slack, fake_graph)
    assert [s["body"] for s in fake_graph.sent] == ["your order shipped"]  # exactly one send reached Meta
    sends = [c for c in fake_graph.calls if c.path.endswith("/messages") and c.method == "POST"
             and c.params.get("status") != "read"]  # the read and typing call aside
    assert len(sends) == 1  # the client did not retry the POST
    r = row(rt)
    assert r.state == "unknown" and "ReadTimeout" in (r.last_error or "") and r.sent_at is None
    assert rt.queue.count == 0 and ScheduledJobRegistry(queue=rt.queue).count == 0
    assert FailedJobRegistry(queue=rt.queue).count == 0  # the job ended: RQ has nothing to retry
    [note] = [m for m in fake_slack.messages if m.get("thread_ts") == root]
    assert "not known whether" in note["text"] and "WhatsApp" in note["text"]
    assert button["action_id"] == replies.SEND_AGAIN_ACTION and button["value"] == str(r.id)
    assert [x["name"] for x in fake_slack.reactions] == ["grey_question"]
    with rt.db.session() as s:
        assert s.scalars(select(OutboundMessage)).all() == []  # no message id from Meta: nothing to track
    run_worker(rt)  # a later worker run (the sweep's pending rows) leaves it alone
    assert len(fake_graph.sent) == 1


def test_send_again_sends_once_however_often_it_is_pressed(client, rt, fake_slack, fake_graph):
    root, button = stalled_send(client, rt, fake_slack, fake_graph)
    fake_slack.reset()
    assert press(client, button, "U_MEMBER", root=root).status_code == 200  # the author
    assert press(client, button, "U_MEMBER", root=root).status_code == 200  # a double click
    again = fake_slack.wait_for_ephemeral(1)
    sending_again_said(fake_slack)
    assert "not waiting" in again["text"] and "pending" in again["text"]
    run_worker(rt)
    assert [s["body"] for s in fake_graph.sent] == ["your order shipped"] * 2  # the first send and one more
    r = row(rt)
    assert r.state == "sent" and r.sent_at is not None
    assert any("Send again" in m["text"] and "U_MEMBER" in m["text"] for m in fake_slack.messages)
    assert len(fake_slack.ephemerals) == 1  # the first press was not refused
    assert "white_check_mark" in [x["name"] for x in fake_slack.reactions]
    press(client, button, "U_ADMIN", root=root)  # pressed after it was sent: nothing more
    assert "it is sent" in fake_slack.wait_for_ephemeral(2)["text"]
    run_worker(rt)
    assert len(fake_graph.sent) == 2


def test_send_again_is_for_the_author_or_an_admin_of_the_same_workspace(client, rt, fake_slack, fake_graph):
    root, button = stalled_send(client, rt, fake_slack, fake_graph)
    fake_slack.users["U_OTHER"] = {"name": "olly", "is_admin": False}
    press(client, button, "U_OTHER", root=root)  # neither the author nor an admin
    assert "Only the person" in fake_slack.wait_for_ephemeral(1)["text"]
    press(client, button, "U_ADMIN", team="T2", root=root)  # another workspace's request: reaches nothing
    assert "cannot be sent again" in fake_slack.wait_for_ephemeral(2)["text"]
    press(client, {**button, "value": "not-a-number"}, "U_ADMIN", root=root)  # a forged value
    assert "cannot be sent again" in fake_slack.wait_for_ephemeral(3)["text"]
    run_worker(rt)
    assert len(fake_graph.sent) == 1 and row(rt).state == "unknown"
    fake_slack.reset()
    press(client, button, "U_ADMIN", root=root)  # an admin may
    sending_again_said(fake_slack)
    run_worker(rt)
    assert len(fake_graph.sent) == 2 and row(rt).state == "sent"


def test_send_again_refuses_a_slack_connect_guest(client, rt, fake_slack, fake_graph):
    root, button = stalled_send(client, rt, fake_slack, fake_graph)
    permissions.set_admin(rt, "T1", "U_GUEST", True, "U_ADMIN")  # named an admin, yet a guest of another org
    press(client, button, "U_GUEST", root=root, home="T_OTHER")
    assert fake_slack.wait_for_ephemeral(1)["text"] == messages.BUTTON_GUEST
    run_worker(rt)
    assert len(fake_graph.sent) == 1 and row(rt).state == "unknown"  # not sent again
