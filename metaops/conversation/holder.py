"""Who holds a customer conversation when Meta's AI agent shares the number or Page: the agent or the team. Kept in
Redis per (business number or Page, customer) for HOLDER_TTL (Meta's threads go idle long before), learnt from
`standby` and `messaging_handovers` and from the Take over / Give back buttons, and shown at the thread's root:
who holds it now, with the button that changes it."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from integrations.meta.handover import AGENT
from integrations.slack import blocks
from metaops import defaults, messages
from metaops.conversation import root as root_lines
from metaops.runtime import Runtime

log = logging.getLogger(__name__)
KEY = "metaops:holder:{business}:{contact}"
LINE, BUTTONS = root_lines.HOLDER_BLOCK, root_lines.HOLDER_ACTIONS_BLOCK  # the root's line and its button
TAKE_OVER, GIVE_BACK = "agent_take_over", "agent_give_back"  # action ids; the value names the thread


@dataclass(frozen=True)
class Holder:
    who: str  # AGENT or TEAM
    by: str | None = None  # the member who took it over or gave it back


def current(rt: Runtime, business_id: str, contact: str) -> Holder | None:
    raw = rt.redis.get(KEY.format(business=business_id, contact=contact))
    if raw is None:
        return None
    found: dict[str, Any] = json.loads(raw)
    return Holder(str(found.get("who")), found.get("by"))


def note(rt: Runtime, business_id: str, contact: str, holder: Holder) -> bool:
    """Remember who holds it now; True when that changed."""
    if current(rt, business_id, contact) == holder:
        return False
    rt.redis.set(KEY.format(business=business_id, contact=contact), json.dumps({"who": holder.who, "by": holder.by}),
                 ex=defaults.HOLDER_TTL)
    return True


def line(holder: Holder, channel: str, root: str) -> list[blocks.Block]:
    """The root's line saying who holds the conversation, and the button that moves it."""
    if holder.who == AGENT:
        text, button = messages.HOLDER_AGENT, blocks.button(messages.TAKE_OVER, TAKE_OVER, _value(channel, root),
                                                           style="primary")
    else:
        text = messages.HOLDER_TEAM.format(by=f" (<@{holder.by}> took over)" if holder.by else "")
        button = blocks.button(messages.GIVE_BACK, GIVE_BACK, _value(channel, root))
    return [{**blocks.context_block(text), "block_id": LINE}, {**blocks.actions(button), "block_id": BUTTONS}]


def show(rt: Runtime, team_id: str, channel: str, root: str, holder: Holder) -> None:
    """The root says who holds the conversation now; never fails what called it."""
    try:
        root_lines.set_blocks(rt, team_id, channel, root, line(holder, channel, root))
    except Exception as e:  # noqa: BLE001 - the thread has the post; only the root's line is stale
        log.warning("holder line not updated on %s %s (%s)", channel, root, type(e).__name__)


def _value(channel: str, root: str) -> str:
    return json.dumps({"channel": channel, "thread_ts": root}, separators=(",", ":"))
