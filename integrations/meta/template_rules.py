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
# Media headers: the sample's content types Meta's resumable upload takes, by header format, and the largest
# sample Meta takes for each format (bytes; the same limits as the media sent later).
MEDIA_FORMATS = ("IMAGE", "VIDEO", "DOCUMENT")
SAMPLE_TYPES = {"image/jpeg": "IMAGE", "image/jpg": "IMAGE", "image/png": "IMAGE", "video/mp4": "VIDEO",
                "application/pdf": "DOCUMENT"}
SAMPLE_LIMITS = {"IMAGE": 5 * 2**20, "VIDEO": 16 * 2**20, "DOCUMENT": 100 * 2**20}
SLACK_FILE = re.compile(r"(?:^|/)(F[A-Z0-9]{6,})(?:/|$)")  # a Slack file id, alone or inside one of its links
# Authentication templates: Meta writes the body and footer; the OTP button kinds; the code's expiry, minutes;
# the Android apps a one-tap or zero-tap button hands the code to (package name, 11-character signature hash).
OTP_TYPES = ("COPY_CODE", "ONE_TAP", "ZERO_TAP")
MIN_EXPIRY, MAX_EXPIRY = 1, 90
MAX_APPS = 5
PACKAGE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$")
MAX_PACKAGE = 224
SIGNATURE_HASH = re.compile(r"^[A-Za-z0-9+/]{11}$")
AUTH_SECURITY, AUTH_ZERO_TAP_TERMS = "security", "zero_tap_terms"  # the Authentication options' values
# Marketing copy-code (coupon) buttons: at most one, the code at most 15 characters; Flow buttons: at most one
MAX_COPY_CODE = 15
FLOW_ID = re.compile(r"^\d{1,20}$")
FLOW_SCREEN = re.compile(r"^[A-Z][A-Z0-9_]*$")


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
    # a media header: the sample as typed (a Slack file's link or id), what Slack says of it (content type, bytes),
    # and Meta's handle for it once uploaded; an edited template keeps its stored format and handle
    header_sample: str = ""
    header_sample_type: str = ""
    header_sample_size: int = 0
    header_format: str = ""  # IMAGE, VIDEO or DOCUMENT of a stored media header (editing); "" otherwise
    header_handle: str = ""
    # AUTHENTICATION only: ticked options (AUTH_SECURITY, AUTH_ZERO_TAP_TERMS, comma-separated), the code's expiry
    # in minutes as typed, and the Android apps (one per line: package_name | signature_hash)
    auth_options: str = ""
    code_expiration: str = ""
    android_apps: str = ""


def slack_file_id(raw: str) -> str | None:
    """A Slack file's id from its id (F…) or any of its links (permalink, private URL)."""
    found = SLACK_FILE.search((raw or "").strip())
    return found.group(1) if found else None


def media_format(d: Draft) -> str | None:
    """The header's media format: from the new sample's content type, else the stored one; None for text."""
    if d.header_sample.strip():
        return SAMPLE_TYPES.get(d.header_sample_type.lower())
    return d.header_format if d.header_format in MEDIA_FORMATS else None


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

    auth = d.category == "AUTHENTICATION"
    header_vars = _variables(d.header)
    _header(d, header_vars, auth, e)

    body_vars = _variables(d.body)
    examples = [x.strip() for x in d.body_examples.split(",")] if d.body_examples.strip() else []
    if auth:
        if d.body.strip():
            e["body"] = ("Meta writes an authentication template's body (\"{{1}} is your verification code.\"): "
                         "leave Body empty, and tick the security recommendation under Authentication options to "
                         "add it.")
        elif examples:
            e["body_examples"] = "An authentication template's body has no examples: leave them empty."
    elif not d.body.strip():
        e["body"] = "A body is required."
    elif len(d.body) > MAX_BODY:
        e["body"] = f"At most {MAX_BODY} characters ({len(d.body)} now)."
    elif body_vars != list(range(1, len(body_vars) + 1)):
        e["body"] = "Number variables in order from {{1}}: {{1}}, then {{2}}, and so on, with none skipped."
    elif VARIABLE.match(d.body.strip()) or re.search(r"\{\{\s*\d+\s*\}\}$", d.body.strip()):
        e["body"] = "The body may not start or end with a variable: add words around it."
    elif ADJACENT.search(d.body):
        e["body"] = "Two variables may not stand side by side: put words between them."
    if "body" not in e and not auth:
        if body_vars and len(examples) != len(body_vars):
            e["body_examples"] = (f"Give {len(body_vars)} example value(s), comma-separated, one per variable "
                                  f"({len(examples)} given).")
        elif not body_vars and examples:
            e["body_examples"] = "The body has no variables: leave the examples empty."
        elif any(not x for x in examples):
            e["body_examples"] = "An example value is empty."

    if auth and d.footer.strip():
        e["footer"] = ("Meta writes an authentication template's footer: leave Footer empty and put the code's "
                       "expiry in Code expires in (minutes).")
    elif len(d.footer) > MAX_FOOTER:
        e["footer"] = f"At most {MAX_FOOTER} characters ({len(d.footer)} now)."
    elif VARIABLE.search(d.footer):
        e["footer"] = "A footer may not hold variables."

    buttons, button_error = _buttons(d.buttons, d.category)
    if button_error:
        e["buttons"] = button_error
    otp = next((b["otp_type"] for b in buttons if b["type"] == "OTP"), None)
    expiry, apps = _auth_fields(d, auth, otp, e)
    if not e:
        if auth:
            out.components = _auth_components(d, expiry, buttons, apps)
        else:
            out.components = _components(d, header_vars, examples, buttons)
    return out


def _header(d: Draft, header_vars: list[int], auth: bool, e: dict[str, str]) -> None:
    sample = d.header_sample.strip()
    if auth and (d.header.strip() or sample):
        e["header" if d.header.strip() else "header_sample"] = (
            "An authentication template has no header: leave Header and Header sample file empty.")
        return
    if sample:
        kind = SAMPLE_TYPES.get(d.header_sample_type.lower())
        if d.header.strip():
            e["header"] = "A header is text or a file, not both: empty Header or Header sample file."
        elif not slack_file_id(sample):
            e["header_sample"] = "Paste the link or id (F…) of a file shared in Slack."
        elif kind is None:
            e["header_sample"] = ("A header sample is a JPEG or PNG image, an MP4 video or a PDF document; this "
                                  f"file is {d.header_sample_type or 'of an unknown type'}.")
        elif d.header_sample_size > SAMPLE_LIMITS[kind]:
            e["header_sample"] = f"An {kind.lower()} header sample may be at most {SAMPLE_LIMITS[kind] // 2**20} MB."
        elif d.header_example.strip():
            e["header_example"] = "A media header has no variable: leave Header example empty."
        return
    if len(d.header) > MAX_HEADER:
        e["header"] = f"At most {MAX_HEADER} characters ({len(d.header)} now)."
    elif header_vars and header_vars != [1] or len(VARIABLE.findall(d.header)) > 1:
        e["header"] = "A header may hold one variable, {{1}}."
    elif header_vars and not d.header_example.strip():
        e["header_example"] = "Give an example for {{1}} in the header."


def _auth_fields(d: Draft, auth: bool, otp: str | None, e: dict[str, str]
                 ) -> tuple[int | None, list[dict[str, str]]]:
    """The authentication inputs checked: (the code's expiry in minutes or None, the Android apps)."""
    options = _options(d.auth_options)
    expiry: int | None = None
    apps: list[dict[str, str]] = []
    if not auth:
        for key, filled in (("auth_options", options), ("code_expiration", d.code_expiration.strip()),
                            ("android_apps", d.android_apps.strip())):
            if filled:
                e[key] = "Only for AUTHENTICATION templates: leave it empty, or choose that category."
        return expiry, apps
    raw = d.code_expiration.strip()
    if raw:
        if not raw.isdigit() or not MIN_EXPIRY <= int(raw) <= MAX_EXPIRY:
            e["code_expiration"] = f"A whole number of minutes from {MIN_EXPIRY} to {MAX_EXPIRY}."
        else:
            expiry = int(raw)
    lines = [x.strip() for x in d.android_apps.splitlines() if x.strip()]
    if otp in ("ONE_TAP", "ZERO_TAP"):
        if not lines:
            e["android_apps"] = (f"A {otp} button needs your Android app: package_name | signature_hash "
                                 "(for example com.example.app | K8a/AINcGX7).")
        elif len(lines) > MAX_APPS:
            e["android_apps"] = f"At most {MAX_APPS} apps ({len(lines)} now)."
        for i, line in enumerate(lines, 1):
            if "android_apps" in e:
                break
            package, _, signature = (p.strip() for p in line.partition("|"))
            if not PACKAGE.match(package) or len(package) > MAX_PACKAGE:
                e["android_apps"] = (f"Line {i}: the package name is letters, digits and underscores in two or "
                                     "more parts joined by dots, each starting with a letter (for example "
                                     f"com.example.app), at most {MAX_PACKAGE} characters.")
            elif not SIGNATURE_HASH.match(signature):
                e["android_apps"] = f"Line {i}: after | put the app's signing key hash, 11 letters, digits, + or /."
            else:
                apps.append({"package_name": package, "signature_hash": signature})
    elif lines:
        e["android_apps"] = "Android apps are for ONE_TAP and ZERO_TAP buttons: leave them empty for COPY_CODE."
    if otp == "ZERO_TAP" and AUTH_ZERO_TAP_TERMS not in options:
        e["auth_options"] = "A ZERO_TAP button needs WhatsApp's zero-tap terms accepted: tick that option."
    elif AUTH_ZERO_TAP_TERMS in options and otp != "ZERO_TAP" and otp is not None:
        e["auth_options"] = "The zero-tap terms are for a ZERO_TAP button only: untick them."
    return expiry, apps


def _options(raw: str) -> list[str]:
    return [x.strip() for x in raw.split(",") if x.strip()]


def _variables(text: str) -> list[int]:
    """Distinct variable numbers in order of first appearance."""
    seen: list[int] = []
    for n in (int(x) for x in VARIABLE.findall(text)):
        if n not in seen:
            seen.append(n)
    return seen


def _buttons(raw: str, category: str = "") -> tuple[list[dict[str, Any]], str | None]:
    """The Buttons field, one button a line: `Text` quick reply, `Text | https://…` link, `Text | +1555…` phone,
    `[Text |] COPY:CODE` a marketing copy-code (coupon) button, `Text | FLOW:<flow id>[:SCREEN]` a WhatsApp Flow,
    `[Text |] OTP:COPY_CODE|ONE_TAP|ZERO_TAP` an authentication template's one-time password button."""
    buttons: list[dict[str, Any]] = []
    for i, line in enumerate((x.strip() for x in raw.splitlines()), 1):
        if not line:
            continue
        text, bar, target = (p.strip() for p in line.partition("|"))
        if not bar and text.upper().startswith(("OTP:", "COPY:")):
            text, target = "", text
        keyword, _, value = target.partition(":")
        keyword = keyword.strip().upper()
        value = value.strip()
        if len(text) > MAX_BUTTON_TEXT:
            return [], f"Line {i}: button text at most {MAX_BUTTON_TEXT} characters ({len(text)} now)."
        if keyword == "OTP":
            if value.upper() not in OTP_TYPES:
                return [], f"Line {i}: OTP:COPY_CODE, OTP:ONE_TAP or OTP:ZERO_TAP."
            otp: dict[str, Any] = {"type": "OTP", "otp_type": value.upper()}
            if text:
                otp["text" if value.upper() == "COPY_CODE" else "autofill_text"] = text
            buttons.append(otp)
            continue
        if keyword == "COPY":
            if not value or len(value) > MAX_COPY_CODE or any(c.isspace() for c in value):
                return [], f"Line {i}: after COPY: put the offer code, 1 to {MAX_COPY_CODE} characters, no spaces."
            buttons.append({"type": "COPY_CODE", "example": value})  # Meta writes the button's own text
            continue
        if not text:
            return [], f"Line {i}: the button needs a text before the |."
        if keyword == "FLOW":
            flow_id, _, screen = (p.strip() for p in value.partition(":"))
            if not FLOW_ID.match(flow_id):
                return [], f"Line {i}: after FLOW: put the Flow's id, its digits (WhatsApp Manager → Flows)."
            if screen and not FLOW_SCREEN.match(screen):
                return [], f"Line {i}: the Flow's first screen is its id in capitals, such as WELCOME_SCREEN."
            flow: dict[str, Any] = {"type": "FLOW", "text": text, "flow_id": flow_id, "flow_action": "navigate"}
            if screen:
                flow["navigate_screen"] = screen
            buttons.append(flow)
        elif not target:
            buttons.append({"type": "QUICK_REPLY", "text": text})
        elif URL.match(target):
            buttons.append({"type": "URL", "text": text, "url": target})
        elif PHONE.match(target.replace(" ", "")):
            buttons.append({"type": "PHONE_NUMBER", "text": text, "phone_number": target.replace(" ", "")})
        else:
            return [], (f"Line {i}: after | put an https:// link, a phone number such as +15551234567, COPY:CODE, "
                        "FLOW:<flow id> or OTP:COPY_CODE.")
    kinds = [b["type"] for b in buttons]
    if category == "AUTHENTICATION":
        if kinds != ["OTP"]:
            return [], ("An authentication template takes exactly one button, an OTP one: OTP:COPY_CODE, "
                        "OTP:ONE_TAP or OTP:ZERO_TAP.")
        return buttons, None
    if "OTP" in kinds:
        return [], "OTP buttons are for AUTHENTICATION templates only."
    if len(buttons) > MAX_BUTTONS:
        return [], f"At most {MAX_BUTTONS} buttons ({len(buttons)} now)."
    if kinds.count("URL") > MAX_URL_BUTTONS:
        return [], f"At most {MAX_URL_BUTTONS} link buttons."
    if kinds.count("PHONE_NUMBER") > MAX_PHONE_BUTTONS:
        return [], f"At most {MAX_PHONE_BUTTONS} phone button."
    if "COPY_CODE" in kinds and category != "MARKETING":
        return [], "A copy-code (offer code) button is for MARKETING templates only."
    if kinds.count("COPY_CODE") > 1:
        return [], "At most 1 copy-code button."
    if kinds.count("FLOW") > 1:
        return [], "At most 1 Flow button."
    quick = [i for i, k in enumerate(kinds) if k == "QUICK_REPLY"]
    if quick and quick != list(range(quick[0], quick[0] + len(quick))):
        return [], "Keep quick replies together: all before, or all after, the other buttons."
    return buttons, None


def _components(d: Draft, header_vars: list[int], examples: list[str],
                buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    components: list[dict[str, Any]] = []
    kind = media_format(d)
    if kind:  # Meta's handle of the uploaded sample ("" until the job has uploaded it)
        components.append({"type": "HEADER", "format": kind, "example": {"header_handle": [d.header_handle]}})
    elif d.header:
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


def _auth_components(d: Draft, expiry: int | None, buttons: list[dict[str, Any]],
                     apps: list[dict[str, str]]) -> list[dict[str, Any]]:
    """An authentication template as Meta takes it: Meta's own body (with the security recommendation or not),
    the expiry footer when given, and the one OTP button (with its apps and zero-tap terms when it needs them)."""
    components: list[dict[str, Any]] = [
        {"type": "BODY", "add_security_recommendation": AUTH_SECURITY in _options(d.auth_options)}]
    if expiry is not None:
        components.append({"type": "FOOTER", "code_expiration_minutes": expiry})
    otp = dict(buttons[0])
    if otp["otp_type"] in ("ONE_TAP", "ZERO_TAP"):
        otp["supported_apps"] = apps
    if otp["otp_type"] == "ZERO_TAP":
        otp["zero_tap_terms_accepted"] = True
    components.append({"type": "BUTTONS", "buttons": [otp]})
    return components


def draft_from_components(name: str, language: str, category: str, components: list[dict[str, Any]]) -> Draft:
    """A stored template back into the modal's fields (for edit)."""
    d = Draft(name=name, language=language, category=category)
    auth = category == "AUTHENTICATION"
    options: list[str] = []
    for c in components or []:
        kind = str(c.get("type", "")).upper()
        example = c.get("example") or {}
        if kind == "HEADER" and str(c.get("format", "TEXT")).upper() == "TEXT":
            d.header = c.get("text", "")
            d.header_example = ", ".join(example.get("header_text") or [])
        elif kind == "HEADER" and str(c.get("format")).upper() in MEDIA_FORMATS:
            d.header_format = str(c.get("format")).upper()
            d.header_handle = str((example.get("header_handle") or [""])[0])
        elif kind == "BODY":
            if c.get("add_security_recommendation") or (auth and "security" in str(c.get("text", "")).lower()):
                options.append(AUTH_SECURITY)
            if not auth:
                d.body = c.get("text", "")
                rows = example.get("body_text") or [[]]
                d.body_examples = ", ".join(rows[0]) if rows else ""
        elif kind == "FOOTER":
            if c.get("code_expiration_minutes") is not None:
                d.code_expiration = str(c["code_expiration_minutes"])
            elif auth:
                found = re.search(r"\d+", str(c.get("text", "")))
                d.code_expiration = found.group(0) if found else ""
            else:
                d.footer = c.get("text", "")
        elif kind == "BUTTONS":
            d.buttons = "\n".join(_button_line(b, d, options) for b in c.get("buttons") or [])
    d.auth_options = ",".join(options)
    return d


def _button_line(b: dict[str, Any], d: Draft, options: list[str]) -> str:
    kind = str(b.get("type", "")).upper()
    text = str(b.get("text") or "")
    if kind == "OTP":
        apps = b.get("supported_apps") or []
        d.android_apps = "\n".join(f"{a.get('package_name')} | {a.get('signature_hash')}" for a in apps)
        if b.get("zero_tap_terms_accepted"):
            options.append(AUTH_ZERO_TAP_TERMS)
        label = str(b.get("autofill_text") or text)
        return f"{label} | OTP:{b.get('otp_type')}" if label else f"OTP:{b.get('otp_type')}"
    if kind == "COPY_CODE":
        examples = b.get("example")
        return f"COPY:{examples[0] if isinstance(examples, list) and examples else examples or ''}"
    if kind == "FLOW":
        screen = f":{b['navigate_screen']}" if b.get("navigate_screen") else ""
        return f"{text} | FLOW:{b.get('flow_id')}{screen}"
    target = b.get("url") or b.get("phone_number")
    return f"{text} | {target}" if target else text


def field_for_meta_error(message: str) -> str:
    """Which field Meta's refusal is about, from its words; the body when it does not say."""
    m = message.lower()
    for word, name in (("handle", "header_sample"), ("media", "header_sample"), ("expiration", "code_expiration"),
                       ("package", "android_apps"), ("signature", "android_apps"), ("supported_apps", "android_apps"),
                       ("name", "name"), ("language", "language"), ("category", "category"), ("header", "header"),
                       ("footer", "footer"), ("button", "buttons"),
                       ("example", "body_examples"), ("parameter", "body_examples")):
        if word in m:
            return name
    return "body"
