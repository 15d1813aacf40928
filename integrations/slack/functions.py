"""Who may add the app's custom steps (Slack "functions") to their workflows: Slack's function distribution
permissions (`functions.distributions.permissions.*`), called with the app's bot token (no scope needed).

A function is named by its app id and the callback id the manifest gives it (or by Slack's encoded function id).
`permission_type` is one of PERMISSION_TYPES; with `named_entities`, only the users listed may add the step to a
workflow. A refusal raises slack_sdk's SlackApiError (`function_not_found`, `app_not_found`, `user_not_found`,
`invalid_permission_type`, ...)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

PERMISSION_TYPES = ("everyone", "app_collaborators", "named_entities")
NAMED = "named_entities"


@dataclass(frozen=True)
class Distribution:
    """Who may add one function to a workflow, as Slack answered: the type, and the users when named."""
    permission_type: str
    user_ids: tuple[str, ...] = ()


def set_distribution(client: WebClient, app_id: str, callback_id: str, permission_type: str,
                     user_ids: Iterable[str] = ()) -> Distribution:
    """functions.distributions.permissions.set: replace who may add the function (`user_ids` with NAMED)."""
    if permission_type not in PERMISSION_TYPES:
        raise ValueError(f"unknown permission type {permission_type!r}")
    body: dict[str, Any] = {"function_app_id": app_id, "function_callback_id": callback_id,
                            "permission_type": permission_type}
    if permission_type == NAMED:
        body["user_ids"] = sorted(set(user_ids))
    return _distribution(client.api_call("functions.distributions.permissions.set", json=body).data)


def list_distribution(client: WebClient, app_id: str, callback_id: str) -> Distribution:
    """functions.distributions.permissions.list: who may add the function now."""
    return _distribution(client.api_call("functions.distributions.permissions.list", json={
        "function_app_id": app_id, "function_callback_id": callback_id}).data)


def _distribution(answer: Any) -> Distribution:
    answer = answer if isinstance(answer, dict) else {}
    users = tuple(str(u.get("user_id")) for u in answer.get("users") or [] if isinstance(u, dict) and u.get("user_id"))
    return Distribution(str(answer.get("permission_type") or ""), users)


def workspace_admins(client: WebClient, pages: int = 50, per_page: int = 200) -> list[str]:
    """The workspace's admins and owners (users.list: is_admin, is_owner, is_primary_owner), people only, not
    deactivated; reads at most `pages` pages."""
    found: list[str] = []
    cursor = ""
    for _ in range(pages):
        answer = client.users_list(limit=per_page, cursor=cursor or None)
        for m in answer.get("members") or []:
            if m.get("deleted") or m.get("is_bot") or m.get("id") == "USLACKBOT":
                continue
            if m.get("is_admin") or m.get("is_owner") or m.get("is_primary_owner"):
                found.append(str(m["id"]))
        cursor = (answer.get("response_metadata") or {}).get("next_cursor") or ""
        if not cursor:
            break
    return found
