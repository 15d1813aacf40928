"""The listeners that work a conversation (issue 22, points 1 and 6): the root's buttons, the snooze modal and
members' reactions, each called directly as Bolt calls it, with requests shaped as Slack sends them, the real
runtime and worker, and the Slack and Meta fakes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.events.conversation import (
    SNOOZE_MODAL,
    assign_selected,
    claim_clicked,
    reopen_clicked,
    resolve_clicked,
    snooze_selected,
    snooze_submitted,
)
from bot.events.reactions import reaction_added, reaction_removed
from metaops import defaults
from metaops import inbox_messages as texts
from metaops.conversation import state_root
from store import conversations, customer_posts
from store.timestamps import utcnow
from tests.bot.bolt import Recorder, call
from tests.helpers import PHONE_ID, connect_whatsapp, post_webhook, run_worker, slack_fixture, wa_message, wa_payload

CHANNEL = "C_CONNECT"


@pytest.fixture
def root(client, rt, fake_slack, fake_graph) -> str:
    """A WhatsApp customer's thread in #C_CONNECT, its root showing the conversation open; Meta holds the message."""
    connect_whatsapp(rt, channel=CHANNEL, token=fake_graph.issue_token())
    fake_graph.inbound.add("wamid.IN1")
    post_webhook(client, wa_payload([wa_message("wamid.IN1", "15551234567", "Hi, is it in stock?")]))
    run_worker(rt)
    [first] = [m for m in fake_slack.messages if not m.get("thread_ts")]
    return str(first["ts"])


def blocks_of(fake_slack: Any, ts: str) -> list[dict[str, Any]]:
    [m] = [m for m in fake_slack.messages if m["ts"] == ts]
    return json.loads(m["blocks"]) if isinstance(m.get("blocks"), str) else m.get("blocks") or []


def state_line(fake_slack: Any, ts: str) -> str:
    [line] = [b for b in blocks_of(fake_slack, ts) if b.get("block_id") == "conversation_state"]
    return str(line["elements"][0]["text"])


def buttons(fake_slack: Any, ts: str) -> list[str]:
    [row] = [b for b in blocks_of(fake_slack, ts) if b.get("block_id") == "conversation_actions"]
    return [e["action_id"] for e in row["elements"]]


def press(listener: Any, context: Any, web_client: Any, root: str, action_id: str, user: str = "U_MEMBER",
          user_team: str = "T1", value: str | None = None, **action: Any) -> Recorder:
    ack = Recorder()
    body = slack_fixture("actions/message_button.json", user={"id": user, "team_id": user_team},
                         container={"message_ts": root, "channel_id": CHANNEL}, message={"ts": root},
                         action={"action_id": action_id, "value": root if value is None else value, **action})
    call(listener, ack=ack, body=body, client=web_client, context=context)
    assert ack.once == {}
    return ack


def state_of(rt: Any, root: str) -> conversations.State:
    found = conversations.get(rt.db.engine, CHANNEL, root)
    assert found is not None
    return found


def test_the_root_shows_the_open_state_and_its_buttons(rt, root, fake_slack):
    line = state_line(fake_slack, root)
    assert line.startswith(texts.STATE_OPEN) and "Opened" in line
    assert buttons(fake_slack, root) == [state_root.CLAIM_ACTION, state_root.ASSIGN_ACTION, state_root.RESOLVE_ACTION,
                                         state_root.SNOOZE_ACTION]
    assert "Hi, is it in stock?" in json.dumps(blocks_of(fake_slack, root))  # the customer's message is kept


def test_claim_clicked_claims_it_and_tells_a_second_member_who_holds_it(rt, root, context, web_client, fake_slack):
    press(claim_clicked, context, web_client, root, state_root.CLAIM_ACTION)
    run_worker(rt)
    assert state_of(rt, root).owner == "U_MEMBER"
    line = state_line(fake_slack, root)
    assert line.startswith(texts.STATE_CLAIMED.format(owner="U_MEMBER"))
    assert "Claimed by <@U_MEMBER> <!date^" in line  # who changed it, and when
    press(claim_clicked, context, web_client, root, state_root.CLAIM_ACTION, user="U_ADMIN")
    [told] = fake_slack.ephemerals
    assert told["user"] == "U_ADMIN" and told["text"] == texts.ALREADY_CLAIMED.format(owner="U_MEMBER")
    assert state_of(rt, root).owner == "U_MEMBER"


def test_claim_clicked_refuses_a_forged_value_an_unknown_thread_and_a_guest(rt, root, context, web_client,
                                                                           fake_slack):
    press(claim_clicked, context, web_client, root, state_root.CLAIM_ACTION, value="1700000000.999999")
    press(claim_clicked, context, web_client, "1699999999.000001", state_root.CLAIM_ACTION)  # no such thread
    press(claim_clicked, context, web_client, root, state_root.CLAIM_ACTION, user="U_GUEST", user_team="T_OTHER")
    assert [e["text"] for e in fake_slack.ephemerals] == [texts.NOT_A_CONVERSATION, texts.NOT_A_CONVERSATION,
                                                          texts.GUEST_REFUSED]
    assert state_of(rt, root).owner is None


def test_assign_selected_is_for_admins_unless_members_pick_themselves(rt, root, context, web_client, fake_slack):
    press(assign_selected, context, web_client, root, state_root.ASSIGN_ACTION, value="", selected_user="U_OWNER")
    assert fake_slack.ephemerals[-1]["text"] == texts.ASSIGN_ADMINS and state_of(rt, root).owner is None
    press(assign_selected, context, web_client, root, state_root.ASSIGN_ACTION, value="", selected_user="U_MEMBER")
    assert state_of(rt, root).owner == "U_MEMBER"
    press(assign_selected, context, web_client, root, state_root.ASSIGN_ACTION, user="U_ADMIN", value="",
          selected_user="U_OWNER")
    run_worker(rt)
    line = state_line(fake_slack, root)
    assert "Claimed by <@U_OWNER>" in line and "Assigned by <@U_ADMIN>" in line
    press(assign_selected, context, web_client, root, state_root.ASSIGN_ACTION, user="U_ADMIN", value="")
    assert fake_slack.ephemerals[-1]["text"] == texts.NOT_A_CONVERSATION  # no one picked


def test_resolve_clicked_resolves_once_and_counts_the_time(rt, root, context, web_client, fake_slack):
    press(resolve_clicked, context, web_client, root, state_root.RESOLVE_ACTION)
    run_worker(rt)
    assert state_of(rt, root).status == "resolved"
    assert state_line(fake_slack, root).startswith(texts.STATE_RESOLVED)
    assert buttons(fake_slack, root) == [state_root.REOPEN_ACTION]
    press(resolve_clicked, context, web_client, root, state_root.RESOLVE_ACTION)
    assert fake_slack.ephemerals[-1]["text"] == texts.NOTHING_TO_DO.format(status="resolved")
    assert int(rt.redis.hget("metaops:metrics", "time_to_resolve_seconds_count")) == 1
    assert [k for k, _, _ in conversations.timings(rt.db.engine, "T1", utcnow() - timedelta(days=1))] == ["resolve"]


def test_reopen_clicked_opens_a_resolved_conversation_again(rt, root, context, web_client, fake_slack):
    press(reopen_clicked, context, web_client, root, state_root.REOPEN_ACTION)
    assert fake_slack.ephemerals[-1]["text"] == texts.NOTHING_TO_DO.format(status="open")
    press(resolve_clicked, context, web_client, root, state_root.RESOLVE_ACTION)
    press(reopen_clicked, context, web_client, root, state_root.REOPEN_ACTION, user="U_ADMIN")
    run_worker(rt)
    assert state_of(rt, root).status == "open"
    assert "Reopened by <@U_ADMIN>" in state_line(fake_slack, root)
    press(reopen_clicked, context, web_client, root, state_root.REOPEN_ACTION, user="U_GUEST", user_team="T_OTHER")
    assert fake_slack.ephemerals[-1]["text"] == texts.GUEST_REFUSED


def snooze(context: Any, web_client: Any, root: str, choice: str, user: str = "U_MEMBER") -> None:
    press(snooze_selected, context, web_client, root, state_root.SNOOZE_ACTION, user=user, value="",
          selected_option={"value": choice, "text": {"type": "plain_text", "text": choice}})


def test_snooze_selected_snoozes_for_an_hour_or_until_tomorrow_morning_or_asks(rt, root, context, web_client,
                                                                               fake_slack):
    snooze(context, web_client, root, "hour")
    run_worker(rt)
    left = state_of(rt, root).snoozed_until - utcnow()
    assert timedelta(minutes=59) < left <= timedelta(hours=1)
    assert state_line(fake_slack, root).startswith(":zzz: *Snoozed until <!date^")
    fake_slack.users["U_MEMBER"]["tz"] = "America/New_York"
    snooze(context, web_client, root, "tomorrow")
    until = state_of(rt, root).snoozed_until.replace(tzinfo=UTC).astimezone(ZoneInfo("America/New_York"))
    today = datetime.now(UTC).astimezone(ZoneInfo("America/New_York")).date()
    assert (until.date(), until.hour, until.minute) == (today + timedelta(days=1), 9, 0)
    snooze(context, web_client, root, "pick")
    [view] = fake_slack.views
    assert view["callback_id"] == SNOOZE_MODAL and view["blocks"][0]["element"]["type"] == "datetimepicker"
    snooze(context, web_client, root, "forever")  # a value we did not make
    assert fake_slack.ephemerals[-1]["text"] == texts.NOT_A_CONVERSATION


def submit_snooze(context: Any, web_client: Any, root: str, at: float, team: str = "T1") -> Recorder:
    ack = Recorder()
    body = slack_fixture("views/send_to_customer.json", user={"id": "U_MEMBER", "team_id": "T1"})
    body["view"] = {"id": "V9", "callback_id": SNOOZE_MODAL,
                    "private_metadata": json.dumps({"team_id": team, "channel": CHANNEL, "root": root}),
                    "state": {"values": {"until": {"value": {"type": "datetimepicker",
                                                             "selected_date_time": int(at)}}}}}
    call(snooze_submitted, ack=ack, body=body, view=body["view"], client=web_client, context=context)
    return ack


def test_snooze_submitted_checks_the_time_and_the_conversation(rt, root, context, web_client):
    now = datetime.now(UTC).timestamp()
    assert submit_snooze(context, web_client, root, now - 60).once == {
        "response_action": "errors", "errors": {"until": texts.SNOOZE_PAST}}
    far = now + (defaults.SNOOZE_MAX_DAYS + 1) * 86400
    assert submit_snooze(context, web_client, root, far).once["errors"]["until"] == texts.SNOOZE_TOO_FAR.format(
        days=defaults.SNOOZE_MAX_DAYS)
    assert submit_snooze(context, web_client, root, now + 7200, team="T2").once["errors"] == {
        "until": texts.NOT_A_CONVERSATION}  # metadata naming another workspace
    assert submit_snooze(context, web_client, "1699999999.000001", now + 7200).once["errors"] == {
        "until": texts.NOT_A_CONVERSATION}
    assert submit_snooze(context, web_client, root, now + 7200).once == {}
    assert state_of(rt, root).status == "snoozed"


def react(listener: Any, context: Any, web_client: Any, ts: str, name: str, user: str = "U_MEMBER") -> None:
    body = {"team_id": "T1", "type": "event_callback", "event": {
        "type": listener.__name__, "user": user, "reaction": name, "item_user": "UB",
        "item": {"type": "message", "channel": CHANNEL, "ts": ts}, "event_ts": "1700000900.000100"}}
    assert call(listener, event=body["event"], body=body, client=web_client, context=context) is None


def test_reaction_added_on_the_root_claims_and_resolves_and_sends_other_emoji(rt, root, context, web_client,
                                                                             fake_slack, fake_graph):
    react(reaction_added, context, web_client, root, "eyes")
    assert state_of(rt, root).owner == "U_MEMBER"
    react(reaction_added, context, web_client, root, "thumbsup::skin-tone-2")
    run_worker(rt)
    [sent] = fake_graph.sent
    assert sent == {"from": PHONE_ID, "to": "15551234567", "kind": "whatsapp", "type": "reaction",
                    "message_id": "wamid.IN1", "emoji": "👍🏻"}
    react(reaction_added, context, web_client, root, "white_check_mark")
    assert state_of(rt, root).status == "resolved"
    assert len(fake_graph.sent) == 1  # the shortcuts are never sent to the customer
    fake_slack.users["U_GUEST"] = {"name": "gus", "team_id": "T_OTHER"}
    react(reaction_added, context, web_client, root, "heart", user="U_GUEST")
    react(reaction_added, context, web_client, "1699999999.000001", "heart")  # not a customer's message
    run_worker(rt)
    assert len(fake_graph.sent) == 1
    react(reaction_added, context, web_client, root, "party-parrot")  # a custom Slack emoji
    run_worker(rt)
    assert fake_slack.ephemerals[-1]["text"] == texts.REACTION_NOT_SENT.format(name="party-parrot",
                                                                               reason=texts.REACTION_NO_EMOJI)


def test_reaction_removed_takes_the_reaction_off_at_meta(rt, root, context, web_client, fake_graph):
    react(reaction_added, context, web_client, root, "heart")
    react(reaction_removed, context, web_client, root, "tada")  # not the one shown: nothing to take off
    react(reaction_removed, context, web_client, root, "heart")
    run_worker(rt)
    assert [s["emoji"] for s in fake_graph.sent] == ["❤️", ""]
    assert customer_posts.find(rt.db.engine, "T1", CHANNEL, root).reaction is None


def test_a_reaction_meta_refuses_is_told_to_the_member(rt, root, context, web_client, fake_slack, fake_graph):
    fake_graph.inbound.clear()  # Meta no longer holds the message (deleted, or more than 30 days old)
    react(reaction_added, context, web_client, root, "heart")
    run_worker(rt)
    assert fake_graph.sent == []
    [told] = fake_slack.ephemerals
    assert told["user"] == "U_MEMBER" and "131009" in told["text"] and told["thread_ts"] == root
    assert customer_posts.find(rt.db.engine, "T1", CHANNEL, root).reaction is None
