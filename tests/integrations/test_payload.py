"""Webhook payloads become items with stable dedupe keys; malformed parts are skipped, not fatal."""

from __future__ import annotations

import pytest

from integrations.meta import payload
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


def test_an_update_with_no_id_is_keyed_by_its_time():
    def paused(time: int | None) -> dict:
        entry = {"id": WABA, "changes": [{"field": "message_template_status_update",
                                          "value": {"event": "PAUSED", "message_template_id": 5}}]}
        if time is not None:
            entry["time"] = time
        return {"object": "whatsapp_business_account", "entry": [entry]}

    [march], [march_again], [may] = (list(items(paused(t))) for t in (1709280000, 1709280000, 1714521600))
    assert march.key == march_again.key != may.key  # redelivered: once; paused again later: a new item
    assert "1709280000" in march.key
    [untimed] = items(paused(None))
    assert untimed.key not in (march.key, may.key)
    # an item's own timestamp wins over the entry's time
    pref = {"wa_id": "1555", "value": "stop", "timestamp": "1700000000"}
    p = {"object": "whatsapp_business_account", "entry": [
        {"id": WABA, "time": t, "changes": [{"field": "user_preferences", "value": {"user_preferences": [pref]}}]}
        for t in (1, 2)]}
    a, b = items(p)
    assert a.key == b.key and "1700000000" in a.key


@pytest.mark.parametrize(("written", "seconds"), [
    ("1700000000", 1700000000.0), (1700000000, 1700000000.0), (1458692752478, 1458692752.478),
    ("2024-03-01T00:00:00+0000", 1709251200.0), ("2024-03-01T00:00:00Z", 1709251200.0),
    ("2024-03-01T00:00:00", 1709251200.0),  # no offset: Meta's times are UTC
    ("yesterday", None), (None, None), ("", None), (True, None), (0, None), (-5, None), ("nan", None), ({}, None),
])
def test_an_items_time_is_read_however_meta_wrote_it(written, seconds):
    assert payload.unix_seconds(written) == seconds


def test_an_item_is_dated_by_its_own_timestamp_else_its_entrys_time():
    body = {"object": "page", "entry": [
        {"id": "P1", "time": 1700000100000, "messaging": [
            {"sender": {"id": "1"}, "timestamp": 1700000000000, "message": {"mid": "m1", "text": "hi"}},
            {"sender": {"id": "1"}, "message": {"mid": "m2", "text": "no time of its own"}}]},
        {"id": "P1", "changes": [{"field": "feed", "value": {"item": "comment"}}]}]}
    assert [i.sent_at for i in payload.items(body)] == [1700000000.0, 1700000100.0, None]
