"""A template's values: what it needs when sent (`Needs`, read from its components), Meta's checks of the values,
the send's components, and the sent template as readable text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from integrations.meta.template_rules import MAX_BODY, MAX_COPY_CODE, MAX_HEADER
from integrations.slack.mrkdwn import escape
from metaops import messages
from metaops.templates.header_media import MEDIA_FORMATS, slack_file_id
from store.models import Template

VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
MAX_PARAMETER = 1024  # Meta's longest body parameter, characters
MAX_URL_SUFFIX = 2000  # the longest link Meta takes for a button, characters
COUPON = "coupon_code"  # the value key (and the modal's block id) of a copy-code button's coupon code


@dataclass(frozen=True)
class Button:
    index: int
    text: str
    url: str  # with its variable
    example: str


@dataclass(frozen=True)
class CopyCode:
    """A MARKETING template's copy-code (coupon) button: Meta allows one, and takes its code when it is sent."""

    index: int
    text: str  # Meta writes the button's own text
    example: str


@dataclass
class Needs:
    """What one template asks for when it is sent."""

    header_format: str | None = None  # TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION, or None
    header_text: str = ""
    header_variable: str | None = None  # the header's one variable ("1" or a name), when it has one
    header_example: str = ""
    body: str = ""
    body_variables: list[str] = field(default_factory=list)  # in order of first appearance
    body_examples: list[str] = field(default_factory=list)
    footer: str = ""
    url_buttons: list[Button] = field(default_factory=list)  # links that end in a variable
    copy_code: CopyCode | None = None  # the copy-code button, whose coupon code is given at send
    other_buttons: list[dict[str, Any]] = field(default_factory=list)
    named: bool = False  # named parameters ({{first_name}}) rather than positional ({{1}})
    otp_indexes: list[int] = field(default_factory=list)  # authentication buttons that take the code


def needs_of(components: list[dict[str, Any]], parameter_format: str | None = None) -> Needs:
    n = Needs(named=str(parameter_format or "").upper() == "NAMED")
    for c in components or []:
        kind = str(c.get("type", "")).upper()
        example = c.get("example") or {}
        if kind == "HEADER":
            n.header_format = str(c.get("format") or "TEXT").upper()
            n.header_text = str(c.get("text") or "")
            found = _variables(n.header_text)
            if found:
                n.header_variable = found[0]
                named = example.get("header_text_named_params") or []
                n.header_example = str((named[0] or {}).get("example", "")) if named else \
                    str((example.get("header_text") or [""])[0])
        elif kind == "BODY":
            n.body = str(c.get("text") or "")
            n.body_variables = _variables(n.body)
            named = {str(p.get("param_name")): str(p.get("example", "")) for p in
                     example.get("body_text_named_params") or []}
            rows = example.get("body_text") or [[]]
            positional = [str(x) for x in (rows[0] if rows else [])]
            n.body_examples = [named[v] if v in named else positional[i] if i < len(positional) else ""
                               for i, v in enumerate(n.body_variables)]
        elif kind == "FOOTER":
            n.footer = str(c.get("text") or "")
        elif kind == "BUTTONS":
            for i, b in enumerate(c.get("buttons") or []):
                url = str(b.get("url") or "")
                if b.get("type") == "URL" and VARIABLE.search(url):
                    examples = b.get("example") or []
                    n.url_buttons.append(Button(i, str(b.get("text") or ""), url, str(examples[0]) if examples
                                                else ""))
                elif b.get("type") == "OTP":
                    n.otp_indexes.append(i)
                elif str(b.get("type") or "").upper() == "COPY_CODE" and n.copy_code is None:
                    examples = b.get("example")
                    example = examples[0] if isinstance(examples, list) and examples else \
                        examples if isinstance(examples, str) else ""
                    n.copy_code = CopyCode(i, str(b.get("text") or ""), str(example or ""))
                else:
                    n.other_buttons.append(b)
    return n


def _variables(text: str) -> list[str]:
    seen: list[str] = []
    for v in VARIABLE.findall(text):
        if v not in seen:
            seen.append(v)
    return seen


def check(n: Needs, values: dict[str, str]) -> dict[str, str]:
    """Meta's rules for send parameters; errors keyed by the modal's block ids. `values` holds `header_text`,
    `header_media`, `body_<variable>`, `button_<index>` and `coupon_code`."""
    errors: dict[str, str] = {}
    if n.header_variable:
        v = values.get("header_text", "")
        if not v.strip():
            errors["header_text"] = messages.SEND_VALUE_MISSING
        elif "\n" in v:
            errors["header_text"] = messages.SEND_NO_NEWLINES
        elif len(fill(n.header_text, {n.header_variable: v})) > MAX_HEADER:
            errors["header_text"] = messages.SEND_HEADER_LONG.format(limit=MAX_HEADER)
    if n.header_format in MEDIA_FORMATS and not slack_file_id(values.get("header_media", "")):
        errors["header_media"] = messages.SEND_MEDIA_MISSING
    body_values = {}
    for var in n.body_variables:
        key = f"body_{var}"
        v = values.get(key, "")
        body_values[var] = v
        if not v.strip():
            errors[key] = messages.SEND_VALUE_MISSING
        elif "\n" in v or "\t" in v or "     " in v:
            errors[key] = messages.SEND_PARAMETER_SPACES
        elif len(v) > MAX_PARAMETER:
            errors[key] = messages.SEND_PARAMETER_LONG.format(limit=MAX_PARAMETER)
    if not any(k.startswith("body_") for k in errors) and len(fill(n.body, body_values)) > MAX_BODY:
        errors[f"body_{n.body_variables[-1]}" if n.body_variables else "template"] = \
            messages.SEND_BODY_LONG.format(limit=MAX_BODY)
    for b in n.url_buttons:
        key = f"button_{b.index}"
        v = values.get(key, "")
        if not v.strip():
            errors[key] = messages.SEND_VALUE_MISSING
        elif re.search(r"\s", v):
            errors[key] = messages.SEND_URL_SPACES
        elif len(fill(b.url, {k: v for k in _variables(b.url)})) > MAX_URL_SUFFIX:
            errors[key] = messages.SEND_URL_LONG.format(limit=MAX_URL_SUFFIX)
    if n.copy_code is not None:
        v = values.get(COUPON, "")
        if not v.strip():
            errors[COUPON] = messages.SEND_VALUE_MISSING
        elif re.search(r"\s", v):
            errors[COUPON] = messages.SEND_COUPON_SPACES
        elif len(v) > MAX_COPY_CODE:
            errors[COUPON] = messages.SEND_COUPON_LONG.format(limit=MAX_COPY_CODE, given=len(v))
    return errors


def fill(text: str, values: dict[str, str]) -> str:
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def components(n: Needs, values: dict[str, str], media_id: str | None = None,
               filename: str | None = None) -> list[dict[str, Any]]:
    """The send's components, as Meta takes them."""
    out: list[dict[str, Any]] = []
    if n.header_variable:
        out.append({"type": "header", "parameters": [_text(n, n.header_variable, values["header_text"])]})
    elif n.header_format in MEDIA_FORMATS and media_id:
        kind = n.header_format.lower()
        media: dict[str, str] = {"id": media_id}
        if kind == "document" and filename:
            media["filename"] = filename
        out.append({"type": "header", "parameters": [{"type": kind, kind: media}]})
    if n.body_variables:
        out.append({"type": "body", "parameters": [_text(n, v, values[f"body_{v}"]) for v in n.body_variables]})
    for b in n.url_buttons:
        out.append({"type": "button", "sub_type": "url", "index": str(b.index),
                    "parameters": [{"type": "text", "text": values[f"button_{b.index}"]}]})
    if n.copy_code is not None:
        out.append({"type": "button", "sub_type": "copy_code", "index": str(n.copy_code.index),
                    "parameters": [{"type": "coupon_code", "coupon_code": values[COUPON]}]})
    for i in n.otp_indexes:  # an authentication template's copy-code button carries the code too
        code = values.get(f"body_{n.body_variables[0]}", "") if n.body_variables else ""
        out.append({"type": "button", "sub_type": "url", "index": str(i),
                    "parameters": [{"type": "text", "text": code}]})
    return out


def _text(n: Needs, var: str, value: str) -> dict[str, str]:
    p = {"type": "text", "text": value}
    if n.named:
        p["parameter_name"] = var
    return p


def readable(t: Template, n: Needs, values: dict[str, str], user_id: str, filename: str | None = None) -> str:
    """The sent template as the team reads it in the thread: every variable filled in."""
    body_values = {v: values.get(f"body_{v}", "") for v in n.body_variables}
    lines = [messages.SEND_POSTED.format(user=user_id, name=escape(t.name), language=t.language,
                                         category=t.category)]
    if n.header_variable:
        lines.append(f"*{escape(fill(n.header_text, {n.header_variable: values.get('header_text', '')}))}*")
    elif n.header_text:
        lines.append(f"*{escape(n.header_text)}*")
    elif n.header_format in MEDIA_FORMATS:
        lines.append(messages.SEND_POSTED_MEDIA.format(kind=n.header_format.lower(), name=escape(filename or "")))
    lines.append(escape(fill(n.body, body_values)))
    if n.footer:
        lines.append(f"_{escape(n.footer)}_")
    for b in n.url_buttons:
        url = fill(b.url, {k: values.get(f"button_{b.index}", "") for k in _variables(b.url)})
        lines.append(f"[{escape(b.text)}] {url}")
    if n.copy_code is not None:
        lines.append(f"[{escape(n.copy_code.text or messages.SEND_COUPON_BUTTON)}] {escape(values.get(COUPON, ''))}")
    for other in n.other_buttons:
        target = other.get("phone_number") or other.get("url") or ""
        lines.append(f"[{escape(str(other.get('text', '')))}]" + (f" {target}" if target else ""))
    return "\n".join(lines)


def value_names(n: Needs) -> list[tuple[str, str]]:
    """(value key, how a person names it) of every value the template takes, in the order a step lists them: the
    header's variable, the body's variables, the link ending of each URL button, then the copy-code button's
    coupon code."""
    out = [("header_text", f"header {{{{{n.header_variable}}}}}")] if n.header_variable else []
    out += [(f"body_{v}", f"body {{{{{v}}}}}") for v in n.body_variables]
    out += [(f"button_{b.index}", f"button “{b.text}” link ending") for b in n.url_buttons]
    if n.copy_code is not None:
        out.append((COUPON, "copy-code button coupon code"))
    return out
