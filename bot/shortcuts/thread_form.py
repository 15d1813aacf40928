"""What the thread's reply forms share (Saved reply, More…): the thread a message shortcut or a root button names,
a modal that only says why not, and the values read from a submitted view."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk.errors import SlackApiError

from bot.runtime import runtime_of
from integrations.slack.blocks import modal, section
from integrations.slack.errors import SlackRateLimited
from metaops import messages
from metaops.conversation import thread_forms

log = logging.getLogger(__name__)


def clicked_thread(body: dict[str, Any], context: BoltContext) -> Any:
    """The customer thread a shortcut's message or a root button's message belongs to, among the signed team's
    customer threads; None otherwise."""
    team = (body.get("team") or {}).get("id") or ""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    message = body.get("message") or {}
    root = thread_forms.root_of(message) or (body.get("container") or {}).get("message_ts")
    return thread_forms.thread_at(runtime_of(context), team, channel, root)


def notice(title: str, callback_id: str, text: str) -> dict[str, Any]:
    """A modal that only says why the form cannot be used here."""
    return modal(title, callback_id + "_notice", [section(text)], close="Close")


def value(view: dict[str, Any], block: str) -> str:
    """A text input's or a select's value in a submitted view ("" when absent); action ids equal block ids."""
    element = (((view.get("state") or {}).get("values") or {}).get(block) or {}).get(block) or {}
    return str(element.get("value") or (element.get("selected_option") or {}).get("value") or "")


def team_and_user(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return (body.get("team") or {}).get("id") or "", body.get("user") or {}


def send_and_ack(ack: Ack, rt: Any, team: str, user_id: str, view: dict[str, Any], thread: Any, text: str, by: str,
                 field: str, shown: list[dict[str, Any]] | None = None,
                 interactive: dict[str, Any] | None = None) -> None:
    """Post and store the reply (thread_forms.send), then close the modal; a failure is said under `field` and the
    form may be sent again."""
    try:
        thread_forms.send(rt, team, user_id, view.get("id") or "", thread, text, by, shown, interactive)
    except (SlackApiError, SlackRateLimited) as e:
        reason = e.response.get("error") if isinstance(e, SlackApiError) else "rate limited"
        ack(response_action="errors", errors={field: messages.FORWARD_POST_FAILED.format(reason=reason or "?")})
        return
    except Exception:  # noqa: BLE001 - said in the modal with a reference; nothing went to the customer
        ref = uuid.uuid4().hex[:8]
        log.exception("thread form %s failed (ref %s)", view.get("id"), ref)
        ack(response_action="errors", errors={field: messages.FAILED.format(ref=ref)})
        return
    ack()
