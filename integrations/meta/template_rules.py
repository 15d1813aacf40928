"""Meta's rules for WhatsApp message templates, checked before anything is sent, and the components
they turn into. Every broken field gets its own message, keyed by the modal's field name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

NAME = re.compile(r"^[a-z0-9_]+$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
VARIABLE = re.compile(r"\{\{\s*(\d+)\s*\}\}")
ADJACENT = re.compile(r"\{\{\s*\d+\s*\}\}\s*\{\{\s*\d+\s*\}\}")
PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
URL = re.compile(r"^https?://\S+$")
CATEGORIES = ("MARKETING", "UTILITY", "AUTHENTICATION")
MAX_NAME, MAX_BODY, MAX_HEADER, MAX_FOOTER = 512, 1024, 60, 60
MAX_BUTTONS, MAX_URL_BUTTONS, MAX_PHONE_BUTTONS, MAX_BUTTON_TEXT = 10, 2, 1, 25


@dataclass
class Draft:
    """What the template modal holds."""

    name: str = ""
    language: str = ""
    category: str = ""
    header: str = ""
    header_example: str = ""
    body: str = ""
    body_examples: str = ""
    footer: str = ""
    buttons: str = ""


@dataclass
class Checked:
    errors: dict[str, str] = field(default_factory=dict)  # field name -> what is wrong
    components: list[dict[str, Any]] = field(default_factory=list)


def check(d: Draft, editing: bool = False) -> Checked:
    """Meta's rules; `editing` skips name and language, which Meta does not let change."""
    out = Checked()
    e = out.errors
    if not editing:
        if not d.name:
            e["name"] = "A name is required."
        elif len(d.name) > MAX_NAME:
            e["name"] = f"At most {MAX_NAME} characters."
        elif not NAME.match(d.name):
            e["name"] = "Only lowercase letters, digits and underscores (for example order_update_2)."
        if not LANGUAGE.match(d.language):
            e["language"] = "A language code such as en_US, en or pt_BR."
    if d.category not in CATEGORIES:
        e["category"] = "Choose MARKETING, UTILITY or AUTHENTICATION."

    header_vars = _variables(d.header)
    if len(d.header) > MAX_HEADER:
        e["header"] = f"At most {MAX_HEADER} characters ({len(d.header)} now)."
    elif header_vars and header_vars != [1] or len(VARIABLE.findall(d.header)) > 1:
        e["header"] = "A header may hold one variable, {{1}}."
    elif header_vars and not d.header_example.strip():
        e["header_example"] = "Give an example for {{1}} in the header."

    body_vars = _variables(d.body)
    examples = [x.strip() for x in d.body_examples.split(",")] if d.body_examples.strip() else []
    if not d.body.strip():
        e["body"] = "A body is required."
    elif len(d.body) > MAX_BODY:
        e["body"] = f"At most {MAX_BODY} characters ({len(d.body)} now)."
    elif body_vars != list(range(1, len(body_vars) + 1)):
        e["body"] = "Number variables in order from {{1}}: {{1}}, then {{2}}, and so on, with none skipped."
    elif VARIABLE.match(d.body.strip()) or re.search(r"\{\{\s*\d+\s*\}\}$", d.body.strip()):
        e["body"] = "The body may not start or end with a variable: add words around it."
    elif ADJACENT.search(d.body):
        e["body"] = "Two variables may not stand side by side: put words between them."
    if "body" not in e:
        if body_vars and len(examples) != len(body_vars):
            e["body_examples"] = (f"Give {len(body_vars)} example value(s), comma-separated, one per variable "
                                  f"({len(examples)} given).")
        elif not body_vars and examples:
            e["body_examples"] = "The body has no variables: leave the examples empty."
        elif any(not x for x in examples):
            e["body_examples"] = "An example value is empty."

    if len(d.footer) > MAX_FOOTER:
        e["footer"] = f"At most {MAX_FOOTER} characters ({len(d.footer)} now)."
    elif VARIABLE.search(d.footer):
        e["footer"] = "A footer may not hold variables."

    buttons, button_error = _buttons(d.buttons)
    if button_error:
        e["buttons"] = button_error
    if not e:
        out.components = _components(d, header_vars, examples, buttons)
    return out


def _variables(text: str) -> list[int]:
    """Distinct variable numbers in order of first appearance."""
    seen: list[int] = []
    for n in (int(x) for x in VARIABLE.findall(text)):
        if n not in seen:
            seen.append(n)
    return seen


def _buttons(raw: str) -> tuple[list[dict[str, str]], str | None]:
    buttons = []
    for i, line in enumerate((x.strip() for x in raw.splitlines()), 1):
        if not line:
            continue
        text, _, target = (p.strip() for p in line.partition("|"))
        if not text:
            return [], f"Line {i}: the button needs a text before the |."
        if len(text) > MAX_BUTTON_TEXT:
            return [], f"Line {i}: button text at most {MAX_BUTTON_TEXT} characters ({len(text)} now)."
        if not target:
            buttons.append({"type": "QUICK_REPLY", "text": text})
        elif URL.match(target):
            buttons.append({"type": "URL", "text": text, "url": target})
        elif PHONE.match(target.replace(" ", "")):
            buttons.append({"type": "PHONE_NUMBER", "text": text, "phone_number": target.replace(" ", "")})
        else:
            return [], f"Line {i}: after | put an https:// link or a phone number such as +15551234567."
    kinds = [b["type"] for b in buttons]
    if len(buttons) > MAX_BUTTONS:
        return [], f"At most {MAX_BUTTONS} buttons ({len(buttons)} now)."
    if kinds.count("URL") > MAX_URL_BUTTONS:
        return [], f"At most {MAX_URL_BUTTONS} link buttons."
    if kinds.count("PHONE_NUMBER") > MAX_PHONE_BUTTONS:
        return [], f"At most {MAX_PHONE_BUTTONS} phone button."
    quick = [i for i, k in enumerate(kinds) if k == "QUICK_REPLY"]
    if quick and quick != list(range(quick[0], quick[0] + len(quick))):
        return [], "Keep quick replies together: all before, or all after, the link and phone buttons."
    return buttons, None


def _components(d: Draft, header_vars: list[int], examples: list[str],
                buttons: list[dict[str, str]]) -> list[dict[str, Any]]:
    components: list[dict[str, Any]] = []
    if d.header:
        header: dict[str, Any] = {"type": "HEADER", "format": "TEXT", "text": d.header}
        if header_vars:
            header["example"] = {"header_text": [d.header_example.strip()]}
        components.append(header)
    body: dict[str, Any] = {"type": "BODY", "text": d.body}
    if examples:
        body["example"] = {"body_text": [examples]}
    components.append(body)
    if d.footer:
        components.append({"type": "FOOTER", "text": d.footer})
    if buttons:
        components.append({"type": "BUTTONS", "buttons": buttons})
    return components


def draft_from_components(name: str, language: str, category: str, components: list[dict[str, Any]]) -> Draft:
    """A stored template back into the modal's fields (for edit)."""
    d = Draft(name=name, language=language, category=category)
    for c in components or []:
        kind = c.get("type")
        if kind == "HEADER" and c.get("format", "TEXT") == "TEXT":
            d.header = c.get("text", "")
            d.header_example = ", ".join((c.get("example") or {}).get("header_text") or [])
        elif kind == "BODY":
            d.body = c.get("text", "")
            rows = (c.get("example") or {}).get("body_text") or [[]]
            d.body_examples = ", ".join(rows[0]) if rows else ""
        elif kind == "FOOTER":
            d.footer = c.get("text", "")
        elif kind == "BUTTONS":
            lines = []
            for b in c.get("buttons") or []:
                target = b.get("url") or b.get("phone_number")
                lines.append(f"{b.get('text')} | {target}" if target else str(b.get("text")))
            d.buttons = "\n".join(lines)
    return d


def field_for_meta_error(message: str) -> str:
    """Which field Meta's refusal is about, from its words; the body when it does not say."""
    m = message.lower()
    for word, name in (("name", "name"), ("language", "language"), ("category", "category"),
                       ("header", "header"), ("footer", "footer"), ("button", "buttons"),
                       ("example", "body_examples"), ("parameter", "body_examples")):
        if word in m:
            return name
    return "body"
