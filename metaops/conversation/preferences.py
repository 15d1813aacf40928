"""A workspace's choices about replies from threads: `/meta replies on|off` and `/meta signature on|off`."""

from __future__ import annotations

from metaops.runtime import Runtime
from store import workspaces


def set_replies(rt: Runtime, team_id: str, enabled: bool) -> None:
    with rt.db.session() as s:
        workspaces.ensure_workspace(s, team_id).replies_enabled = enabled


def set_signature(rt: Runtime, team_id: str, enabled: bool) -> None:
    """`/meta signature on|off`: replies start with the writer's Slack display name, or not."""
    with rt.db.session() as s:
        workspaces.ensure_workspace(s, team_id).signature_enabled = enabled
