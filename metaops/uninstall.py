"""A workspace that removed the app (`app_uninstalled`) or revoked its bot token (`tokens_revoked`): everything
it held here goes. Its Slack installation and Meta connection (with their encrypted tokens) are deleted, its
WhatsApp accounts, Pages and Instagram accounts released (another workspace may connect them), its replies still
waiting to be sent refused, and the events parked on its channels let go (routed afresh by the sweep).

Here, not in metaops/assets: letting go of parked events is the delivery's (metaops/delivery/holds.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from metaops import messages
from metaops.assets import connections
from metaops.delivery import holds
from metaops.runtime import Runtime
from store import outbox, workspaces
from store.installations import EncryptedInstallationStore

log = logging.getLogger(__name__)


@dataclass
class Removed:
    installations: int
    connection: bool
    assets: int
    replies: int
    parked: int


def remove_workspace(rt: Runtime, team_id: str, why: str) -> Removed:
    """Forget what `team_id` held (`why`: the Slack event, for the operator's log). Doing it twice is harmless."""
    store = rt.slack.installations
    installs = store.delete_team(team_id) if isinstance(store, EncryptedInstallationStore) else 0
    with rt.db.session() as s:
        held = workspaces.held_by(s, team_id)
    released = 0
    for asset in held:  # each in its own commit, as the daily asset check lets go of one
        with rt.db.session() as s:
            released += workspaces.release(s, team_id, asset.kind, asset.id)
    connected = connections.disconnect(rt, team_id)
    refused = outbox.refuse_pending(rt.db.engine, team_id, messages.REPLY_APP_REMOVED, rt.now())
    parked = holds.drop_team(rt.redis, team_id)
    log.info("team %s %s: %d Slack installation(s) deleted, Meta connection %s, %d asset(s) released, "
             "%d pending repl(ies) refused, %d parked event(s) let go", team_id, why, installs,
             "deleted" if connected else "absent", released, refused, parked)
    return Removed(installs, connected, released, refused, parked)
