"""Take over and Give back (bot/events/handover.py), each called as Bolt calls it on a thread Meta's AI agent holds:
the conversation moves at the Graph fake, which refuses what Meta refuses, and the member who pressed is told why
when it does not."""

from __future__ import annotations

from typing import Any

from bot.events.handover import give_back_clicked, take_over_clicked
from metaops import messages
from metaops.conversation import holder
from tests.bot.bolt import Recorder, call
from tests.helpers import slack_fixture
from tests.scenarios.test_agent_conversations import JANE_PHONE, page_held, root_buttons, whatsapp_held


def press(rt: Any, client_fixture: Any, listener: Any, button: dict[str, Any], user: dict[str, Any] | None = None
          ) -> None:
    web_client, context = client_fixture
    body = slack_fixture("actions/message_button.json", user=user or {"id": "U_MEMBER", "team_id": "T1"},
                         action={"action_id": button["action_id"], "value": button["value"]})
    call(listener, ack=Recorder(), body=body, client=web_client, context=context)


def test_take_over_clicked_then_give_back_clicked_on_whatsapp(
        client, rt, fake_slack, fake_graph, web_client, context):
    root = whatsapp_held(client, rt, fake_slack, fake_graph)
    _, take = root_buttons(fake_slack)
    press(rt, (web_client, context), take_over_clicked, take)
    [control] = [c.params for c in fake_graph.calls if c.path.endswith("/thread_control")]
    assert control["action"] == "take" and control["to"] == JANE_PHONE and fake_graph.holders[JANE_PHONE] == "app"
    assert fake_slack.messages[-1]["text"] == messages.TOOK_OVER.format(user="U_MEMBER")
    assert fake_slack.messages[-1]["thread_ts"] == root
    line, give = root_buttons(fake_slack)
    assert "<@U_MEMBER> took over" in line
    press(rt, (web_client, context), give_back_clicked, give)
    assert fake_graph.holders[JANE_PHONE] == "agent"
    assert fake_slack.messages[-1]["text"] == messages.GAVE_BACK.format(user="U_MEMBER")
    assert root_buttons(fake_slack)[1]["action_id"] == holder.TAKE_OVER


def test_give_back_clicked_when_the_team_does_not_hold_it_is_refused(
        client, rt, fake_slack, fake_graph, web_client, context):
    whatsapp_held(client, rt, fake_slack, fake_graph)
    give = {**root_buttons(fake_slack)[1], "action_id": holder.GIVE_BACK}
    press(rt, (web_client, context), give_back_clicked, give)  # the agent holds it: Meta refuses, the member is told
    assert "does not hold thread control" in fake_slack.ephemerals[-1]["text"]
    assert fake_graph.holders[JANE_PHONE] == "agent"


def test_take_over_clicked_is_refused_by_meta_when_the_app_is_not_the_escalation_partner(
        client, rt, fake_slack, fake_graph, web_client, context):
    whatsapp_held(client, rt, fake_slack, fake_graph)
    fake_graph.escalation_partner = False
    posts = len(fake_slack.messages)
    press(rt, (web_client, context), take_over_clicked, root_buttons(fake_slack)[1])
    assert "escalation partner" in fake_slack.ephemerals[-1]["text"] and fake_graph.holders[JANE_PHONE] == "agent"
    assert len(fake_slack.messages) == posts


def test_take_over_clicked_by_a_slack_connect_guest_or_with_a_forged_value_moves_nothing(
        client, rt, fake_slack, fake_graph, web_client, context):
    whatsapp_held(client, rt, fake_slack, fake_graph)
    _, take = root_buttons(fake_slack)
    press(rt, (web_client, context), take_over_clicked, take, user={"id": "U_GUEST", "team_id": "T_OTHER"})
    assert fake_slack.ephemerals[-1]["text"] == messages.BUTTON_GUEST
    press(rt, (web_client, context), take_over_clicked, {**take, "value": '{"channel":"C_X","thread_ts":"1.2"}'})
    assert fake_slack.ephemerals[-1]["text"] == messages.HOLDER_NO_THREAD
    assert not [c for c in fake_graph.calls if "thread_control" in c.path]


def test_take_over_clicked_on_messenger_is_refused_to_a_secondary_receiver(
        client, rt, fake_slack, fake_graph, web_client, context):
    page_held(client, rt, fake_graph)
    fake_graph.page_role = "secondary"
    _, take = root_buttons(fake_slack)
    press(rt, (web_client, context), take_over_clicked, take)
    assert "Primary Receiver" in fake_slack.ephemerals[-1]["text"]
    fake_graph.page_role = "primary"
    press(rt, (web_client, context), take_over_clicked, take)
    [_, taken] = [c for c in fake_graph.calls if c.path.endswith("take_thread_control")]
    assert taken.params["recipient"] == {"id": "PSID777"} and fake_graph.holders["PSID777"] == "app"
    assert root_buttons(fake_slack)[1]["action_id"] == holder.GIVE_BACK
