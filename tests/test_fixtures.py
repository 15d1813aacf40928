"""The Meta webhook payload files are whole envelopes as Meta sends them, and the loader changes only the event."""

from __future__ import annotations

import json

import pytest

from tests.constants import FIXTURES
from tests.helpers import fixture

FILES = sorted(p.relative_to(FIXTURES / "meta").as_posix() for p in (FIXTURES / "meta").rglob("*.json"))
OBJECTS = {"whatsapp": "whatsapp_business_account", "page": "page", "instagram": "instagram"}


@pytest.mark.parametrize("name", FILES)
def test_each_file_is_one_entry_of_its_object(name):
    payload = json.loads((FIXTURES / "meta" / name).read_text())
    assert payload["object"] == OBJECTS[name.split("/")[0]]
    [entry] = payload["entry"]
    assert entry["id"] and ("changes" in entry) != ("messaging" in entry)
    for change in entry.get("changes", []):
        assert set(change) == {"field", "value"}


def test_overrides_set_the_event_and_merge_dicts():
    p = fixture("whatsapp/image.json", id="wamid.other", image={"caption": "new"})
    [msg] = p["entry"][0]["changes"][0]["value"]["messages"]
    assert msg["id"] == "wamid.other" and msg["image"] == {**msg["image"], "caption": "new", "id": "MEDIA1"}
    assert fixture("whatsapp/text.json", text="hi")["entry"][0]["changes"][0]["value"]["messages"][0]["text"] == {
        "body": "hi"}
    assert fixture("page/message.json", text="hi")["entry"][0]["messaging"][0]["message"]["text"] == "hi"
    assert fixture("instagram/comment.json", text="hi")["entry"][0]["changes"][0]["value"]["text"] == "hi"
    fixture("whatsapp/text.json", text="changed")
    assert "changed" not in json.dumps(fixture("whatsapp/text.json"))  # each call reads the file afresh
