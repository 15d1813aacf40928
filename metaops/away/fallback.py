"""The WhatsApp template an away message falls back to when Meta requires one (the customer's 24-hour window is
closed): an APPROVED template of the number's account that needs nothing filled in (no variables, no media
header, no code), and not an authentication one."""

from __future__ import annotations

from metaops.runtime import Runtime
from metaops.templates import send_template, values
from store.models import Template


def usable(t: Template) -> bool:
    n = values.needs_of(t.components or [])
    return t.status == "APPROVED" and t.category != "AUTHENTICATION" and not n.body_variables and \
        n.header_variable is None and n.header_format in (None, "TEXT") and not n.url_buttons and \
        n.copy_code is None and not n.otp_indexes


def choices(rt: Runtime, team_id: str, phone_number_id: str) -> list[Template]:
    """The number's templates an away message can fall back to, by name."""
    return [t for t in send_template.approved(rt, team_id, phone_number_id) if usable(t)]
