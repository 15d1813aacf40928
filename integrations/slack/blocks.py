"""Block Kit, as small functions that return the dicts Slack takes: text objects, blocks, elements, modals.

Only what the app sends; an argument left at None leaves its key out. Texts with a Slack limit (header, button,
option, context) are clipped to it; a long section text is split when posted (`limits.fit_blocks`)."""

from __future__ import annotations

from typing import Any

from integrations.slack import limits

Block = dict[str, Any]


def plain(text: str) -> Block:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def option(text: str, value: str, description: str | None = None) -> Block:
    """One choice of a select or a checkbox group (a checkbox may carry a line under it, `description`)."""
    found = {"text": plain(limits.clip(text, limits.OPTION_TEXT)), "value": value}
    return {**found, "description": plain(limits.clip(description, limits.OPTION_TEXT))} if description else found


def header(text: str) -> Block:
    return {"type": "header", "text": plain(limits.clip(text, limits.HEADER_TEXT))}


def section(text: str, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def context_block(*texts: str) -> Block:
    """Texts beyond Slack's ten elements share the tenth, so none is lost."""
    if len(texts) > limits.CONTEXT_ELEMENTS:
        last = limits.CONTEXT_ELEMENTS - 1
        texts = (*texts[:last], "  ·  ".join(texts[last:]))
    return {"type": "context", "elements": [mrkdwn(limits.clip_mrkdwn(t, limits.TEXT_OBJECT)) for t in texts]}


def actions(*elements: Block) -> Block:
    return {"type": "actions", "elements": list(elements)}


def confirm_dialog(title: str, text: str, confirm: str, deny: str, style: str | None = None) -> Block:
    """The "are you sure?" a button can ask before Slack sends its click."""
    dialog: Block = {"title": plain(title), "text": plain(text), "confirm": plain(confirm), "deny": plain(deny)}
    if style is not None:
        dialog["style"] = style
    return dialog


def button(text: str, action_id: str, value: str | None = None, url: str | None = None, style: str | None = None,
           confirm: Block | None = None) -> Block:
    element: Block = {"type": "button", "action_id": action_id, "text": plain(limits.clip(text, limits.BUTTON_TEXT))}
    for key, given in (("value", value), ("url", url), ("style", style), ("confirm", confirm)):
        if given is not None:
            element[key] = given
    return element


def plain_text_input(action_id: str, multiline: bool = False, initial_value: str | None = None) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": action_id, "multiline": multiline}
    if initial_value is not None:
        element["initial_value"] = initial_value
    return element


def url_text_input(action_id: str) -> Block:
    return {"type": "url_text_input", "action_id": action_id}


def datetimepicker(action_id: str, initial_date_time: int | None = None) -> Block:
    element: Block = {"type": "datetimepicker", "action_id": action_id}
    if initial_date_time is not None:
        element["initial_date_time"] = initial_date_time
    return element


def static_select(action_id: str, options: list[Block], initial_option: Block | None = None,
                  placeholder: str | None = None) -> Block:
    element: Block = {"type": "static_select", "action_id": action_id, "options": options}
    if initial_option is not None:
        element["initial_option"] = initial_option
    if placeholder is not None:
        element["placeholder"] = plain(limits.clip(placeholder, limits.OPTION_TEXT))
    return element


def users_select(action_id: str, placeholder: str) -> Block:
    """A picker of the workspace's people."""
    return {"type": "users_select", "action_id": action_id,
            "placeholder": plain(limits.clip(placeholder, limits.OPTION_TEXT))}


def conversations_select(action_id: str, initial_conversation: str | None = None,
                         channels_only: bool = False) -> Block:
    """A picker of channels and conversations the user can see (`channels_only`: public and private channels of
    this workspace, no direct messages)."""
    element: Block = {"type": "conversations_select", "action_id": action_id}
    if initial_conversation:
        element["initial_conversation"] = initial_conversation
    if channels_only:
        element["filter"] = {"include": ["public", "private"], "exclude_external_shared_channels": True,
                             "exclude_bot_users": True}
    return element


def number_input(action_id: str, least: int, most: int, initial_value: int | None = None) -> Block:
    """A whole number from `least` to `most` (Slack takes the bounds as strings)."""
    element: Block = {"type": "number_input", "action_id": action_id, "is_decimal_allowed": False,
                      "min_value": str(least), "max_value": str(most)}
    if initial_value is not None:
        element["initial_value"] = str(initial_value)
    return element


def checkboxes(action_id: str, options: list[Block], initial_options: list[Block] | None = None) -> Block:
    """Slack refuses an empty initial_options: none given, or an empty list, leaves the key out."""
    element: Block = {"type": "checkboxes", "action_id": action_id, "options": options}
    if initial_options:
        element["initial_options"] = initial_options
    return element


def input_block(label: str, block_id: str, element: Block, optional: bool | None = None,
                hint: str | None = None) -> Block:
    """An input of a modal; an empty hint is left out."""
    block: Block = {"type": "input", "block_id": block_id, "label": plain(label), "element": element}
    if optional is not None:
        block["optional"] = optional
    if hint:
        block["hint"] = plain(hint)
    return block


def modal(title: str, callback_id: str, blocks: list[Block], submit: str | None = None, close: str | None = None,
          private_metadata: str | None = None) -> Block:
    view: Block = {"type": "modal", "callback_id": callback_id, "title": plain(title), "blocks": blocks}
    if submit is not None:
        view["submit"] = plain(submit)
    if close is not None:
        view["close"] = plain(close)
    if private_metadata is not None:
        view["private_metadata"] = private_metadata
    return view
