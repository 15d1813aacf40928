"""Who may change things: workspace admins and owners (Slack's users.info), and the users they named."""

from __future__ import annotations

from slack_sdk import WebClient

from metaops.assets import subscriptions
from metaops.permissions import may_change
from metaops.runtime import Runtime

__all__ = ["may_change", "may_change_app"]


def may_change_app(rt: Runtime, client: WebClient, team_id: str, user_id: str) -> bool:
    """The app's own settings at Meta (its webhook subscriptions, the verify token) serve every workspace: only
    the operator's workspace admins (single-workspace mode: that workspace; else OPERATOR_TEAM_ID) see and
    change them."""
    return subscriptions.is_operator(rt, team_id) and may_change(rt, client, team_id, user_id)
