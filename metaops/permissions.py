"""Who may change a workspace's things: its admins and owners (Slack's users.info) and the users they named.

The core holds the rule so both the Bolt listeners (bot/) and the Home tab's admin buttons use it.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from metaops.runtime import Runtime
from store import workspaces
from store.models import WorkspaceAdmin

log = logging.getLogger(__name__)


def may_change(rt: Runtime, client: WebClient, team_id: str, user_id: str) -> bool:
    """A user an admin added (`/meta admins add`), or a workspace admin or owner by Slack's users.info."""
    with rt.db.session() as s:
        if s.get(WorkspaceAdmin, (team_id, user_id)) is not None:
            return True
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as e:
        log.warning("users.info failed: %s", e.response.get("error"))
        return False
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def named_admins(rt: Runtime, team_id: str) -> list[str]:
    """The users the team's admins named (`/meta admins add`), besides its workspace admins and owners."""
    with rt.db.session() as s:
        return list(s.scalars(select(WorkspaceAdmin.user_id).where(WorkspaceAdmin.team_id == team_id)).all())


def set_admin(rt: Runtime, team_id: str, user_id: str, named: bool, by: str) -> None:
    """`/meta admins add|remove`: name `user_id` (`named`, by the user `by`) or stop naming them; doing what is
    done already changes nothing."""
    with rt.db.session() as s:
        workspaces.ensure_workspace(s, team_id)
        existing = s.get(WorkspaceAdmin, (team_id, user_id))
        if named and existing is None:
            s.add(WorkspaceAdmin(team_id=team_id, user_id=user_id, added_by=by))
        elif not named and existing is not None:
            s.delete(existing)
