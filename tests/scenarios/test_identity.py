"""WhatsApp customers by business-scoped user id (BSUID): signed webhooks through the real worker into the Slack
and Graph fakes. Each test reads "this payload file -> this post". Customers with a username may share no phone:
Meta then names them only by `user_id` / `from_user_id` / `recipient_user_id`."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from store import customers
from store.models import Customer, OutboundMessage
from tests.helpers import PHONE_ID, connect_whatsapp, fixture, post_webhook, run_worker, slack_event

# Both databases: customers found, merged and re-keyed by BSUID or phone: unique constraints and conditional UPDATEs.
pytestmark = pytest.mark.both_databases

SHEENA = "US.13491208655302741918"  # text_username_only.json, user_preferences_*.json, smb_message_echo.json
SHEENA_NEW = "US.24817305912873645029"  # system_user_changed_user_id.json
JANE = "US.5550001112223334445"  # text_with_bsuid.json


@pytest.fixture
def wa(rt, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    return rt


def deliver(client, rt, payload):
    assert post_webhook(client, payload).status_code == 200
    run_worker(rt)


def value(payload: dict[str, Any]) -> dict[str, Any]:
    return payload["entry"][0]["changes"][0]["value"]


def username_only(bsuid: str = SHEENA, username: str = "@realsheenanelson", name: str | None = "Sheena Nelson",
                  **overrides: Any) -> dict[str, Any]:
    """text_username_only.json from another customer: the message's sender and its `contacts[]` entry agree."""
    payload = fixture("whatsapp/text_username_only.json", from_user_id=bsuid, **overrides)
    contact = value(payload)["contacts"][0]
    contact["user_id"], contact["profile"] = bsuid, {"username": username, **({"name": name} if name else {})}
    return payload


def without_phone(payload: dict[str, Any]) -> dict[str, Any]:
    """The same customer once they stop sharing their phone: no `from`, no `wa_id`."""
    for m in value(payload).get("messages", []):
        m.pop("from", None)
    for c in value(payload).get("contacts", []):
        c.pop("wa_id", None)
    return payload


def reply(client, text, thread_ts, ts="1700000100.000200"):
    return slack_event(client, {"type": "message", "channel": "C_CONNECT", "user": "U_ADMIN", "text": text, "ts": ts,
                                "thread_ts": thread_ts, "team": "T1"})


def customer(rt, bsuid: str) -> Customer:
    with rt.db.session() as s:
        row = s.scalars(select(Customer).where(Customer.bsuid == bsuid)).one()
        s.expunge(row)
        return row


def assert_named(post: dict[str, Any], *names: str) -> None:
    for name in names:
        assert name in post["text"], post["text"]
    for wrong in ("Unknown", "unknown", "None"):
        assert wrong not in post["text"], post["text"]


def test_two_username_only_customers_of_one_number_get_two_threads(client, wa, fake_slack):
    deliver(client, wa, username_only(text="first from Sheena"))
    deliver(client, wa, username_only("US.99887766554433221100", "@pablomorales", None, id="wamid.pablo1",
                                      text="first from Pablo"))
    deliver(client, wa, username_only(id="wamid.username2", text="again Sheena"))
    sheena, pablo, again = fake_slack.messages
    assert "thread_ts" not in sheena and "thread_ts" not in pablo  # two roots
    assert sheena["channel"] == pablo["channel"] == "C_CONNECT"
    assert_named(sheena, "@realsheenanelson", "Sheena Nelson", "first from Sheena")
    assert_named(pablo, "@pablomorales", "first from Pablo")
    assert again["thread_ts"] == sheena["ts"] and "again Sheena" in again["text"]


def test_a_customer_who_stops_sharing_the_phone_stays_in_one_thread(client, wa, fake_slack):
    deliver(client, wa, fixture("whatsapp/text_with_bsuid.json"))
    deliver(client, wa, without_phone(fixture("whatsapp/text_with_bsuid.json", id="wamid.bsuid2", text="no phone")))
    first, second = fake_slack.messages
    assert "thread_ts" not in first and second["thread_ts"] == first["ts"]
    assert_named(second, "Jane Doe", "+15551234567", "no phone")  # the number stays known
    with wa.db.session() as s:
        assert s.scalars(select(Customer)).all()[0].phone == "15551234567"
        assert len(s.scalars(select(Customer)).all()) == 1


def test_a_changed_user_id_keeps_the_thread(client, wa, fake_slack):
    deliver(client, wa, username_only())
    deliver(client, wa, fixture("whatsapp/system_user_changed_user_id.json"))
    deliver(client, wa, username_only(SHEENA_NEW, id="wamid.afterchange", text="new id, same me"))
    root, notice, later = fake_slack.messages
    assert notice["thread_ts"] == root["ts"] and "changed" in notice["text"]
    assert_named(notice, "@realsheenanelson")
    assert later["thread_ts"] == root["ts"] and "new id, same me" in later["text"]
    assert customer(wa, SHEENA_NEW).username == "realsheenanelson"
    with wa.db.session() as s:
        assert len(s.scalars(select(Customer)).all()) == 1


def test_a_user_id_change_that_arrives_after_the_new_id_wrote_keeps_the_first_thread(client, wa, fake_slack):
    deliver(client, wa, username_only())
    deliver(client, wa, username_only(SHEENA_NEW, id="wamid.early", text="new id first"))
    deliver(client, wa, fixture("whatsapp/system_user_changed_user_id.json"))
    deliver(client, wa, username_only(SHEENA_NEW, id="wamid.afterchange", text="and again"))
    root, early, notice, later = fake_slack.messages
    assert "thread_ts" not in early  # not known yet as the same customer
    assert notice["thread_ts"] == root["ts"] and later["thread_ts"] == root["ts"]


@pytest.fixture
def sheena_thread(client, wa, fake_slack):
    """A username-only customer wrote; their thread exists in #C_CONNECT."""
    deliver(client, wa, username_only())
    [root] = fake_slack.messages
    fake_slack.reset()
    return root["ts"]


def test_a_reply_to_a_username_customer_goes_to_the_bsuid(client, wa, fake_slack, fake_graph, sheena_thread):
    assert reply(client, "*Yes*, in blue", sheena_thread).status_code == 200
    run_worker(wa)
    [sent] = fake_graph.sent
    assert sent == {"from": PHONE_ID, "to": None, "recipient": SHEENA, "kind": "whatsapp", "body": "*Yes*, in blue"}
    assert fake_slack.reactions[0]["name"] == "white_check_mark"


def test_a_failed_status_with_only_the_bsuid_lands_in_the_customers_thread(client, wa, fake_slack, fake_graph,
                                                                          sheena_thread):
    reply(client, "On its way", sheena_thread)
    run_worker(wa)
    with wa.db.session() as s:
        out_id = s.scalars(select(OutboundMessage.id)).one()
    fake_slack.reset()
    deliver(client, wa, fixture("whatsapp/status_failed_bsuid.json", id=out_id))
    [note] = [m for m in fake_slack.messages if m.get("thread_ts") == sheena_thread]
    assert "Not sent to the customer" in note["text"] and "24 hours" in note["text"]
    [alert] = [m for m in fake_slack.messages if "thread_ts" not in m]
    assert "131047" in alert["text"]
    assert_named(alert, "@realsheenanelson")  # the customer, known from the thread, not a bare id
    with wa.db.session() as s:
        assert s.get(OutboundMessage, out_id).status == "failed"


def test_opt_out_then_opt_in_are_noted_in_the_thread_and_flagged(client, wa, fake_slack, sheena_thread):
    deliver(client, wa, fixture("whatsapp/user_preferences_stop.json"))
    assert customer(wa, SHEENA).marketing_opt_out is True
    deliver(client, wa, fixture("whatsapp/user_preferences_resume.json"))
    assert customer(wa, SHEENA).marketing_opt_out is False
    stop, resume = fake_slack.messages
    assert stop["thread_ts"] == resume["thread_ts"] == sheena_thread
    assert "stop marketing" in stop["text"] and "opted back in" in resume["text"]
    assert_named(stop, "@realsheenanelson")
    assert_named(resume, "@realsheenanelson")


def test_an_opt_out_from_a_customer_never_seen_starts_their_thread(client, wa, fake_slack):
    deliver(client, wa, fixture("whatsapp/user_preferences_stop.json"))
    deliver(client, wa, username_only())
    note, message = fake_slack.messages
    assert "thread_ts" not in note and message["thread_ts"] == note["ts"]
    assert customer(wa, SHEENA).marketing_opt_out is True


def test_an_echo_from_the_business_app_is_shown_in_the_customers_thread(client, wa, fake_slack, sheena_thread):
    deliver(client, wa, fixture("whatsapp/smb_message_echo.json"))
    [echo] = fake_slack.messages
    assert echo["thread_ts"] == sheena_thread
    assert "WhatsApp Business app" in echo["text"] and "Here's the info you requested!" in echo["text"]
    deliver(client, wa, fixture("whatsapp/smb_message_echo.json"))  # redelivered: once
    assert len(fake_slack.messages) == 1


def test_an_echo_that_opens_the_thread_names_the_customer(client, wa, fake_slack):
    deliver(client, wa, fixture("whatsapp/smb_message_echo.json"))  # sent from the app before Sheena ever wrote
    [root] = fake_slack.messages
    assert "thread_ts" not in root
    assert root["blocks"][0]["text"]["text"].split("\n")[0] == "@realsheenanelson"
    assert_named(root, "@realsheenanelson", "WhatsApp Business app", "Here's the info you requested!")
    deliver(client, wa, username_only())  # her answer joins that thread
    assert fake_slack.messages[-1]["thread_ts"] == root["ts"]


def test_an_echo_to_a_phone_customer_joins_their_thread(client, wa, fake_slack):
    deliver(client, wa, fixture("whatsapp/text.json"))
    echo = fixture("whatsapp/smb_message_echo.json")
    value(echo)["contacts"] = [{"profile": {"name": "Jane Doe"}, "wa_id": "15551234567"}]
    value(echo)["message_echoes"][0].pop("to_user_id")
    value(echo)["message_echoes"][0]["to"] = "15551234567"
    deliver(client, wa, echo)
    root, note = fake_slack.messages
    assert note["thread_ts"] == root["ts"] and "WhatsApp Business app" in note["text"]


def test_group_messages_share_the_group_thread_and_name_each_sender(client, wa, fake_slack):
    deliver(client, wa, fixture("whatsapp/group_text.json"))
    second = fixture("whatsapp/group_text.json", id="wamid.group2", text="Yes, at 3pm",
                     **{"from": "16505550000", "from_user_id": "US.111222333444555666"})
    value(second)["contacts"] = [{"profile": {"name": "Ana Ruiz"}, "wa_id": "16505550000",
                                  "user_id": "US.111222333444555666"}]
    deliver(client, wa, second)
    deliver(client, wa, username_only(id="wamid.private", text="private"))
    root, answer, private = fake_slack.messages
    assert "thread_ts" not in root
    assert_named(root, "Pablo Morales", "@pablomorales", "Is the team meeting still on?")
    assert answer["thread_ts"] == root["ts"]
    assert_named(answer, "Ana Ruiz", "+16505550000", "Yes, at 3pm")
    assert "thread_ts" not in private  # a customer's own chat is not the group's


def test_a_reply_in_a_group_thread_goes_to_the_group(client, wa, fake_slack, fake_graph):
    deliver(client, wa, fixture("whatsapp/group_text.json"))
    [root] = fake_slack.messages
    reply(client, "Yes it is", root["ts"])
    run_worker(wa)
    [sent] = fake_graph.sent
    assert sent["to"] == "Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD" and "recipient" not in sent


@pytest.mark.parametrize("payload", ["whatsapp/text.json", "whatsapp/text_with_bsuid.json"])
def test_a_phone_customer_is_shown_with_name_and_number(client, wa, fake_slack, fake_graph, payload):
    deliver(client, wa, fixture(payload))
    [post] = fake_slack.messages
    assert_named(post, "Jane Doe", "+15551234567")
    reply(client, "hello Jane", post["ts"])
    run_worker(wa)
    [sent] = fake_graph.sent
    assert sent["to"] == "15551234567" and "recipient" not in sent  # the phone, while it is shared


def test_a_thread_from_before_bsuids_gains_the_bsuid(client, wa, fake_slack):
    deliver(client, wa, fixture("whatsapp/text.json"))
    deliver(client, wa, fixture("whatsapp/text_with_bsuid.json"))
    deliver(client, wa, without_phone(fixture("whatsapp/text_with_bsuid.json", id="wamid.bsuid3", text="later")))
    root, *rest = fake_slack.messages
    assert [m["thread_ts"] for m in rest] == [root["ts"], root["ts"]]
    identity = customers.from_thread_key(wa.db.engine, f"customer:{customer(wa, JANE).id}")
    assert identity is not None and identity.phone == "15551234567" and identity.bsuid == JANE


def changed_number(new_phone: str, new_bsuid: str) -> dict[str, Any]:
    """`user_changed_number` as sent since BSUIDs: the old ids in `from`/`from_user_id`, the new in `system`."""
    payload = fixture("whatsapp/system.json", id="wamid.sysnum", from_user_id=JANE,
                      system={"body": f"User Jane Doe changed from 15551234567 to {new_phone}", "wa_id": new_phone,
                              "user_id": new_bsuid, "previous_user_id": JANE, "type": "user_changed_number"})
    value(payload).pop("contacts", None)  # system webhooks carry no contacts
    return payload


def new_number_message(new_phone: str, new_bsuid: str, msg_id: str, text: str) -> dict[str, Any]:
    payload = fixture("whatsapp/text_with_bsuid.json", id=msg_id, text=text,
                      **{"from": new_phone, "from_user_id": new_bsuid})
    value(payload)["contacts"][0].update(wa_id=new_phone, user_id=new_bsuid)
    return payload


def test_a_changed_number_keeps_the_thread_and_makes_no_second_customer(client, wa, fake_slack):
    deliver(client, wa, fixture("whatsapp/text_with_bsuid.json"))
    deliver(client, wa, changed_number("15559876543", "US.6660001112223334445"))
    deliver(client, wa, new_number_message("15559876543", "US.6660001112223334445", "wamid.newnum", "new number"))
    root, notice, later = fake_slack.messages
    assert notice["thread_ts"] == root["ts"] and later["thread_ts"] == root["ts"]
    assert_named(notice, "Jane Doe", "+15559876543")
    with wa.db.session() as s:
        [row] = s.scalars(select(Customer)).all()
        assert (row.phone, row.bsuid) == ("15559876543", "US.6660001112223334445")


def test_a_changed_number_notice_after_the_new_number_wrote(client, wa, fake_slack):
    deliver(client, wa, fixture("whatsapp/text_with_bsuid.json"))
    deliver(client, wa, new_number_message("15559876543", "US.6660001112223334445", "wamid.early", "early"))
    deliver(client, wa, changed_number("15559876543", "US.6660001112223334445"))
    deliver(client, wa, new_number_message("15559876543", "US.6660001112223334445", "wamid.late", "late"))
    root, early, notice, late = fake_slack.messages
    assert "thread_ts" not in early
    assert notice["thread_ts"] == root["ts"] and late["thread_ts"] == root["ts"]
    assert customer(wa, "US.6660001112223334445").phone == "15559876543"
