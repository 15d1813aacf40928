"""The new-post modal of `/meta post`: build it, and handle its submission (publish now or schedule)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.modals import submission
from bot.runtime import runtime_of
from integrations.slack.blocks import (
    datetimepicker,
    input_block,
    modal,
    option,
    plain_text_input,
    static_select,
    url_text_input,
)
from metaops import messages
from metaops.assets import pages
from metaops.surfaces import submissions

CALLBACK_ID = "post_modal"


def build(options: list[tuple[str, str]], meta: dict[str, Any]) -> dict[str, Any]:
    """The modal for the connected Pages `options` ((page id, name), the first one chosen)."""
    picker = [option(name[:75], pid) for pid, name in options]
    return modal("New post", CALLBACK_ID, [
        input_block("Page", "page", static_select("value", picker, picker[0])),
        input_block("Message", "message", plain_text_input("value", multiline=True)),
        input_block("Link", "link", url_text_input("value"), optional=True),
        input_block("Scheduled time", "when", datetimepicker("value"), optional=True,
                    hint="Leave empty to publish now"),
    ], submit="Publish", close="Cancel", private_metadata=json.dumps(meta))


def post_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                   context: BoltContext) -> None:
    """The new-post modal: checked, then published (or scheduled) by a job."""
    rt = runtime_of(context)
    if submission.refused(rt, ack, body, view, client, "message"):
        return
    v = view["state"]["values"]
    page_id = ((v.get("page", {}).get("value") or {}).get("selected_option") or {}).get("value") or ""
    message = (v.get("message", {}).get("value", {}).get("value") or "").strip()
    link = (v.get("link", {}).get("value") or {}).get("value")
    stamp = (v.get("when", {}).get("value") or {}).get("selected_date_time")
    when = datetime.fromtimestamp(int(stamp), UTC) if stamp else None
    now = datetime.now(UTC)
    if when and not (pages.SCHEDULE_MIN <= when - now <= pages.SCHEDULE_MAX):
        ack(response_action="errors", errors={"when": messages.POST_TIME})
        return
    if not message:
        ack(response_action="errors", errors={"message": messages.POST_NO_MESSAGE})
        return
    if page_id not in dict(pages.connected_pages(rt, body["team"]["id"])):  # the team's own Pages only
        ack(response_action="errors", errors={"page": messages.PAGE_NOT_MANAGED.format(id=page_id[:40])})
        return
    submission.queue(rt, ack, submissions.POST, body, view,
                     {"page_id": page_id, "message": message, "link": link, "when": int(stamp) if stamp else None},
                     error_field="message")


def register(app: App) -> None:
    app.view(CALLBACK_ID)(post_submitted)
