"""Slack's size limits, and pure functions that make any post fit them without losing text.

Sources: Slack's Block Kit reference (api.slack.com/reference/block-kit/blocks, .../block-elements,
.../composition-objects) and chat.postMessage's documentation (api.slack.com/methods/chat.postMessage).
Slack refuses a post that breaks a block limit with `invalid_blocks`; `text` beyond 40,000 characters is
truncated (changelog "Truncating really long messages", 2018-04)."""

from __future__ import annotations

import json
import re
from typing import Any

Block = dict[str, Any]

SECTION_TEXT = 3000  # section block: "Maximum length for the text in this field is 3000 characters"
SECTION_FIELDS = 10  # section block fields: "Maximum number of items is 10"
SECTION_FIELD_TEXT = 2000  # "Maximum length for the text in each item is 2000 characters"
HEADER_TEXT = 150  # header block: "Maximum length for the text in this field is 150 characters"
BUTTON_TEXT = 75  # button element: "Maximum length for the text in this field is 75 characters"
OPTION_TEXT = 75  # option object: "Maximum length for this field is 75 characters"
CONTEXT_ELEMENTS = 10  # context block: "Maximum number of items is 10"
ACTIONS_ELEMENTS = 25  # actions block: "There is a maximum of 25 elements in each action block"
TEXT_OBJECT = 3000  # a text object's text in a context block (mrkdwn/plain_text), like a section's
BLOCKS_PER_MESSAGE = 50  # chat.postMessage / Block Kit: "up to 50 blocks in each message"
HOME_BLOCKS = 100  # views.publish (Home tab), like modals: "up to 100 blocks in each view"
MESSAGE_TEXT = 40000  # chat.postMessage `text`: Slack truncates beyond 40,000 characters

# Ours, not Slack's documented numbers:
FALLBACK_TEXT = 4000  # the `text` fallback (notifications, screen readers): well under MESSAGE_TEXT
# Slack also answers `msg_blocks_too_long` for the blocks of one message as a whole, undocumented, seen at about
# 13,200 characters of block text (slackapi/bolt-js#2509): the JSON of one message's blocks stays under this.
MESSAGE_BLOCKS_SIZE = 12000

ELLIPSIS = "…"

# An HTML entity as Slack's mrkdwn escaping writes them (&amp; &lt; &gt;), or any other a text may hold.
_ENTITY = re.compile(r"&(?:[A-Za-z]{1,8}|#\d{1,7}|#x[0-9A-Fa-f]{1,6});")
_LONGEST_ENTITY = 11


def _cut(text: str, limit: int) -> int:
    """Where to end the first piece of `text` so that it holds at most `limit` characters: after the last newline
    or else the last space in the second half of the window, never inside an entity (`&amp;`) nor, when it can be
    helped, inside a `<...>` link or mention. Always at least 1, so splitting makes progress."""
    if len(text) <= limit:
        return len(text)
    window = text[:limit]
    cut = limit
    for sep in ("\n", " "):
        at = window.rfind(sep)
        if at >= limit // 2:
            cut = at + 1  # the separator stays with the first piece: the pieces join back to the text
            break
    opened = text.rfind("<", 0, cut)
    if opened > 0 and text.rfind(">", 0, cut) < opened and text.find(">", opened) >= cut:
        cut = opened  # a link cut in two would show as raw markup
    amp = text.rfind("&", max(0, cut - _LONGEST_ENTITY + 1), cut)
    if amp >= 0:
        entity = _ENTITY.match(text, amp)
        if entity and entity.end() > cut:
            cut = amp
    if cut <= 0:  # one unbreakable token longer than the limit: cut it, still outside an entity
        cut = limit
        amp = text.rfind("&", max(0, cut - _LONGEST_ENTITY + 1), cut)
        entity = _ENTITY.match(text, amp) if amp > 0 else None
        if entity and entity.end() > cut:
            cut = amp
    return cut


def split_mrkdwn(text: str, limit: int = SECTION_TEXT) -> list[str]:
    """`text` in pieces of at most `limit` characters that join back to it exactly, split preferably at a newline
    or a space and never inside an escape such as `&amp;`. A text that fits is one piece."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = _cut(rest, limit)
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    return pieces


def clip(text: str, limit: int) -> str:
    """`text` if it fits, else its longest prefix that fits with an ellipsis after it (plain text)."""
    if len(text) <= limit:
        return text
    return text[:max(0, limit - len(ELLIPSIS))].rstrip() + ELLIPSIS


def clip_mrkdwn(text: str, limit: int = FALLBACK_TEXT) -> str:
    """Like `clip`, but the cut falls at a newline or space where it can and never inside an escape."""
    if len(text) <= limit:
        return text
    return text[:_cut(text, limit - len(ELLIPSIS))].rstrip() + ELLIPSIS


def _clip_text_object(obj: Any, limit: int) -> Any:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) or len(obj["text"]) <= limit:
        return obj
    cut = clip_mrkdwn if obj.get("type") == "mrkdwn" else clip
    return {**obj, "text": cut(obj["text"], limit)}


def _clip_element(element: Any) -> Any:
    """A button's text clipped to BUTTON_TEXT; other elements as they are."""
    if isinstance(element, dict) and element.get("type") == "button" and "text" in element:
        return {**element, "text": _clip_text_object(element["text"], BUTTON_TEXT)}
    return element


def fit_block(block: Block) -> list[Block]:
    """One block as one or more that Slack takes: a section's long text over several sections (the first keeps
    the accessory and block_id), a context's many elements over several contexts, texts of headers, fields,
    context elements and buttons clipped."""
    kind = block.get("type")
    if kind == "section":
        block = dict(block)
        if "fields" in block:
            block["fields"] = [_clip_text_object(f, SECTION_FIELD_TEXT) for f in block["fields"][:SECTION_FIELDS]]
        if "accessory" in block:
            block["accessory"] = _clip_element(block["accessory"])
        text = block.get("text")
        if not isinstance(text, dict) or len(text.get("text") or "") <= SECTION_TEXT:
            return [block]
        if text.get("type") != "mrkdwn":
            return [{**block, "text": {**text, "text": clip(text["text"], SECTION_TEXT)}}]
        pieces = split_mrkdwn(text["text"], SECTION_TEXT)
        first = {**block, "text": {**text, "text": pieces[0]}}
        rest = [{"type": "section", "text": {**text, "text": p}} for p in pieces[1:]]
        return [first, *rest]
    if kind == "header":
        return [{**block, "text": _clip_text_object(block.get("text"), HEADER_TEXT)}]
    if kind == "context":
        elements = [_clip_text_object(e, TEXT_OBJECT) for e in block.get("elements", [])]
        if len(elements) <= CONTEXT_ELEMENTS:
            return [{**block, "elements": elements}]
        groups = [elements[i:i + CONTEXT_ELEMENTS] for i in range(0, len(elements), CONTEXT_ELEMENTS)]
        others = {k: v for k, v in block.items() if k not in ("elements", "block_id")}
        return [{**block, "elements": groups[0]}, *({**others, "elements": g} for g in groups[1:])]
    if kind == "actions":
        elements = [_clip_element(e) for e in block.get("elements", [])[:ACTIONS_ELEMENTS]]
        return [{**block, "elements": elements}]
    return [block]


def _size(block: Block) -> int:
    return len(json.dumps(block, ensure_ascii=False))


def fit_blocks(blocks: list[Block], max_blocks: int = BLOCKS_PER_MESSAGE,
               max_size: int = MESSAGE_BLOCKS_SIZE) -> list[list[Block]]:
    """The blocks of one post as the blocks of as many messages as it takes, in order: every block fitted
    (`fit_block`), at most `max_blocks` per message and their JSON at most `max_size` characters (a message
    always holds at least one block). No blocks: one message without blocks."""
    messages: list[list[Block]] = [[]]
    size = 0
    for block in (b for given in blocks for b in fit_block(given)):
        n = _size(block)
        if messages[-1] and (len(messages[-1]) >= max_blocks or size + n > max_size):
            messages.append([])
            size = 0
        messages[-1].append(block)
        size += n
    return messages


def text_of(blocks: list[Block]) -> str:
    """What the blocks say, as one mrkdwn text: section, header and context texts, one per line."""
    lines: list[str] = []
    for block in blocks:
        texts = [block.get("text")] + list(block.get("fields") or []) + list(
            block.get("elements") or [] if block.get("type") == "context" else [])
        lines.extend(t["text"] for t in texts if isinstance(t, dict) and isinstance(t.get("text"), str))
    return "\n".join(lines)
