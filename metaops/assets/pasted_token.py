"""`/meta token`: an admin pastes a system user's token, which does not expire, in place of the connection's. It is
checked with `debug_token` (valid, this app's, not expiring, the WhatsApp permissions, a WhatsApp Business Account
assigned) before anything is read or stored; then stored encrypted like any connection's token."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from integrations.meta import business_token, oauth
from integrations.meta.business_token import TokenRefused
from integrations.meta.errors import GraphError
from integrations.slack.client import post_message
from metaops import messages
from metaops.assets import connections
from metaops.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class Pasted:
    ok: bool
    text: str  # what the modal shows: the refusal, or the connection's summary


def paste(rt: Runtime, team_id: str, user_id: str, channel_id: str, token: str) -> Pasted:
    token = token.strip()
    try:
        business_token.check(rt.graph, token)
        found = oauth.discover(rt.graph, oauth.Token(token, None))
    except TokenRefused as e:
        return Pasted(False, messages.TOKEN_REFUSED.format(reason=e))
    except GraphError as e:
        return Pasted(False, messages.TOKEN_REFUSED.format(reason=e.user_text()))
    who = {"team_id": team_id, "user_id": user_id, "channel_id": channel_id or connections.connect_channel(
        rt, team_id) or ""}
    summary = connections.store(rt, who, token, found, "system_user")
    log.info("team %s: a system user's token replaced the connection's", team_id)
    if who["channel_id"]:
        try:
            post_message(rt.slack.for_team(team_id), who["channel_id"], f"{messages.TOKEN_STORED}\n{summary}")
        except Exception as e:  # noqa: BLE001 - stored all the same; the modal says so
            log.warning("could not post the token summary: %s", type(e).__name__)
    return Pasted(True, f"{messages.TOKEN_STORED}\n{summary}")
