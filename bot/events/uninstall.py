"""A workspace removed the app (`app_uninstalled`) or revoked its bot token (`tokens_revoked`): what it held here
goes (metaops.uninstall)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.runtime import runtime_of
from metaops import uninstall


def app_uninstalled(body: dict[str, Any], context: BoltContext) -> None:
    """The app was removed from the workspace."""
    team_id = body.get("team_id") or ""
    if team_id:
        uninstall.remove_workspace(runtime_of(context), team_id, "removed the app")


def tokens_revoked(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """Tokens were revoked: only the bot's matters (a user token of ours would be a person's, and we keep none)."""
    team_id = body.get("team_id") or ""
    if team_id and ((event.get("tokens") or {}).get("bot") or []):
        uninstall.remove_workspace(runtime_of(context), team_id, "revoked the app's bot token")


def register(app: App) -> None:
    app.event("app_uninstalled")(app_uninstalled)
    app.event("tokens_revoked")(tokens_revoked)
