"""Is SLACK_APP_TOKEN one Slack takes? Asked once at start (`apps.connections.open`), so a wrong, revoked or
misplaced token stops the process with one line saying what is wrong, never the token itself."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from metaops.exceptions import ConfigError

# Slack's error code -> what the person fixing it needs to know
REFUSALS = {
    "invalid_auth": "Slack does not know this token (mistyped, or from another app)",
    "not_authed": "Slack got no token",
    "token_revoked": "the token was revoked",
    "token_expired": "the token expired",
    "account_inactive": "the app or its workspace is inactive",
    "not_allowed_token_type": "it is not an app-level token (xapp-…)",
    "missing_scope": "the token lacks the connections:write scope",
}
FIX = "create an app-level token with connections:write at Basic Information → App-Level Tokens"


def check(client: WebClient, app_token: str) -> None:
    """ConfigError naming the problem when Slack refuses the token; network errors pass (the caller retries)."""
    try:
        client.apps_connections_open(app_token=app_token)
    except SlackApiError as e:
        code = str(e.response.get("error") or "refused") if e.response is not None else "refused"
        why = REFUSALS.get(code, "Slack refused it")
        raise ConfigError(f"SLACK_APP_TOKEN was refused by Slack ({code}): {why}; {FIX}") from None
