"""Interactive messages sent to a customer: WhatsApp reply buttons, lists, a call-to-action URL button and a location
request (`type: interactive` on `/{phone-number-id}/messages`), and Messenger/Instagram quick replies (a text with
`quick_replies` on the Page's Send API). Meta's limits are checked here, per field, before anything is sent.

Meta's limits (developers.facebook.com, WhatsApp "Interactive reply buttons messages", "Interactive list messages",
"Interactive Call-to-Action URL Button Messages", "Location request messages"; Messenger and Instagram "Quick
replies"): at most 3 reply buttons, titles at most 20 characters and unique, ids at most 256; a list of at most 10
sections with at most 10 rows in all, a row title at most 24, its description at most 72, its id at most 200, a
section title at most 24 (needed once there are two sections), the list's button text at most 20; a CTA URL button's
text at most 20 and an http(s) URL; body at most 1024, header and footer at most 60 characters; at most 13 quick
replies, titles at most 20 characters (Meta cuts longer ones), payloads at most 1000.

An option's id is its title (unique within the message, as Meta asks of titles): the customer's choice comes back
with it, and the thread shows it as it was offered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from integrations.meta.graph import GraphClient
from integrations.meta.pages import messaging
from integrations.meta.whatsapp import Recipient

BUTTONS, LIST, CTA_URL, LOCATION, QUICK_REPLIES = "button", "list", "cta_url", "location_request_message", "quick"
WHATSAPP_KINDS = (BUTTONS, LIST, CTA_URL, LOCATION)
PAGE_KINDS = (QUICK_REPLIES,)

BODY_MAX, HEADER_MAX, FOOTER_MAX = 1024, 60, 60
BUTTONS_MAX, BUTTON_TITLE_MAX, BUTTON_ID_MAX = 3, 20, 256
SECTIONS_MAX, ROWS_MAX, ROW_TITLE_MAX, ROW_DESCRIPTION_MAX, ROW_ID_MAX, SECTION_TITLE_MAX = 10, 10, 24, 72, 200, 24
LIST_BUTTON_MAX = 20
CTA_TEXT_MAX = 20
QUICK_REPLIES_MAX, QUICK_REPLY_TITLE_MAX, QUICK_REPLY_PAYLOAD_MAX = 13, 20, 1000
PAGE_TEXT_MAX = 2000  # Messenger's Send API text
SECTION_MARK = "#"  # in the options field, a line starting so opens a list section named by the rest


@dataclass(frozen=True)
class Row:
    title: str
    description: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Draft:
    """What a member typed: the kind, texts, and options as lines (`options`: one per line; a list's lines may be
    `Title | description`, and a line `# Name` opens a section)."""

    kind: str
    body: str
    header: str = ""
    footer: str = ""
    button: str = ""  # the list's button text, or the CTA URL button's
    url: str = ""
    options: str = ""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def sections(options: str) -> list[Section]:
    """The list's sections from the options field; rows before any `# Name` line form an untitled section."""
    found: list[tuple[str, list[Row]]] = []
    for line in _lines(options):
        if line.startswith(SECTION_MARK):
            found.append((line[len(SECTION_MARK):].strip(), []))
            continue
        if not found:
            found.append(("", []))
        title, _, description = line.partition("|")
        found[-1][1].append(Row(title.strip(), description.strip()))
    return [Section(title, tuple(rows)) for title, rows in found]


def _too_long(what: str, text: str, limit: int) -> str | None:
    return f"{what} is {len(text)} characters; Meta takes at most {limit}." if len(text) > limit else None


def _duplicate(titles: list[str]) -> str | None:
    seen: set[str] = set()
    for t in titles:
        if t in seen:
            return f"“{t}” appears twice: each option needs its own title (it is its id)."
        seen.add(t)
    return None


def check(d: Draft) -> dict[str, str]:
    """Meta's limits for the draft, as errors by field: body, header, footer, button, url, options."""
    errors: dict[str, str] = {}
    body_max = PAGE_TEXT_MAX if d.kind == QUICK_REPLIES else BODY_MAX
    if not d.body.strip():
        errors["body"] = "Write the message's text."
    elif (e := _too_long("The text", d.body, body_max)):
        errors["body"] = e
    if d.kind in (BUTTONS, LIST, CTA_URL):
        for name, text, limit in (("header", d.header, HEADER_MAX), ("footer", d.footer, FOOTER_MAX)):
            if (e := _too_long(f"The {name}", text, limit)):
                errors[name] = e
    problem = {BUTTONS: _check_buttons, LIST: _check_list, CTA_URL: _check_cta, QUICK_REPLIES: _check_quick}
    if d.kind in problem:
        errors.update(problem[d.kind](d))
    elif d.kind != LOCATION:
        errors["body"] = f"Unknown kind of message: {d.kind}."
    return errors


def _check_buttons(d: Draft) -> dict[str, str]:
    titles = _lines(d.options)
    if not titles:
        return {"options": "Give one to three buttons, one per line."}
    if len(titles) > BUTTONS_MAX:
        return {"options": f"{len(titles)} buttons; Meta takes at most {BUTTONS_MAX}."}
    for t in titles:
        if (e := _too_long(f"“{t}”", t, BUTTON_TITLE_MAX)):
            return {"options": e}
    return {"options": e} if (e := _duplicate(titles)) else {}


def _check_list(d: Draft) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not d.button.strip():
        errors["button"] = "Write the text of the button that opens the list."
    elif (e := _too_long("The button text", d.button, LIST_BUTTON_MAX)):
        errors["button"] = e
    found = sections(d.options)
    rows = [r for s in found for r in s.rows]
    if not rows:
        errors["options"] = "Give at least one row, one per line."
    elif any(not s.rows for s in found):
        errors["options"] = "A section has no rows under it."
    elif len(found) > SECTIONS_MAX or len(rows) > ROWS_MAX:
        errors["options"] = f"{len(rows)} rows in {len(found)} sections; Meta takes at most {ROWS_MAX} rows in all."
    elif len(found) > 1 and not all(s.title for s in found):
        errors["options"] = "With more than one section, every section needs a title (`# Name`)."
    else:
        e = next((m for s in found if (m := _too_long(f"Section “{s.title}”", s.title, SECTION_TITLE_MAX))), None) \
            or next((m for r in rows if (m := _too_long(f"Row “{r.title}”", r.title, ROW_TITLE_MAX))), None) \
            or next((m for r in rows if (m := _too_long(f"The description of “{r.title}”", r.description,
                                                        ROW_DESCRIPTION_MAX))), None) \
            or next(("A row has a description but no title." for r in rows if not r.title), None) \
            or _duplicate([r.title for r in rows])
        if e:
            errors["options"] = e
    return errors


def _check_cta(d: Draft) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not d.button.strip():
        errors["button"] = "Write the button's text."
    elif (e := _too_long("The button text", d.button, CTA_TEXT_MAX)):
        errors["button"] = e
    if not d.url.startswith(("https://", "http://")) or len(d.url) < 10 or any(c.isspace() for c in d.url):
        errors["url"] = "Give the address the button opens, starting with https://."
    return errors


def _check_quick(d: Draft) -> dict[str, str]:
    titles = _lines(d.options)
    if not titles:
        return {"options": "Give at least one quick reply, one per line."}
    if len(titles) > QUICK_REPLIES_MAX:
        return {"options": f"{len(titles)} quick replies; Meta takes at most {QUICK_REPLIES_MAX}."}
    for t in titles:
        if (e := _too_long(f"“{t}”", t, QUICK_REPLY_TITLE_MAX)):
            return {"options": e}
    return {"options": e} if (e := _duplicate(titles)) else {}


def whatsapp_payload(d: Draft) -> dict[str, Any]:
    """The `interactive` object of a checked draft."""
    action: dict[str, Any]
    if d.kind == BUTTONS:
        action = {"buttons": [{"type": "reply", "reply": {"id": t, "title": t}} for t in _lines(d.options)]}
    elif d.kind == LIST:
        action = {"button": d.button.strip(), "sections": [
            {**({"title": s.title} if s.title else {}),
             "rows": [{"id": r.title, "title": r.title, **({"description": r.description} if r.description else {})}
                      for r in s.rows]} for s in sections(d.options)]}
    elif d.kind == CTA_URL:
        action = {"name": "cta_url", "parameters": {"display_text": d.button.strip(), "url": d.url.strip()}}
    else:
        action = {"name": "send_location"}
    payload: dict[str, Any] = {"type": d.kind, "body": {"text": d.body}, "action": action}
    if d.header.strip() and d.kind != LOCATION:
        payload["header"] = {"type": "text", "text": d.header.strip()}
    if d.footer.strip() and d.kind != LOCATION:
        payload["footer"] = {"text": d.footer.strip()}
    return payload


def page_payload(d: Draft) -> dict[str, Any]:
    """The Send API `message` of checked quick replies."""
    return {"text": d.body, "quick_replies": [
        {"content_type": "text", "title": t, "payload": t} for t in _lines(d.options)]}


def send_whatsapp(graph: GraphClient, token: str, phone_number_id: str, to: Recipient,
                  interactive: dict[str, Any]) -> str:
    """An interactive message from the number to a customer; returns Meta's message id."""
    answer = graph.post(f"{phone_number_id}/messages", token, json_body={
        "messaging_product": "whatsapp", **to.address(), "type": "interactive", "interactive": interactive})
    return str((answer.get("messages") or [{}])[0].get("id"))


def send_page(graph: GraphClient, token: str, page_id: str, recipient_id: str, message: dict[str, Any],
              tag: str | None = None) -> str:
    """A message with quick replies through the Page's Send API (Messenger, or Instagram through its Page); `tag`
    as for any reply (pages.messaging)."""
    answer = graph.post(f"{page_id}/messages", token, json_body={
        "recipient": {"id": recipient_id}, **messaging(tag), "message": message})
    return str(answer.get("message_id"))
