"""Who may change a workspace's things: its admins and owners (Slack's users.info) and the users they named.

The core holds the rule so both the Bolt listeners (bot/) and the Home tab's admin buttons use it.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import select

from integrations.slack import functions
from metaops import manifest, messages
from metaops.runtime import Runtime
from store import workspaces
from store.models import WorkspaceAdmin

log = logging.getLogger(__name__)


def may_change(rt: Runtime, client: WebClient, team_id: str, user_id: str) -> bool:
    """A user an admin added (`/meta admins add`), or a workspace admin or owner by Slack's users.info whose home
    workspace (`user.team_id`) is this one: a Slack Connect user who is an admin of another organisation is not."""
    with rt.db.session() as s:
        if s.get(WorkspaceAdmin, (team_id, user_id)) is not None:
            return True
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as e:
        log.warning("users.info failed: %s", e.response.get("error"))
        return False
    if user.get("team_id") != team_id:
        log.info("team %s: user %s of team %s is not one of its admins", team_id, user_id, user.get("team_id"))
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


def app_admins(rt: Runtime, client: WebClient, team_id: str) -> list[str]:
    """Everyone may_change says yes to: the workspace's admins and owners (users.list) and the users named by
    `/meta admins add`. Raises SlackApiError when Slack cannot list the workspace's users."""
    return sorted(set(functions.workspace_admins(client)) | set(named_admins(rt, team_id)))


def sync_step_builders(rt: Runtime, client: WebClient, team_id: str, app_id: str) -> str | None:
    """Let only the app's admins (app_admins) add the Workflow Builder steps (manifest.STEPS) to workflows:
    each step's distribution permission becomes `named_entities` with them. Called when `/meta admins` changes the
    list and on `/meta connect`. Returns None when Slack took it, else the text to show the admin who ran the
    command (Slack's error is logged; nothing is raised)."""
    if not app_id:
        log.warning("team %s: no app id in the request; step distribution not changed", team_id)
        return messages.STEP_BUILDERS_FAILED.format(error="no app id")
    try:
        users = app_admins(rt, client, team_id)
        for callback_id in manifest.STEPS:
            functions.set_distribution(client, app_id, callback_id, functions.NAMED, users)
    except SlackApiError as e:
        error = str(e.response.get("error") or "unknown error")
        log.warning("team %s: functions.distributions.permissions.set failed: %s", team_id, error)
        return messages.STEP_BUILDERS_FAILED.format(error=f"`{error}`")
    except (SlackClientError, OSError) as e:
        log.warning("team %s: step distribution not changed: %r", team_id, e)
        return messages.STEP_BUILDERS_FAILED.format(error="Slack did not answer")
    return None
