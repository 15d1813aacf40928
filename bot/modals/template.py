"""The WhatsApp template modal (SPEC, Modals): build it, and handle its submission."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.modals import submission
from integrations.meta.template_rules import CATEGORIES, Draft, check
from integrations.slack.blocks import input_block, modal, option, plain_text_input, section, static_select
from metaops import messages, submissions, templates
from metaops.exceptions import NotConnected
from metaops.runtime import Runtime

CALLBACK_ID = "template_modal"
# field -> (label, multiline, optional, hint)
FIELDS = {
    "name": ("Name", False, False, "lowercase letters, digits and underscores"),
    "language": ("Language", False, False, "for example en_US"),
    "category": ("Category", False, False, ""),
    "header": ("Header", False, True, "optional text, at most 60 characters; may hold {{1}}"),
    "header_example": ("Header example", False, True, "needed when the header has {{1}}"),
    "body": ("Body", True, False, "at most 1024 characters; variables {{1}}, {{2}}… in order"),
    "body_examples": ("Body examples", False, True, "one value per variable, comma-separated"),
    "footer": ("Footer", False, True, "optional, at most 60 characters"),
    "buttons": ("Buttons", True, True, "one per line: Text (quick reply), Text | https://… or Text | +15551234567"),
}
EDIT_FIELDS = ("category", "header", "header_example", "body", "body_examples", "footer", "buttons")


def build(draft: Draft | None = None, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """The modal; with `meta["template_id"]` it edits that template (name and language cannot change)."""
    draft = draft or Draft(language="en_US", category="UTILITY")
    editing = bool(meta and meta.get("template_id"))
    blocks: list[dict[str, Any]] = []
    if editing:
        blocks.append(section(messages.TEMPLATE_EDIT_NOTE.format(name=draft.name, language=draft.language)))
    for key, (label, multiline, optional, hint) in FIELDS.items():
        if editing and key not in EDIT_FIELDS:
            continue
        initial = getattr(draft, key)
        if key == "category":
            element = static_select("value", [option(c, c) for c in CATEGORIES],
                                    option(initial, initial) if initial in CATEGORIES else None)
        else:
            element = plain_text_input("value", multiline, initial or None)
        blocks.append(input_block(label, key, element, optional=optional, hint=hint))
    return modal("Edit template" if editing else "New template", CALLBACK_ID, blocks, submit="Submit to Meta",
                 close="Cancel", private_metadata=json.dumps(meta or {}))


def draft_from_state(values: dict[str, Any], meta: dict[str, Any]) -> Draft:
    d = Draft(name=meta.get("name", ""), language=meta.get("language", ""))
    for key in FIELDS:
        v = (values.get(key) or {}).get("value") or {}
        value = (v.get("selected_option") or {}).get("value") if v.get("type") == "static_select" else v.get("value")
        if value is not None:
            setattr(d, key, str(value).strip())
    return d


def register(app: App, rt: Runtime) -> None:
    @app.view(CALLBACK_ID)
    def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        refused = submission.refusal(rt, body, view, client)
        if refused:
            ack(response_action="errors", errors={"body": refused})
            return
        team = body["team"]["id"]
        meta = submissions.metadata(view)
        draft = draft_from_state(view["state"]["values"], meta)
        present = {b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"}
        template_id = meta.get("template_id")
        errors: dict[str, str] = {}
        for key, msg in check(draft, editing=bool(template_id)).errors.items():  # Meta's rules, before Meta
            target = key if key in present else "body"
            errors[target] = f"{errors[target]} {msg}" if target in errors else msg
        try:
            templates.wabas(rt, team)
        except NotConnected as e:
            errors.setdefault("body", str(e))
        if template_id and not templates.owned(rt, team, str(template_id)):
            errors.setdefault("body", messages.TEMPLATE_ID_NOT_FOUND)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        submission.queue(rt, ack, submissions.TEMPLATE, body, view,
                         {"draft": dataclasses.asdict(draft), "template_id": str(template_id) if template_id else None},
                         error_field="body")
