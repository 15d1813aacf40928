"""Right after a customer's message was posted in Slack, what the post stands for is stored, in one transaction: where
the message is shown (originals.py: a later edit, deletion or reaction marks that post), the post as showing that
message (so a member's reaction on it reaches the customer's message at Meta), and an open conversation's waiting
time. A conversation that is not open follows after it (state.py: a resolved or snoozed one opens again)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from metaops.conversation import originals, state
from metaops.runtime import Runtime
from store import customer_posts

NOT_REACTABLE = ("reaction", "system", "unsupported")  # WhatsApp message types no reaction can go to
NOT_REOPENING = ("reaction", "system")  # a customer's reaction or Meta's notice leaves the conversation as it is


def posted(rt: Runtime, team_id: str, business_id: str, channel: str, root: str | None, slack_ts: str,
           shown: Sequence[Any], message_type: str | None = None, wrote: bool = True) -> None:
    """The post `slack_ts` in `channel` (in the thread at `root`; None: posted alone, in no thread) shows the
    customer's messages `shown` (Meta's ids, oldest first; the last one of WhatsApp type `message_type`). `wrote`:
    it is the customer writing (not a call, a button pressed or a referral). A database failure raises, as
    remembering where a message is shown always has (the delivery around it decides what follows)."""
    now = rt.now()
    with rt.db.engine.begin() as conn:
        originals.remember(conn, business_id, shown, team_id, channel, slack_ts, root)
        if not root or not wrote:
            return
        if shown and shown[-1] and message_type not in NOT_REACTABLE:
            customer_posts.remember(conn, team_id, channel, slack_ts, root, str(shown[-1]), now)
        reopens = message_type not in NOT_REOPENING
        noted = reopens and state.customer_wrote_open(conn, team_id, channel, root, now)
    if reopens and not noted:
        state.customer_wrote(rt, team_id, channel, root)
