"""Conversations Meta's AI agent holds: each payload file (built from Meta's documented examples) posted, delivered
by the real worker into the customer's thread, the agent's replies shown as the agent's, the root saying who holds
the conversation; Take over and Give back move it at the Graph fake, which refuses what Meta refuses."""

from __future__ import annotations

from typing import Any

from metaops import messages
from metaops.conversation import holder
from tests.helpers import connect_page, connect_whatsapp, fixture, post_webhook, run_worker

JANE_PHONE, JANE_BSUID = "15551234567", "US.5550001112223334445"


def root_buttons(fake_slack: Any) -> tuple[str, dict[str, Any]]:
    """The holder line and its button on the latest version of the root."""
    edit = fake_slack.edits[-1]
    line = next(b for b in edit["blocks"] if b.get("block_id") == holder.LINE)
    [button] = next(b for b in edit["blocks"] if b.get("block_id") == holder.BUTTONS)["elements"]
    return line["elements"][0]["text"], button


def whatsapp_held(client: Any, rt: Any, fake_slack: Any, fake_graph: Any) -> str:
    """Jane wrote while the agent holds the conversation, and the agent answered: the root's ts."""
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    fake_graph.holders[JANE_PHONE] = "agent"
    post_webhook(client, fixture("whatsapp/standby_message.json"))
    post_webhook(client, fixture("whatsapp/standby_echo.json"))
    run_worker(rt)
    return str(fake_slack.messages[0]["ts"])


def test_whatsapp_standby_message_and_echo_land_in_the_thread_marked_as_the_agents(client, rt, fake_slack,
                                                                                    fake_graph):
    root = whatsapp_held(client, rt, fake_slack, fake_graph)
    first, second = fake_slack.messages
    assert "Jane Doe" in first["text"] and "Do you ship to Lisbon?" in first["text"]
    assert messages.AGENT_HELD in str(first["blocks"])
    assert second["thread_ts"] == root and "Meta's AI agent* replied: Yes, we ship to Portugal" in second["text"]
    assert "Jane Doe" not in second["text"]  # the agent's words, not the customer's
    line, button = root_buttons(fake_slack)
    assert "Meta's AI agent holds" in line and button["action_id"] == holder.TAKE_OVER
    assert not fake_graph.sent  # nothing answered on the agent's behalf


def test_whatsapp_handover_to_the_team_is_said_and_shown_at_the_root(client, rt, fake_slack, fake_graph):
    root = whatsapp_held(client, rt, fake_slack, fake_graph)
    post_webhook(client, fixture("whatsapp/messaging_handovers_passed.json"))
    run_worker(rt)
    said = fake_slack.messages[-1]
    assert said["thread_ts"] == root and said["text"] == messages.AGENT_PASSED
    line, button = root_buttons(fake_slack)
    assert "The team holds" in line and button["action_id"] == holder.GIVE_BACK


def page_held(client: Any, rt: Any, fake_graph: Any) -> None:
    """PSID777 wrote to PAGE1 while the agent holds the conversation, and the agent answered."""
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    connect_page(rt, fake_graph.issue_token("page", expires_in=0))
    fake_graph.holders["PSID777"] = "agent"
    for name in ("page/standby_message.json", "page/standby_echo.json"):
        post_webhook(client, fixture(name))
    run_worker(rt)


def test_messenger_standby_and_handovers(client, rt, fake_slack, fake_graph):
    page_held(client, rt, fake_graph)
    customer, agent = fake_slack.messages
    assert agent["thread_ts"] == customer["ts"]
    assert "Is the jacket waterproof?" in customer["text"] and messages.AGENT_HELD in str(customer["blocks"])
    assert agent["text"] == messages.AGENT_ECHO.format(body="Yes, fully waterproof.")
    assert root_buttons(fake_slack)[1]["action_id"] == holder.TAKE_OVER
    post_webhook(client, fixture("page/handover_pass.json"))
    run_worker(rt)
    assert fake_slack.messages[-1]["text"] == messages.AGENT_PASSED
    assert root_buttons(fake_slack)[1]["action_id"] == holder.GIVE_BACK
    post_webhook(client, fixture("page/handover_take.json"))
    run_worker(rt)
    assert fake_slack.messages[-1]["text"] == messages.AGENT_TOOK
    assert root_buttons(fake_slack)[1]["action_id"] == holder.TAKE_OVER


def test_a_page_connected_is_subscribed_to_standby_and_handovers(rt, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    connect_page(rt, fake_graph.issue_token("page", expires_in=0))
    from metaops.assets import pages

    assert {"standby", "messaging_handovers"} <= set(pages.DEFAULT_PAGE_FIELDS)
