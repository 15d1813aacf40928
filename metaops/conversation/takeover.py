"""The Take over and Give back buttons at a customer thread's root: the team takes the conversation from Meta's AI
agent (Meta's thread control: `take`), or gives it back (`release`: the agent answers the customer's next
message). Anyone who may reply in the thread may press them (Slack Connect guests may not: bot/events). The
button's value names the thread, looked up among the pressing workspace's own threads only."""

from __future__ import annotations

import logging

from integrations.meta import handover
from integrations.meta.errors import GraphError
from integrations.slack.client import post_message
from metaops import messages
from metaops.assets import connections
from metaops.conversation import buttons, holder
from metaops.conversation.replies import page_for, recipient
from metaops.exceptions import NotConnected
from metaops.runtime import Runtime
from store import threads

log = logging.getLogger(__name__)
ACTIONS = {holder.TAKE_OVER: ("take", handover.TEAM, messages.TOOK_OVER),
           holder.GIVE_BACK: ("release", handover.AGENT, messages.GAVE_BACK)}


def press(rt: Runtime, team_id: str, user_id: str, action_id: str, value: str) -> str | None:
    """Move the conversation at Meta, then say so in the thread and at its root. None when done; otherwise what
    to tell the member who pressed."""
    where = buttons.thread_of(value)
    thread = threads.find_by_root(rt.db.engine, *where) if where else None
    if thread is None or thread.team_id != team_id or thread.contact.startswith("group:") or \
            action_id not in ACTIONS:
        return messages.HOLDER_NO_THREAD
    action, now_holds, said = ACTIONS[action_id]
    try:
        if thread.platform == "whatsapp":
            handover.whatsapp_control(rt.graph, connections.token_of(rt, team_id), thread.business_id,
                                      recipient(rt, thread.contact), action)
        else:
            page_id, token = page_for(rt, thread)
            handover.page_control(rt.graph, token, page_id, thread.contact, action)
    except GraphError as e:
        log.info("thread control %s refused for %s: %s", action, thread.contact, e.user_text())
        return messages.HOLDER_REFUSED.format(reason=e.user_text())
    except NotConnected as e:
        return str(e)
    now = holder.Holder(now_holds, user_id)
    holder.note(rt, thread.business_id, thread.contact, now)
    post_message(rt.slack.for_team(team_id), thread.channel_id, said.format(user=user_id), thread_ts=thread.root_ts)
    holder.show(rt, team_id, thread.channel_id, thread.root_ts, now)
    return None
