"""Slack's side: requests signed as Slack signs them (slash commands, interactivity, Events API)."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from tests.constants import FIXTURES, SIGNING_SECRET
from tests.helpers.meta import merge


def slack_headers(body: bytes, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Headers Slack sends: X-Slack-Signature is v0=HMAC-SHA256 of 'v0:{ts}:{body}'."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    sig = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig,
            "Content-Type": "application/x-www-form-urlencoded"}


def slash_command(client: Any, text: str, user: str = "U1", team: str = "T1", channel: str = "C1",
                  response_url: str = "http://127.0.0.1:9/response", **kw: Any) -> Any:
    """`/meta text`, the form Slack posts (tests/fixtures/slack/commands/meta.json), signed as Slack signs it."""
    body = urlencode(slack_fixture("commands/meta.json", text=text, user_id=user, team_id=team, channel_id=channel,
                                   response_url=response_url)).encode()
    headers = slack_headers(body, **kw)
    return client.post("/slack/events", data=body, headers=headers)


def interact(client: Any, payload: dict[str, Any], **kw: Any) -> Any:
    """An interactivity request (block_actions, view_submission), signed as Slack signs it."""
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return client.post("/slack/events", data=body, headers=slack_headers(body, **kw))


def slack_event(client: Any, event: dict[str, Any], team: str = "T1", retry: int | None = None,
                event_id: str = "Ev0001") -> Any:
    """An Events API delivery, signed as Slack signs it; `retry` sets X-Slack-Retry-Num."""
    body = json.dumps({"token": "x", "team_id": team, "api_app_id": "A1", "type": "event_callback",
                       "event_id": event_id, "event_time": 1700000000, "event": event}).encode()
    headers = {**slack_headers(body), "Content-Type": "application/json"}
    if retry is not None:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    return client.post("/slack/events", data=body, headers=headers)


def post_event(client: Any, body: dict[str, Any]) -> Any:
    """A whole Events API request (a fixture's envelope, see slack_fixture), signed as Slack signs it."""
    data = json.dumps(body).encode()
    return client.post("/slack/events", data=data, headers={**slack_headers(data), "Content-Type": "application/json"})


def later(client: Any, fake_slack: Any, words: str, user: str = "U_ADMIN") -> dict[str, Any]:
    """A slow /meta command: acked with "working on it", answered through response_url."""
    fake_slack.calls.clear()
    r = slash_command(client, words, user=user, response_url=fake_slack.url + "/response")
    assert "Working" in r.get_json()["text"]
    [answer] = fake_slack.responses()
    return answer


def slack_fixture(name: str, action: dict[str, Any] | None = None, values: dict[str, Any] | None = None,
                  **overrides: Any) -> dict[str, Any]:
    """The Slack request in tests/fixtures/slack/`name`, as Bolt hands it to a listener (`body`; a slash command's
    form fields as a dict), changed where a test needs it.

    `overrides` set the request's fields; a dict merges into the dict already there (event={"user": "U_MEMBER"}
    keeps the rest of the event, view={"private_metadata": ...} the rest of the view). `action` merges into a
    block_actions request's one action (action={"action_id": "templates_next", "value": "..."}); `values` merge
    into a view's state values, block by block (values={"body": {"value": {"value": "Hi"}}})."""
    body = json.loads((FIXTURES / "slack" / name).read_text())
    merge(body, overrides)
    if action is not None:
        [first] = body["actions"]
        merge(first, action)
    if values is not None:
        merge(body["view"]["state"]["values"], values)
    return body
