"""Who may change things: workspace admins and owners (Slack's users.info), and the users they named."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from metaops import subscriptions
from metaops.runtime import Runtime
from store.models import WorkspaceAdmin

log = logging.getLogger(__name__)


def is_workspace_admin(client: WebClient, user_id: str) -> bool:
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as e:
        log.warning("users.info failed: %s", e.response.get("error"))
        return False
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def may_change(rt: Runtime, client: WebClient, team_id: str, user_id: str) -> bool:
    with rt.db.session() as s:
        if s.get(WorkspaceAdmin, (team_id, user_id)) is not None:
            return True
    return is_workspace_admin(client, user_id)


def may_change_app(rt: Runtime, client: WebClient, team_id: str, user_id: str) -> bool:
    """The app's own settings at Meta (its webhook subscriptions, the verify token) serve every workspace: only
    the operator's workspace admins (single-workspace mode: that workspace; else OPERATOR_TEAM_ID) see and
    change them."""
    return subscriptions.is_operator(rt, team_id) and may_change(rt, client, team_id, user_id)
