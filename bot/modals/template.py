"""The WhatsApp template modal (SPEC, Modals): build it, and handle its submission."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from integrations.meta.errors import GraphError
from integrations.meta.template_rules import CATEGORIES, Draft
from integrations.slack.blocks import input_block, modal, option, plain_text_input, section, static_select
from metaops import messages, templates
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
        meta = json.loads(view.get("private_metadata") or "{}")
        draft = draft_from_state(view["state"]["values"], meta)
        team = meta.get("team_id") or body.get("team", {}).get("id", "")
        present = {b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"}
        try:
            if meta.get("template_id"):
                templates.edit(rt, team, meta["template_id"], draft)
                done = messages.TEMPLATE_EDITED
            else:
                templates.create(rt, team, draft)
                done = messages.TEMPLATE_SUBMITTED
        except templates.Refused as e:
            errors = {}
            for key, msg in e.errors.items():
                target = key if key in present else "body"
                errors[target] = f"{errors[target]} {msg}" if target in errors else msg
            ack(response_action="errors", errors=errors)
            return
        except (NotConnected, GraphError) as e:
            text = e.user_text() if isinstance(e, GraphError) else str(e)
            ack(response_action="errors", errors={"body": text[:300]})
            return
        except Exception:  # noqa: BLE001
            ref = uuid.uuid4().hex[:8]
            logging.getLogger(__name__).exception("template submission failed (ref %s)", ref)
            ack(response_action="errors", errors={"body": messages.FAILED.format(ref=ref)})
            return
        ack()
        templates.mark_stale(rt, team)
        try:
            client.chat_postEphemeral(channel=meta.get("channel_id"), user=body["user"]["id"],
                                      text=done.format(name=draft.name, language=draft.language))
        except Exception:  # noqa: BLE001 - the template was submitted; the confirmation is a courtesy
            logging.getLogger(__name__).warning("template confirmation could not be posted")
