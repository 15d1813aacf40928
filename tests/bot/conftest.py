"""What a listener test hands a listener called directly, as Bolt would: a real WebClient on the Slack fake, and a
context holding the real runtime, as bot.runtime.RuntimeMiddleware puts it there."""

from __future__ import annotations

import pytest
from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.runtime import put
from tests.fakes.slack_api import BOT_TOKEN


@pytest.fixture
def web_client(fake_slack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)


@pytest.fixture
def context(rt, web_client) -> BoltContext:
    return put(BoltContext({"team_id": "T1", "client": web_client}), rt)
