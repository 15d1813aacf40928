"""Rich replies from a customer thread: WhatsApp reply buttons, a list, a link (CTA URL) button or a location request,
and Messenger/Instagram quick replies, checked against Meta's limits (integrations.meta.interactive), shown in the
thread as they were sent, and sent by the reply outbox in place of a text (every reply rule applies: its body is the
outbox row's text). The customer's choice comes back as an ordinary message in the thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from integrations.meta import interactive
from integrations.meta.interactive import Draft
from integrations.slack import blocks
from integrations.slack.mrkdwn import escape
from metaops import messages
from metaops.exceptions import NotConnected
from metaops.runtime import Runtime

KINDS: dict[str, tuple[str, ...]] = {"whatsapp": interactive.WHATSAPP_KINDS, "messenger": interactive.PAGE_KINDS,
                                     "instagram": interactive.PAGE_KINDS}
FIELDS = ("header", "body", "footer", "button", "url", "options")  # the compose modal's inputs, by block id


def kinds_for(platform: str) -> tuple[str, ...]:
    return KINDS.get(platform, ())


def fields_of(kind: str) -> tuple[str, ...]:
    """The inputs a kind's form has."""
    return {interactive.BUTTONS: ("header", "body", "footer", "options"),
            interactive.LIST: ("header", "body", "footer", "button", "options"),
            interactive.CTA_URL: ("header", "body", "footer", "button", "url"),
            interactive.LOCATION: ("body",),
            interactive.QUICK_REPLIES: ("body", "options")}.get(kind, ())


def draft(kind: str, values: dict[str, str]) -> Draft:
    """The draft of a submitted form: only the kind's own inputs count."""
    given = {f: str(values.get(f) or "") for f in fields_of(kind)}
    return Draft(kind=kind, **given)


def problems(d: Draft) -> dict[str, str]:
    """Meta's limits, by input; only inputs the form has (anything else would have nowhere to show)."""
    errors = interactive.check(d)
    shown = fields_of(d.kind)
    return {k: v for k, v in errors.items() if k in shown} or \
        ({"body": next(iter(errors.values()))} if errors else {})


def stored(d: Draft) -> dict[str, Any]:
    """What the outbox keeps and the worker sends: the WhatsApp `interactive` object, or the Send API `message`."""
    if d.kind == interactive.QUICK_REPLIES:
        return {"page": interactive.page_payload(d)}
    return {"whatsapp": interactive.whatsapp_payload(d)}


def shown(d: Draft) -> list[blocks.Block]:
    """The thread's copy of what went: the texts, and the options as the customer sees them."""
    parts = [f"*{escape(d.header.strip())}*"] if d.header.strip() else []
    parts.append(escape(d.body))
    if d.footer.strip():
        parts.append(f"_{escape(d.footer.strip())}_")
    out = [blocks.section("\n".join(parts))]
    label = messages.RICH_KIND_LABELS.get(d.kind, d.kind)
    if d.kind == interactive.LIST:
        lines = []
        for s in interactive.sections(d.options):
            if s.title:
                lines.append(f"*{escape(s.title)}*")
            lines += [f"• {escape(r.title)}" + (f" — {escape(r.description)}" if r.description else "")
                      for r in s.rows]
        out.append(blocks.section(f"{label}: *{escape(d.button.strip())}*\n" + "\n".join(lines)))
    elif d.kind == interactive.CTA_URL:
        out.append(blocks.section(f"{label}: *{escape(d.button.strip())}* → {escape(d.url.strip())}"))
    elif d.kind == interactive.LOCATION:
        out.append(blocks.section(f"{label}: *{messages.RICH_LOCATION_BUTTON}*"))
    else:
        titles = [t.strip() for t in d.options.splitlines() if t.strip()]
        out.append(blocks.section(f"{label}: " + "  ".join(f"`{escape(t)}`" for t in titles)))
    return out


def _signed(body: str, signer: str | None, bold: bool, limit: int) -> str:
    """The body with the member's name first (`/meta signature on`), unless that would pass Meta's limit."""
    if not signer:
        return body
    signed = f"*{signer}*: {body}" if bold else f"{signer}: {body}"
    return signed if len(signed) <= limit else body


def send(rt: Runtime, thread: Any, kept: dict[str, Any], target: tuple[str, str],
         recipient: Callable[[Runtime, str], Any], signer: str | None, tag: str | None = None) -> str:
    """Send a stored rich reply (the outbox's send job); `target` is (phone number id or Page id, its token); `tag`
    the Messenger/Instagram message tag past 24 hours (messaging_window).
    Returns Meta's message id; Meta's refusals raise as for any reply."""
    sender, token = target
    if "whatsapp" in kept and thread.platform == "whatsapp":
        payload = dict(kept["whatsapp"])
        payload["body"] = {"text": _signed(payload["body"]["text"], signer, True, interactive.BODY_MAX)}
        return interactive.send_whatsapp(rt.graph, token, sender, recipient(rt, thread.contact), payload)
    if "page" in kept and thread.platform != "whatsapp":
        message = dict(kept["page"])
        message["text"] = _signed(message["text"], signer, False, interactive.PAGE_TEXT_MAX)
        return interactive.send_page(rt.graph, token, sender, thread.contact, message, tag)
    raise NotConnected(messages.RICH_WRONG_PLATFORM)  # refused, never retried: the modal offers only fitting kinds
