"""Slack Web API clients for the worker, and posting within Slack's size limits, rate limits turned into retries."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import InstallationStore

from integrations.slack import limits
from integrations.slack.errors import NoChannel, SlackRateLimited

log = logging.getLogger(__name__)


class SlackClients:
    """One WebClient per bot token, all pointed at SLACK_API_URL: SLACK_BOT_TOKEN in single-workspace mode,
    else the token the workspace's installation holds."""

    def __init__(self, base_url: str, bot_token: str = "", installations: InstallationStore | None = None,
                 timeout: int = 10) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.bot_token = bot_token
        self.installations = installations
        self._clients: dict[str, WebClient] = {}

    def for_team(self, team_id: str) -> WebClient:
        token = self.bot_token
        if not token and self.installations is not None:
            bot = self.installations.find_bot(enterprise_id=None, team_id=team_id)
            token = bot.bot_token if bot else ""
        if not token:
            raise NoChannel(f"the app is not installed in team {team_id}")
        if token not in self._clients:
            self._clients[token] = WebClient(token=token, base_url=self.base_url, timeout=self.timeout)
        return self._clients[token]


def post_message(client: WebClient, channel: str, text: str, blocks: list[dict] | None = None,
                 thread_ts: str | None = None, sleep: Callable[[float], None] = time.sleep,
                 follow_up_tries: int = 3, follow_up_max_wait: int = 10, metadata: dict | None = None) -> str:
    """chat.postMessage within Slack's limits (`limits`); returns the ts of the (first) message. A 429 on it
    raises SlackRateLimited with Slack's wait.

    Blocks that do not fit one message (a long section text split over several sections, more than 50 blocks,
    too much text for one message) go on in follow-up messages in the same thread: the first message's thread, or
    the thread under it when it is a root. A text too long for a fallback is posted as section blocks. A follow-up
    that is rate limited is retried here (`follow_up_tries`, waiting Slack's Retry-After up to
    `follow_up_max_wait` seconds): raising then would have the whole post, first message included, posted again.
    `metadata` (Slack's message metadata: event_type, event_payload) goes with the first message."""
    if not blocks and len(text) > limits.FALLBACK_TEXT:
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    parts = limits.fit_blocks(blocks or [])
    first = _post_one(client, channel, limits.clip_mrkdwn(text, limits.FALLBACK_TEXT), parts[0], thread_ts, metadata)
    thread = thread_ts or first
    for part in parts[1:]:
        fallback = limits.clip_mrkdwn(limits.text_of(part) or text, limits.FALLBACK_TEXT)
        for attempt in range(follow_up_tries):
            try:
                _post_one(client, channel, fallback, part, thread)
                break
            except SlackRateLimited as e:
                if attempt == follow_up_tries - 1:
                    raise
                sleep(e.wait(1, follow_up_max_wait))
    return first


def _post_one(client: WebClient, channel: str, text: str, blocks: list[dict], thread_ts: str | None,
              metadata: dict | None = None) -> str:
    args: dict[str, Any] = {"channel": channel, "text": text, "unfurl_links": False, "unfurl_media": False}
    if metadata:
        args["metadata"] = metadata
    if blocks:
        args["blocks"] = blocks
    if thread_ts:
        args["thread_ts"] = thread_ts
    return call(client.chat_postMessage, **args)["ts"]


def find_metadata(client: WebClient, channel: str, thread_ts: str | None, event_type: str, field: str, value: str,
                  pages: int = 5, per_page: int = 200) -> bool:
    """True when a message of the thread under `thread_ts` (the channel's latest messages when None) carries message
    metadata of `event_type` whose `field`, a space-separated list, holds `value`. Reads at most `pages` pages."""
    cursor = None
    for _ in range(pages):
        args: dict[str, Any] = {"channel": channel, "limit": per_page, "include_all_metadata": True}
        if cursor:
            args["cursor"] = cursor
        if thread_ts:
            answer = call(client.conversations_replies, ts=thread_ts, **args)
        else:
            answer = call(client.conversations_history, **args)
        for m in answer.get("messages") or []:
            meta = m.get("metadata") or {}
            if meta.get("event_type") == event_type and value in str((meta.get("event_payload") or {}).get(field,
                                                                                                           "")).split():
                return True
        cursor = (answer.get("response_metadata") or {}).get("next_cursor")
        if not cursor or not thread_ts:  # a root is among the channel's latest messages, or it is not there
            return False
    return False


def message_at(client: WebClient, channel: str, ts: str, thread_ts: str | None, pages: int = 5,
               per_page: int = 200) -> dict[str, Any] | None:
    """The message `ts` as Slack has it now (text, blocks), a thread's root (`thread_ts` None or `ts`) or one of its
    replies; None when it is gone. Reads at most `pages` pages of the thread."""
    if thread_ts in (None, ts):
        answer = call(client.conversations_history, channel=channel, latest=ts, inclusive=True, limit=1)
        return next((m for m in answer.get("messages") or [] if m.get("ts") == ts), None)
    cursor = None
    for _ in range(pages):
        args: dict[str, Any] = {"channel": channel, "ts": thread_ts, "limit": per_page}
        if cursor:
            args["cursor"] = cursor
        answer = call(client.conversations_replies, **args)
        found = next((m for m in answer.get("messages") or [] if m.get("ts") == ts), None)
        cursor = (answer.get("response_metadata") or {}).get("next_cursor")
        if found is not None or not cursor:
            return found
    return None


def permalink(client: WebClient, channel: str, ts: str) -> str | None:
    """A link to the message, or None when Slack gives none (the caller names the channel instead)."""
    try:
        return str(call(client.chat_getPermalink, channel=channel, message_ts=ts)["permalink"])
    except Exception as e:  # noqa: BLE001 - see above
        log.info("no permalink for %s %s (%s)", channel, ts, type(e).__name__)
        return None


def call(method: Callable[..., Any], **kwargs: Any) -> Any:
    """Any Web API call; a 429 raises SlackRateLimited with Slack's Retry-After."""
    try:
        return method(**kwargs)
    except SlackApiError as e:
        if e.response.status_code == 429:
            raise SlackRateLimited(_retry_after(e.response.headers), kwargs.get("channel")) from None
        raise


def _retry_after(headers: dict[str, Any]) -> int | None:
    """Slack's Retry-After in seconds (at least 1), or None when it sent none that reads as a number."""
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            if isinstance(value, list | tuple):
                value = value[0] if value else None
            try:
                return max(1, int(value))
            except (TypeError, ValueError):
                return None
    return None
