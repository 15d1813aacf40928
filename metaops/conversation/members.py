"""What Slack says of a member (users.info) that working a conversation needs: whether they belong to the workspace
(not a Slack Connect guest of another organisation, not a bot), and their time zone."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def _user(client: WebClient, user_id: str) -> dict[str, Any] | None:
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as e:
        log.info("users.info %s failed: %s", user_id, e.response.get("error"))
        return None
    return user if isinstance(user, dict) else None


def of_workspace(client: WebClient, team_id: str, user_id: str) -> bool:
    """A person of the workspace `team_id` (users.info's `team_id`), not a bot; False when Slack does not say."""
    user = _user(client, user_id)
    return user is not None and user.get("team_id") == team_id and not user.get("is_bot") and not user.get("deleted")


def time_zone(client: WebClient, user_id: str) -> str | None:
    """The member's time zone as Slack has it (an IANA name, `tz`), None when Slack does not say."""
    user = _user(client, user_id)
    tz = (user or {}).get("tz")
    return tz if isinstance(tz, str) and tz else None
