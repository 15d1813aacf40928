"""Webhook payloads become items with stable dedupe keys; malformed parts are skipped, not fatal."""

from __future__ import annotations

from integrations.meta.payload import items
from tests.constants import PHONE_ID, WABA
from tests.helpers import wa_message, wa_payload


def test_messages_and_statuses_become_items_with_contacts():
    status = {"id": "wamid.S", "status": "read", "timestamp": "1", "recipient_id": "1555"}
    p = wa_payload([wa_message("wamid.M", "15550001111", "hi")], {"15550001111": "Ann"}, statuses=[status])
    msg, st = list(items(p))
    assert (msg.kind, msg.key, msg.asset_id, msg.business_id) == ("message", "wa:msg:wamid.M", WABA, PHONE_ID)
    assert msg.contact["profile"]["name"] == "Ann"
    assert (st.kind, st.key) == ("status", "wa:status:wamid.S:read")


def test_same_item_redelivered_has_the_same_key_and_others_differ():
    a = list(items({"object": "page", "entry": [{"id": "P1", "messaging": [{"sender": {"id": "1"}, "x": 1}]}]}))
    b = list(items({"object": "page", "entry": [{"id": "P1", "messaging": [{"x": 1, "sender": {"id": "1"}}]}]}))
    c = list(items({"object": "page", "entry": [{"id": "P1", "messaging": [{"sender": {"id": "2"}, "x": 1}]}]}))
    assert a[0].key == b[0].key != c[0].key


def test_malformed_parts_are_skipped():
    odd = {"object": "whatsapp_business_account",
           "entry": ["nope", {"id": "W", "changes": [None, {"field": "messages", "value": {"messages": "x"}}]}]}
    assert list(items(odd)) == []
    assert list(items({})) == []
    assert list(items({"entry": {"not": "a list"}})) == []


def test_every_entry_of_a_batch_is_read():
    p = wa_payload([wa_message("wamid.1", "1", "a")])
    p["entry"] = p["entry"] * 3
    p["entry"][1] = {**p["entry"][1], "id": "OTHER"}
    assert [i.asset_id for i in items(p)] == [WABA, "OTHER", WABA]
