"""Members' emoji reactions (`reaction_added`, `reaction_removed`). On a customer thread's root, 👀 (`eyes`) claims
the conversation and ✅ (`white_check_mark`) resolves it, as the root's buttons do. On a post showing a customer's
message, any other emoji goes to that message at Meta, and removing it removes it there. Reactions by the app
itself, by bots and by people of another organisation (Slack Connect; users.info says whose they are) change
nothing and send nothing."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.runtime import runtime_of
from metaops import inbox_messages as texts
from metaops import permissions
from metaops.conversation import member_reactions, members, state

log = logging.getLogger(__name__)
SHORTCUTS = {member_reactions.CLAIM_EMOJI: state.CLAIM, member_reactions.RESOLVE_EMOJI: state.RESOLVE}


def _reaction(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext,
              ) -> tuple[str, str, str, str, str] | None:
    """(team, channel, ts, user, emoji) of a member's reaction on a message; None for anything else."""
    item = event.get("item") or {}
    team_id = body.get("team_id") or ""
    user, name = event.get("user"), event.get("reaction")
    channel, ts = item.get("channel"), item.get("ts")
    if item.get("type") != "message" or not all(isinstance(v, str) and v for v in (team_id, user, name, channel, ts)):
        return None
    if user == context.get("bot_user_id") or not members.of_workspace(client, team_id, str(user)):
        return None  # the app's own marks, a bot, a guest of another organisation
    return team_id, str(channel), str(ts), str(user), str(name)


def reaction_added(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    found = _reaction(event, body, client, context)
    if found is None:
        return
    rt = runtime_of(context)
    team_id, channel, ts, user, name = found
    action = SHORTCUTS.get(name)
    if action is not None:
        req = state.Request(team_id, user, channel, ts, guest=False)
        if state.conversation(rt, team_id, channel, ts) is not None:  # the root of a customer thread
            refusal = state.change(rt, req, action, partial(permissions.may_change, rt, client, team_id, user))
            if refusal and refusal != texts.NOTHING_TO_DO.format(status="resolved"):
                client.chat_postEphemeral(channel=channel, user=user, text=refusal, thread_ts=ts)
        return
    member_reactions.reacted(rt, team_id, channel, ts, user, name, added=True)


def reaction_removed(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    found = _reaction(event, body, client, context)
    if found is not None:
        team_id, channel, ts, user, name = found
        member_reactions.reacted(runtime_of(context), team_id, channel, ts, user, name, added=False)


def register(app: App) -> None:
    app.event("reaction_added")(reaction_added)
    app.event("reaction_removed")(reaction_removed)
