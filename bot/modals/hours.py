"""The away-hours modal of one number, Page or Instagram account (`/meta hours` → Edit): on/off, time zone, the
ranges of each weekday, holidays, the away message and, for a WhatsApp number, the template Meta requires outside
the 24-hour window. Every field is checked within Slack's 3 seconds, its problem said under it (metaops.away.form)."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.modals import submission
from bot.runtime import runtime_of
from integrations.slack.blocks import (
    checkboxes,
    context_block,
    input_block,
    modal,
    option,
    plain_text_input,
    static_select,
)
from metaops import messages
from metaops.away import config, fallback, form
from metaops.away.config import Asset, Setting
from metaops.away.schedule import DAYS
from metaops.exceptions import Refusal
from metaops.surfaces import submissions
from metaops.templates import send_template

log = logging.getLogger(__name__)
CALLBACK_ID = "hours_modal"
ON = "on"
NO_TEMPLATE = "none"
DAY_LABELS = dict(zip(DAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
                      strict=True))
TIME_HINT = "HH:MM-HH:MM, several separated by commas (09:00-12:00, 13:00-17:30); empty: closed all day"


def build(found: Asset, setting: Setting | None, tz: str, templates: list[tuple[str, str]],
          meta: dict[str, Any]) -> dict[str, Any]:
    """The modal, filled with `setting` (or empty, in time zone `tz`); `templates`: (id, label) choices."""
    switch = option("Send the away message outside these hours", ON)
    weekly = setting.hours.weekly if setting else {}
    blocks = [
        context_block(f"*{found.name}* ({config.PLATFORM_NAMES[found.platform]})"),
        input_block("Away message", "enabled", checkboxes("value", [switch], [switch] if setting and setting.enabled
                                                          else None), optional=True),
        input_block("Time zone", "tz", plain_text_input("value", initial_value=setting.hours.tz if setting else tz),
                    hint="An IANA name such as Europe/Paris; the hours below are read in it"),
        *[input_block(DAY_LABELS[day], form.DAY_BLOCK.format(day=day), plain_text_input(
            "value", initial_value=form.spans_text(weekly.get(n, ()))), optional=True,
            hint=TIME_HINT if n == 0 else None) for n, day in enumerate(DAYS)],
        input_block("Holidays", "holidays", plain_text_input("value", multiline=True, initial_value="\n".join(
            sorted(d.isoformat() for d in setting.hours.holidays)) if setting else ""), optional=True,
            hint="Closed all day: dates as YYYY-MM-DD, one a line"),
        input_block("Away message", "message", plain_text_input(
            "value", multiline=True, initial_value=setting.message if setting else ""), optional=True,
            hint="Sent once per conversation per closed period, within Meta's 24-hour window"),
    ]
    if found.platform == "whatsapp":
        choices = [option("None: skip it and say so in the thread", NO_TEMPLATE)] + \
            [option(label[:75], tid) for tid, label in templates[:99]]
        chosen = next((o for o in choices if setting and o["value"] == setting.template_id), choices[0])
        blocks.append(input_block("Template outside the 24-hour window", "template",
                                  static_select("value", choices, chosen), optional=True,
                                  hint="Meta takes only an approved template once the window is closed"))
    return modal("Opening hours", CALLBACK_ID, blocks, submit="Save", close="Cancel",
                 private_metadata=json.dumps(meta))


def entered(view: dict[str, Any]) -> form.Entered:
    """The form's fields as typed, from the submitted view's state."""
    v = view["state"]["values"]
    picked = ((v.get("enabled") or {}).get("value") or {}).get("selected_options") or []
    return form.Entered(enabled=any(o.get("value") == ON for o in picked), tz=_typed(v, "tz"),
                        days={day: _typed(v, form.DAY_BLOCK.format(day=day)) for day in DAYS},
                        holidays=_typed(v, "holidays"), message=_typed(v, "message"))


def _typed(values: dict[str, Any], block: str) -> str:
    return str(((values.get(block) or {}).get("value") or {}).get("value") or "")


def hours_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                    context: BoltContext) -> None:
    """Checked field by field; saved, and the modal closes with a note to the admin."""
    rt = runtime_of(context)
    if submission.refused(rt, ack, body, view, client, "message"):
        return
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    meta = submissions.metadata(view)
    found = config.asset(rt, team_id, str(meta.get("business_id") or ""))
    if found is None:
        ack(response_action="errors", errors={"message": messages.HOURS_GONE})
        return
    checked = form.check(entered(view))
    template_id = _template(rt, team_id, found, view, checked.errors)
    if checked.errors or checked.hours is None:
        ack(response_action="errors", errors=checked.errors)
        return
    enabled = entered(view).enabled
    config.save(rt, team_id, found, user_id, enabled, checked.hours, checked.message, template_id)
    ack()
    try:
        client.chat_postEphemeral(channel=meta.get("channel_id", ""), user=user_id, text=messages.HOURS_SAVED.format(
            name=found.name, state="on" if enabled else "off"))
    except Exception as e:  # noqa: BLE001 - saved; the note is a courtesy
        log.info("hours saved note not posted (%s)", type(e).__name__)


def _template(rt: Any, team_id: str, found: Asset, view: dict[str, Any], errors: dict[str, str]) -> str | None:
    """The chosen fallback template's id (a WhatsApp number's own, usable), or None; a bad choice goes to `errors`."""
    picked = (((view["state"]["values"].get("template") or {}).get("value") or {}).get("selected_option") or {})
    value = str(picked.get("value") or NO_TEMPLATE)
    if found.platform != "whatsapp" or value == NO_TEMPLATE:
        return None
    try:
        t = send_template.template_of(rt, team_id, found.id, value)
    except Refusal:
        t = None
    if t is None or not fallback.usable(t):
        errors["template"] = messages.HOURS_TEMPLATE_GONE
        return None
    return value


def register(app: App) -> None:
    app.view(CALLBACK_ID)(hours_submitted)
