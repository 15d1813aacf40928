"""The Meta webhook payload files are whole envelopes as Meta sends them, and the loader changes only the event."""

from __future__ import annotations

import json

import pytest

from tests.constants import FIXTURES
from tests.helpers import fixture, slack_fixture

FILES = sorted(p.relative_to(FIXTURES / "meta").as_posix() for p in (FIXTURES / "meta").rglob("*.json"))
OBJECTS = {"whatsapp": "whatsapp_business_account", "page": "page", "instagram": "instagram"}


@pytest.mark.parametrize("name", FILES)
def test_each_file_is_one_entry_of_its_object(name):
    payload = json.loads((FIXTURES / "meta" / name).read_text())
    assert payload["object"] == OBJECTS[name.split("/")[0]]
    [entry] = payload["entry"]
    assert entry["id"] and sum(k in entry for k in ("changes", "messaging", "standby")) == 1
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


SLACK_FILES = sorted(p.relative_to(FIXTURES / "slack").as_posix() for p in (FIXTURES / "slack").rglob("*.json"))
SLACK_TYPES = {"actions": "block_actions", "views": "view_submission", "events": "event_callback",
               "shortcuts": "message_action"}


@pytest.mark.parametrize("name", SLACK_FILES)
def test_each_slack_file_is_a_request_of_its_kind(name):
    """As Slack sends them: a slash command's form fields, or an interaction or event of the folder's type, from
    workspace T1 to app A1."""
    body = json.loads((FIXTURES / "slack" / name).read_text())
    kind = name.split("/")[0]
    if kind == "commands":
        assert {"command", "text", "team_id", "user_id", "channel_id", "response_url", "trigger_id"} <= set(body)
        assert all(isinstance(v, str) for v in body.values())  # form fields
        return
    assert body["type"] == SLACK_TYPES[kind] and body.get("api_app_id", "A1") == "A1"  # shortcuts name no app
    assert (body.get("team_id") or body["team"]["id"]) == "T1"
    if kind == "actions":
        [action] = body["actions"]
        assert action["action_id"] and action["block_id"] and action["type"]
    elif kind == "views":
        view = body["view"]
        assert view["callback_id"] and view["id"] and json.loads(view["private_metadata"])["team_id"] == "T1"
        inputs = {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
        assert set(view["state"]["values"]) <= inputs  # state only for the view's inputs
    elif kind == "events":
        assert body["event"]["type"] and body["event_id"]
    else:
        assert body["callback_id"] and body["message"]["ts"] == body["message_ts"]


def test_slack_overrides_merge_into_the_request_its_action_and_its_values():
    body = slack_fixture("actions/message_button.json", user={"id": "U_MEMBER"}, action={"value": "7"})
    assert body["user"] == {**body["user"], "id": "U_MEMBER", "team_id": "T1"}
    assert body["actions"][0]["value"] == "7" and body["actions"][0]["action_id"] == "a_button"
    view = slack_fixture("views/template_modal.json", values={"name": {"value": {"value": "other"}}})["view"]
    assert view["state"]["values"]["name"]["value"] == {"type": "plain_text_input", "value": "other"}
    assert slack_fixture("commands/meta.json", text="status")["text"] == "status"
    assert slack_fixture("commands/meta.json")["text"] == "help"  # each call reads the file afresh
