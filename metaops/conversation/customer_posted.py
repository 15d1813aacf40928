"""After a customer's message was posted in their thread: the Slack post is remembered as showing that message
(so a member's reaction on it reaches the customer's message at Meta), and the conversation's state follows (a
resolved or snoozed one opens again). Never fails the delivery around it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from metaops.conversation import state
from metaops.runtime import Runtime
from store import customer_posts

if TYPE_CHECKING:
    from metaops.conversation.router import Router

log = logging.getLogger(__name__)
NOT_REACTABLE = ("reaction", "system", "unsupported")  # WhatsApp message types no reaction can go to
NOT_REOPENING = ("reaction", "system")  # a customer's reaction or Meta's notice leaves the conversation as it is


def posted(rt: Runtime, router: Router, team_id: str, kind: str, business_id: str, contact: str | None,
           slack_ts: str, message_id: str | None, message_type: str | None = None) -> None:
    """`slack_ts`: the post showing the customer's message `message_id` (of WhatsApp type `message_type`)."""
    if not contact:
        return  # posted on its own, in no thread
    try:
        channel = router.thread_channel(team_id, kind, business_id, contact)
        root = router.root(business_id, contact, channel)
    except Exception as e:  # noqa: BLE001 - the message is posted; see the module's docstring
        log.warning("customer post in %s not followed up (%s)", team_id, type(e).__name__)
        return
    if not root:
        return
    if message_id and message_type not in NOT_REACTABLE:
        try:
            customer_posts.remember(rt.db.engine, team_id, channel, slack_ts, root, message_id, rt.now())
        except Exception as e:  # noqa: BLE001 - only a member's reaction on this post will not reach the customer
            log.warning("customer post %s not remembered (%s)", slack_ts, type(e).__name__)
    if message_type not in NOT_REOPENING:
        state.customer_wrote(rt, team_id, channel, root)
