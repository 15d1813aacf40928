"""The channels a campaign's replies open threads in (replies.py), made ready before anything is sent.

The reply channel an admin picks in the campaign modal is checked by the form's check job: a channel that is gone,
archived, not a channel, or private without the app comes back under the field; a public one the app is not in is
joined. Overflow channels (`#<campaign-name>-1…N`, defaults.CAMPAIGN_OVERFLOW_MAX at most) are created with
conversations.create when the campaign starts, and its requester invited. A refusal from Slack (the name taken,
the workspace not letting apps create channels, the channels:manage scope not granted) stops the start: the
campaign stays unconfirmed (or waiting for approval) and nothing is sent. Each channel created is stored at once,
so starting again creates only the ones still missing.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_sdk.errors import SlackApiError

from metaops import defaults, messages
from metaops.campaigns import records
from metaops.exceptions import Refusal
from metaops.queue import leases
from metaops.runtime import Runtime
from store.models import Campaign

log = logging.getLogger(__name__)
REPLY_FIELD, OVERFLOW_FIELD = "reply_channel", "overflow"  # the campaign modal's block ids
NAME_MAX = 80  # Slack's longest channel name, characters
LOCK_KEY = "metaops:campaign:{id}:channels"
LOCK_WAIT = 20  # a second start waits this long for the first one's channels, seconds


def overflow_count(raw: object) -> int:
    """The modal's number of overflow channels (empty: 0); Refusal under the field when it is not a whole number
    from 0 to defaults.CAMPAIGN_OVERFLOW_MAX."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        return 0
    if not re.fullmatch(r"\d{1,3}", text) or int(text) > defaults.CAMPAIGN_OVERFLOW_MAX:
        raise Refusal(messages.CAMPAIGN_OVERFLOW_RANGE.format(most=defaults.CAMPAIGN_OVERFLOW_MAX), OVERFLOW_FIELD)
    return int(text)


def check(client: Any, channel_id: str) -> None:
    """The picked reply channel is one the app can post threads in and read replies from (a public channel it is
    not in is joined); Refusal under the field otherwise."""
    try:
        info = client.conversations_info(channel=channel_id)["channel"]
    except SlackApiError as e:
        log.info("reply channel %s: %s", channel_id, e.response.get("error"))
        raise Refusal(messages.CAMPAIGN_REPLY_CHANNEL_UNKNOWN, REPLY_FIELD) from None
    if info.get("is_archived"):
        raise Refusal(messages.CAMPAIGN_REPLY_CHANNEL_ARCHIVED.format(channel=channel_id), REPLY_FIELD)
    if info.get("is_im") or info.get("is_mpim"):
        raise Refusal(messages.CAMPAIGN_REPLY_CHANNEL_NOT_CHANNEL, REPLY_FIELD)
    if info.get("is_member"):
        return
    if info.get("is_private"):
        raise Refusal(messages.CAMPAIGN_REPLY_CHANNEL_INVITE.format(channel=channel_id), REPLY_FIELD)
    try:
        client.conversations_join(channel=channel_id)
    except SlackApiError as e:
        raise Refusal(messages.CAMPAIGN_REPLY_CHANNEL_JOIN.format(channel=channel_id, error=e.response.get("error")),
                      REPLY_FIELD) from None


def channel_name(campaign: str, campaign_id: int, number: int) -> str:
    """`#<campaign-name>-<number>` as Slack takes a name: lowercase letters, digits, hyphens and underscores, at most
    80 characters (a name with none of those: `campaign-<id>`)."""
    slug = re.sub(r"[^a-z0-9_]+", "-", campaign.lower()).strip("-_")
    suffix = f"-{number}"
    slug = (slug or f"campaign-{campaign_id}")[:NAME_MAX - len(suffix)].rstrip("-_")
    return f"{slug}{suffix}"


def open_overflow(rt: Runtime, c: Campaign) -> list[str]:
    """The campaign's overflow channels, those still missing created (and its requester invited); Refusal with
    Slack's reason when one cannot be, the ones made so far kept for the next start."""
    if not c.overflow:
        return []
    with leases.locked(rt.redis, LOCK_KEY.format(id=c.id), LOCK_WAIT):
        made = [str(x) for x in records.by_id(rt, c.id).overflow_channels or []]
        client = rt.slack.for_team(c.team_id)
        for number in range(len(made) + 1, c.overflow + 1):
            name = channel_name(c.name, c.id, number)
            try:
                made.append(str(client.conversations_create(name=name, is_private=False)["channel"]["id"]))
            except SlackApiError as e:
                raise Refusal(_refused(str(e.response.get("error")), name), OVERFLOW_FIELD) from None
            records.set_overflow_channels(rt, c.id, made)
            try:
                client.conversations_invite(channel=made[-1], users=c.created_by)
            except SlackApiError as e:  # the channel is public: they can join it themselves
                log.info("campaign %s: %s not invited to %s: %s", c.id, c.created_by, name, e.response.get("error"))
    return made


def _refused(error: str, name: str) -> str:
    said = {"name_taken": messages.CAMPAIGN_OVERFLOW_NAME_TAKEN, "restricted_action":
            messages.CAMPAIGN_OVERFLOW_RESTRICTED, "missing_scope": messages.CAMPAIGN_OVERFLOW_SCOPE}
    return said.get(error, messages.CAMPAIGN_OVERFLOW_REFUSED).format(name=name, error=error)
