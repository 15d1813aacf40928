"""What a customer conversation has cost so far, on its thread root: the messages sent in the thread that Meta bills,
by pricing category, with the rate card's estimate, and the free ones (costs/spent.py reads the pricing its statuses
reported). The root's refresh job (state_root.py) draws it with the state line, and a status that makes a message
billed or free marks the root for it, so a burst of statuses costs one chat.update."""

from __future__ import annotations

from integrations.slack.blocks import Block, context_block
from metaops import inbox_messages as texts
from metaops.conversation import root as root_lines
from metaops.costs import spent
from metaops.costs.estimate import money
from metaops.runtime import Runtime


def render(rt: Runtime, team_id: str, channel: str, root: str) -> list[Block]:
    """The cost line, or nothing while no status has priced a message of the thread."""
    s = spent.of_thread(rt, team_id, channel, root)
    if s.empty:
        return []
    return [{**context_block(line(s)), "block_id": root_lines.COST_BLOCK}]


def line(s: spent.Spent) -> str:
    if not s.paid_count:
        return texts.COST_ROOT_FREE.format(free=s.free_count)
    categories = ", ".join(f"{c} {n}" for c, n in sorted(s.by_category(paid=True).items()))
    estimate = texts.COST_ROOT_ESTIMATE.format(cost=money(s.cost)) if s.cost else ""
    unpriced = texts.COST_ROOT_UNPRICED if s.unpriced else ""
    free = texts.COST_ROOT_AND_FREE.format(free=s.free_count) if s.free_count else ""
    return texts.COST_ROOT_PAID.format(paid=s.paid_count, categories=categories, estimate=estimate,
                                       unpriced=unpriced, free=free)
