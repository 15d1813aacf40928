"""The Home tab: published on app_home_opened and after changes; admins get the action buttons."""

from __future__ import annotations

import json
import time
from typing import Any

from integrations.slack import limits
from integrations.slack.blocks import section
from metaops import inbox_messages as texts
from metaops import messages
from metaops.conversation import unanswered
from metaops.surfaces import home
from store.models import MetaConnection, PhoneNumber
from tests.constants import PHONE_ID, WABA
from tests.helpers import (
    connect_whatsapp,
    interact,
    post_webhook,
    run_worker,
    slack_event,
    slash_command,
    until_delivered,
    wa_message,
    wa_payload,
)


def open_home(client: Any, fake_slack: Any, user: str, n: int = 1) -> dict[str, Any]:
    slack_event(client, {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"},
                event_id=f"EvHome{user}{n}")
    published = fake_slack.wait_for_publish(n)
    assert published["user_id"] == user
    return published["view"]


def text_of(view: dict[str, Any]) -> str:
    return limits.text_of(view["blocks"])


def without_inbox(view: dict[str, Any]) -> dict[str, Any]:
    """The view without its Inbox (the conversations' queues, tested in tests/scenarios/test_inbox.py)."""
    blocks, skipping = [], False
    for b in view["blocks"]:
        if b["type"] == "header":
            skipping = b["text"]["text"] == texts.HOME_INBOX
        if not skipping:
            blocks.append(b)
    return {**view, "blocks": blocks}


def action_ids(view: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]


def wait(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.02)
    assert predicate()


def press(client: Any, action_id: str, user: str = "U_ADMIN", team: str = "T1") -> Any:
    return interact(client, {"type": "block_actions", "team": {"id": team}, "user": {"id": user}, "api_app_id": "A1",
                             "trigger_id": "123.456", "container": {"type": "view", "view_id": "VH1"},
                             "view": {"id": "VH1", "type": "home"},
                             "actions": [{"action_id": action_id, "type": "button", "block_id": "b",
                                          "action_ts": "1700000000.1"}]})


def customers_wrote(client: Any, rt: Any, count: int) -> None:
    """`count` customers wrote one after the other (each waits a little longer than the next)."""
    for i in range(count):
        post_webhook(client, wa_payload([wa_message(f"wamid.H{i}", f"1555000{i:04d}", f"Hello {i}")]))
        until_delivered(rt)  # past Slack's burst, a root waits for the channel's pace


def test_connected_workspace_for_an_admin_and_a_member(client, rt, fake_slack, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    fake_graph.add_templates(2)
    fake_graph.add_templates(1, status="PENDING")
    fake_graph.templates.append({"id": "777", "name": "promo_blast", "language": "en_US", "category": "MARKETING",
                                 "status": "REJECTED", "rejected_reason": "INVALID_FORMAT", "components": []})
    assert "<#C_PUBLIC>" in slash_command(client, "route alerts <#C_PUBLIC|support>", user="U_ADMIN"
                                          ).get_json()["text"]
    customers_wrote(client, rt, 7)
    roots = [m for m in fake_slack.messages if m.get("channel") == "C_CONNECT" and not m.get("thread_ts")]
    assert len(roots) == 7
    # a team member answers the oldest thread from Slack: it is no longer waiting
    slack_event(client, {"type": "message", "channel": "C_CONNECT", "user": "U_MEMBER", "text": "On it!",
                         "ts": "1700000100.000001", "thread_ts": roots[0]["ts"]}, event_id="EvReply1")
    run_worker(rt)
    assert fake_graph.sent and unanswered.count(rt, "T1") == 6
    fake_slack.published.clear()

    admin = open_home(client, fake_slack, "U_ADMIN")
    text = text_of(without_inbox(admin))
    assert action_ids(admin) == [home.CONNECT_ACTION, home.WEBHOOK_ACTION, home.TEMPLATE_ACTION]
    assert "Reconnect Meta" in json.dumps(admin)
    assert "<@U1> as Test Admin" in text
    assert "`pages_manage_metadata`" in text  # asked for at connect, not granted
    # the number as Meta says now: quality, limit tier and status; the stored row follows
    assert "*+1 555-078-3881* — Acme\nQuality GREEN · limit 2,000 · CONNECTED" in text
    with rt.db.session() as s:
        assert s.get(PhoneNumber, PHONE_ID).display_number == "+1 555-078-3881"
    assert "APPROVED *2* · PENDING *1* · REJECTED *1*" in text
    assert "*promo_blast* (en_US) — INVALID_FORMAT" in text
    assert "`alerts` → <#C_PUBLIC>" in text and "`messages` → <#C_CONNECT>" in text
    assert "WhatsApp: not subscribed" in text
    assert "*6* customer thread(s) wait for an answer" in text
    links = [f"https://team.slack.test/archives/C_CONNECT/p{r['ts'].replace('.', '')}" for r in roots]
    assert links[0] not in text  # answered
    assert all(f"<{link}|a thread>" in text for link in links[1:6])  # the oldest five still waiting, in order
    assert links[6] not in text
    assert [text.index(link) for link in links[1:6]] == sorted(text.index(link) for link in links[1:6])

    member = open_home(client, fake_slack, "U_MEMBER", 2)
    assert action_ids(member) == []
    assert "*6* customer thread(s)" in text_of(member) and "APPROVED *2*" in text_of(member)


def test_numbers_are_read_from_meta_once_while_fresh(client, rt, fake_slack, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    open_home(client, fake_slack, "U_MEMBER")
    open_home(client, fake_slack, "U_MEMBER", 2)
    reads = [c for c in fake_graph.calls if c.path.endswith(f"{WABA}/phone_numbers")]
    assert len(reads) == 1
    fields = reads[0].params["fields"].split(",")
    assert "whatsapp_business_manager_messaging_limit" in fields and "messaging_limit_tier" not in fields  # deprecated


def test_a_limit_only_in_the_deprecated_field_is_still_shown(client, rt, fake_slack, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    [phone] = fake_graph.phones[WABA]
    del phone["whatsapp_business_manager_messaging_limit"]
    phone["messaging_limit_tier"] = "TIER_10K"  # as an older answer had it
    assert "limit 10,000 ·" in text_of(open_home(client, fake_slack, "U_MEMBER"))


def test_a_broken_connection_shows_what_is_stored(client, rt, fake_slack, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    with rt.db.session() as s:
        conn = s.query(MetaConnection).one()
        conn.status, conn.status_reason = "revoked", "The user changed their password"
    text = text_of(open_home(client, fake_slack, "U_ADMIN"))
    assert "*Status:* revoked — The user changed their password" in text
    assert "Quality GREEN · limit ? · ?" in text and messages.HOME_NUMBERS_UNREAD in text
    assert not [c for c in fake_graph.calls if "phone_numbers" in c.path]  # no working token: Meta not asked


def test_not_connected(client, rt, fake_slack):
    admin = open_home(client, fake_slack, "U_ADMIN")
    assert messages.HOME_NOT_CONNECTED_ADMIN in text_of(admin)
    assert action_ids(admin)[0] == home.CONNECT_ACTION and "Connect Meta" in json.dumps(admin)
    member = open_home(client, fake_slack, "U_MEMBER", 2)
    assert text_of(member).endswith(messages.HOME_NOT_CONNECTED) and action_ids(member) == []


def test_the_messages_tab_publishes_nothing(client, rt, fake_slack):
    slack_event(client, {"type": "app_home_opened", "user": "U_ADMIN", "channel": "D1", "tab": "messages"})
    open_home(client, fake_slack, "U_ADMIN")  # the next Home opening is the first publish
    assert len(fake_slack.published) == 1


def test_refreshed_after_a_route_change(client, rt, fake_slack, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    assert "`alerts` → <#C_CONNECT>" in text_of(open_home(client, fake_slack, "U_ADMIN"))
    slash_command(client, "route alerts <#C_PUBLIC|support>", user="U_ADMIN")
    run_worker(rt)
    refreshed = fake_slack.wait_for_publish(2)
    assert refreshed["user_id"] == "U_ADMIN"
    assert "`alerts` → <#C_PUBLIC>" in text_of(refreshed["view"])
    assert action_ids(refreshed["view"])  # still the admin's view


def test_refreshed_after_disconnect(client, rt, fake_slack, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    slash_command(client, "disconnect", user="U_ADMIN")
    run_worker(rt)
    assert messages.HOME_NOT_CONNECTED_ADMIN in text_of(fake_slack.wait_for_publish()["view"])


def test_many_items_stay_within_the_home_tab_limits(client, rt, fake_slack, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    numbers = [{"id": f"PN{i:03d}", "display_phone_number": f"+1 555 {i:04d}", "verified_name": "Acme " * 40,
                "quality_rating": "YELLOW", "whatsapp_business_manager_messaging_limit": "TIER_250",
                "status": "CONNECTED"}
               for i in range(150)]
    fake_graph.phones[WABA] = numbers
    with rt.db.session() as s:
        s.query(PhoneNumber).delete()
        s.add_all(PhoneNumber(id=n["id"], waba_id=WABA, display_number=n["display_phone_number"]) for n in numbers)
    fake_graph.templates += [{"id": f"T{i}", "name": f"bad_{i}", "language": "en_US", "category": "UTILITY",
                              "status": "REJECTED", "rejected_reason": "x" * 2000, "components": []} for i in range(40)]
    for i in range(60):
        rt.redis.zadd(unanswered.key("T1"), {f"C_CONNECT:1700000000.{i:06d}": 1700000000 + i})
    view = open_home(client, fake_slack, "U_ADMIN")  # the fake refuses a view over 100 blocks
    assert len(view["blocks"]) <= limits.HOME_BLOCKS
    text = text_of(view)
    assert "130 more number(s)" in text and "*60* customer thread(s)" in text
    assert text.count("|a thread>") == 5 and text.count("*bad_") == 3

    fitted = home.fit([section("line\n" * 1000)] + [section(f"item {i}") for i in range(200)])
    assert len(fitted) == limits.HOME_BLOCKS
    assert fitted[-1]["elements"][0]["text"] == messages.HOME_TRUNCATED
    assert all(len(b["text"]["text"]) <= limits.SECTION_TEXT for b in fitted if b["type"] == "section")


def test_admin_buttons_open_what_the_commands_open(client, rt, fake_slack, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    press(client, home.WEBHOOK_ACTION)
    wait(lambda: len(fake_slack.views) == 1)
    assert fake_slack.views[0]["callback_id"] == "webhook_modal"
    assert json.loads(fake_slack.views[0]["private_metadata"])["channel_id"] == "C_CONNECT"
    press(client, home.TEMPLATE_ACTION)
    wait(lambda: len(fake_slack.views) == 2)
    assert fake_slack.views[1]["callback_id"] == "template_modal"
    press(client, home.CONNECT_ACTION)
    wait(lambda: len(fake_slack.views) == 3)
    picker = fake_slack.views[2]
    assert picker["callback_id"] == "home_connect_modal"
    assert picker["blocks"][0]["element"] == {"type": "conversations_select", "action_id": "value",
                                              "initial_conversation": "C_CONNECT"}
    values = {"channel": {"value": {"type": "conversations_select", "selected_conversation": "C_PUBLIC"}}}
    r = interact(client, {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U_ADMIN"},
                          "api_app_id": "A1", "view": {**picker, "id": "V9", "state": {"values": values}}})
    answer = r.get_json()
    assert answer["response_action"] == "update"
    [button] = answer["view"]["blocks"][1]["elements"]
    assert button["action_id"] == "meta_connect"
    assert button["url"].startswith("https://metaops.example.test/meta/oauth/start?state=")


def test_buttons_refuse_members_and_bad_submissions(client, rt, fake_slack, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    press(client, home.CONNECT_ACTION, user="U_MEMBER")
    wait(lambda: len(fake_slack.views) == 1)
    assert fake_slack.views[0]["callback_id"] == "home_notice"
    assert fake_slack.views[0]["blocks"][0]["text"]["text"] == messages.NOT_ALLOWED

    picker = {"type": "modal", "callback_id": "home_connect_modal", "private_metadata": json.dumps({"team_id": "T1"}),
              "blocks": []}
    empty = interact(client, {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U_ADMIN"},
                              "api_app_id": "A1", "view": {**picker, "id": "V1", "state": {"values": {}}}})
    assert empty.get_json() == {"response_action": "errors", "errors": {"channel": messages.HOME_CONNECT_CHANNEL}}
    values = {"channel": {"value": {"type": "conversations_select", "selected_conversation": "C_PUBLIC"}}}
    member = interact(client, {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U_MEMBER"},
                               "api_app_id": "A1", "view": {**picker, "id": "V2", "state": {"values": values}}})
    assert member.get_json()["errors"] == {"channel": messages.NOT_ALLOWED}
    forged = interact(client, {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U_ADMIN"},
                               "api_app_id": "A1", "view": {**picker, "id": "V3", "state": {"values": values},
                                                            "private_metadata": json.dumps({"team_id": "T2"})}})
    assert forged.get_json()["errors"] == {"channel": messages.MODAL_NOT_THIS_TEAM}


def test_a_reply_from_the_business_app_answers_the_thread(client, rt, fake_slack, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    customers_wrote(client, rt, 1)
    assert unanswered.count(rt, "T1") == 1
    echo = {"object": "whatsapp_business_account", "entry": [{"id": WABA, "changes": [{"field": "smb_message_echoes",
            "value": {"messaging_product": "whatsapp",
                      "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_ID},
                      "message_echoes": [{"from": "15550783881", "to": "15550000000", "id": "wamid.E1",
                                          "timestamp": "1700000001", "type": "text",
                                          "text": {"body": "Answered from the phone"}}]}}]}]}
    post_webhook(client, echo)
    run_worker(rt)
    assert unanswered.count(rt, "T1") == 0
