"""`/meta hours` through Slack's wire format (a signed slash command): the workspace's numbers, Pages and
Instagram accounts with their away settings and an Edit button each; admins only."""

from __future__ import annotations

from datetime import date

from metaops import messages
from metaops.away import config
from metaops.away.schedule import Hours
from tests.constants import PHONE_ID
from tests.helpers import connect_page, connect_whatsapp, slash_command


def test_hours_lists_each_number_and_page_with_an_edit_button(client, rt, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    connect_page(rt, fake_graph.issue_token("page", expires_in=0))
    number = config.asset(rt, "T1", PHONE_ID)
    assert number is not None
    config.save(rt, "T1", number, "U_ADMIN", True, Hours("Europe/Paris", {0: ((540, 1020),)},
                                                         frozenset({date(2026, 12, 25)})), "Closed now", None)
    answer = slash_command(client, "hours", user="U_ADMIN").get_json()
    rows = [b for b in answer["blocks"] if b.get("accessory")]
    assert [b["accessory"]["value"] for b in rows] == [PHONE_ID, "PAGE1", "IG1"]
    assert all(b["accessory"]["action_id"] == "hours_edit" for b in rows)
    assert rows[0]["text"]["text"] == "*Test Co* (WhatsApp) — away message on, Europe/Paris: mon 09:00-17:00; " \
                                      "1 holiday(s)"
    assert rows[1]["text"]["text"] == "*Acme Page 1* (Messenger) — away message off"
    assert "@acme" in rows[2]["text"]["text"]


def test_hours_is_for_admins_and_says_when_nothing_is_connected(client, rt, fake_graph):
    assert slash_command(client, "hours", user="U_ADMIN").get_json()["text"] == messages.HOURS_NONE
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    assert slash_command(client, "hours", user="U_MEMBER").get_json()["text"] == messages.NOT_ALLOWED
    assert "`/meta hours`" in slash_command(client, "help").get_json()["text"]
