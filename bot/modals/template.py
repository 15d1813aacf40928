"""The WhatsApp template modal (SPEC, Modals): build it, and handle its submission."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

import integrations.slack.files
from bot.modals import submission
from bot.runtime import runtime_of
from integrations.meta.template_rules import (
    AUTH_SECURITY,
    AUTH_ZERO_TAP_TERMS,
    CATEGORIES,
    MEDIA_FORMATS,
    Draft,
    check,
    slack_file_id,
)
from integrations.slack.blocks import (
    checkboxes,
    input_block,
    modal,
    option,
    plain_text_input,
    section,
    static_select,
)
from metaops import messages
from metaops.exceptions import NotConnected
from metaops.surfaces import submissions
from metaops.templates import catalog, header_media

CALLBACK_ID = "template_modal"
# field -> (label, multiline, optional, hint). The SPEC's labels stay; the inputs after Buttons are for
# AUTHENTICATION templates only (Meta writes their body and footer: Body and Footer stay empty), and a media header
# comes from a file shared in Slack (Header sample file) rather than from the text of Header.
FIELDS = {
    "name": ("Name", False, False, "lowercase letters, digits and underscores"),
    "language": ("Language", False, False, "for example en_US"),
    "category": ("Category", False, False, ""),
    "header": ("Header", False, True, "optional text, at most 60 characters; may hold {{1}}"),
    "header_sample": ("Header sample file", False, True,
                      "image, video or document header: a file shared in Slack, its link or id (F…): JPEG/PNG "
                      "5 MB, MP4 16 MB, PDF 100 MB"),
    "header_example": ("Header example", False, True, "needed when the header has {{1}}"),
    "body": ("Body", True, True, "at most 1024 characters; variables {{1}}, {{2}}… in order; empty for "
                                 "AUTHENTICATION (Meta writes it)"),
    "body_examples": ("Body examples", False, True, "one value per variable, comma-separated"),
    "footer": ("Footer", False, True, "optional, at most 60 characters"),
    "buttons": ("Buttons", True, True, "one per line: Text, Text | https://…, Text | +15551234567, COPY:CODE, "
                                       "Text | FLOW:<flow id>, OTP:COPY_CODE|ONE_TAP|ZERO_TAP"),
    "auth_options": ("Authentication options", False, True, "AUTHENTICATION only"),
    "code_expiration": ("Code expires in (minutes)", False, True,
                        "AUTHENTICATION only: 1 to 90; Meta adds \"This code expires in N minutes.\""),
    "android_apps": ("Android apps", True, True, "AUTHENTICATION with OTP:ONE_TAP or ZERO_TAP: one app per line, "
                                                 "package_name | signature_hash"),
}
EDIT_FIELDS = tuple(k for k in FIELDS if k not in ("name", "language"))
AUTH_OPTIONS = ((AUTH_SECURITY, messages.TEMPLATE_AUTH_SECURITY),
                (AUTH_ZERO_TAP_TERMS, messages.TEMPLATE_AUTH_ZERO_TAP))


def build(draft: Draft | None = None, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """The modal; with `meta["template_id"]` it edits that template (name and language cannot change)."""
    draft = draft or Draft(language="en_US", category="UTILITY")
    editing = bool(meta and meta.get("template_id"))
    if draft.header_format in MEDIA_FORMATS and draft.header_handle:  # an edit keeps the stored media header
        meta = {**(meta or {}), "header_format": draft.header_format, "header_handle": draft.header_handle}
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
        elif key == "auth_options":
            choices = [option(text, value) for value, text in AUTH_OPTIONS]
            ticked = set(str(initial).split(","))
            element = checkboxes("value", choices, [o for o in choices if o["value"] in ticked])
        else:
            element = plain_text_input("value", multiline, initial or None)
        blocks.append(input_block(label, key, element, optional=optional, hint=hint))
    return modal("Edit template" if editing else "New template", CALLBACK_ID, blocks, submit="Submit to Meta",
                 close="Cancel", private_metadata=json.dumps(meta or {}))


def draft_from_state(values: dict[str, Any], meta: dict[str, Any]) -> Draft:
    d = Draft(name=meta.get("name", ""), language=meta.get("language", ""),
              header_format=str(meta.get("header_format") or ""), header_handle=str(meta.get("header_handle") or ""))
    for key in FIELDS:
        v = (values.get(key) or {}).get("value") or {}
        if v.get("type") == "checkboxes":
            value: Any = ",".join(str(o.get("value")) for o in v.get("selected_options") or [])
        elif v.get("type") == "static_select":
            value = (v.get("selected_option") or {}).get("value")
        else:
            value = v.get("value")
        if value is not None:
            setattr(d, key, str(value).strip())
    return d


def describe_sample(client: WebClient, d: Draft, user_id: str, channel_id: str) -> str | None:
    """What Slack says of the header sample (type and size, into the draft), or why the app cannot read it or the
    submitter (`user_id`, in the form's channel `channel_id`) may not use it."""
    file_id = slack_file_id(d.header_sample)
    if not d.header_sample or not file_id:
        return None  # nothing to read, or not a file: the rules say so
    try:
        info = integrations.slack.files.info(client, file_id)
    except SlackApiError:
        return messages.SEND_MEDIA_UNREADABLE
    refused = header_media.file_refusal(info, user_id, channel_id)
    if refused:
        return refused
    d.header_sample_type, d.header_sample_size = str(info.get("mimetype") or ""), int(info.get("size") or 0)
    return None


def template_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                       context: BoltContext) -> None:
    """The template modal: Meta's rules checked under each field, then created or edited at Meta by a job."""
    rt = runtime_of(context)
    if submission.refused(rt, ack, body, view, client, "body"):
        return
    team = body["team"]["id"]
    meta = submissions.metadata(view)
    draft = draft_from_state(view["state"]["values"], meta)
    present = {b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"}
    template_id = meta.get("template_id")
    errors: dict[str, str] = {}
    unreadable = describe_sample(client, draft, body["user"]["id"], str(meta.get("channel_id") or ""))
    if unreadable:
        errors["header_sample"] = unreadable
    for key, msg in check(draft, editing=bool(template_id)).errors.items():  # Meta's rules, before Meta
        if key in errors:
            continue
        target = key if key in present else "body"
        errors[target] = f"{errors[target]} {msg}" if target in errors else msg
    try:
        catalog.wabas(rt, team)
    except NotConnected as e:
        errors.setdefault("body", str(e))
    if template_id and not catalog.owned(rt, team, str(template_id)):
        errors.setdefault("body", messages.TEMPLATE_ID_NOT_FOUND)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    submission.queue(rt, ack, submissions.TEMPLATE, body, view,
                     {"draft": dataclasses.asdict(draft), "template_id": str(template_id) if template_id else None},
                     error_field="body")


def register(app: App) -> None:
    app.view(CALLBACK_ID)(template_submitted)
