"""Saved replies: texts with `{name}`-style fields, filled from the customer of a thread when a member uses one.

Fields: {name} (the customer's name), {first_name} (its first word), {phone} (+number, WhatsApp), {business} (the
business number's verified name, the Page's or the Instagram account's name). Any other `{word}` is an unknown field
and refused where the saved reply is written. A field this customer has no value for stays as typed, and the member
must fill it in before sending. Admins manage the workspace-wide saved replies; every member their own."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from metaops import messages
from metaops.conversation import senders
from metaops.runtime import Runtime
from store import customers, saved_replies
from store.models import ContactThread, InstagramAccount, Page, PhoneNumber

FIELDS = ("name", "first_name", "phone", "business")
NAME_MAX = 80  # a saved reply's name, characters (the column's size)
TEXT_MAX = 4096  # a saved reply's text, characters (WhatsApp's text message body)
_FIELD = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")


@dataclass(frozen=True)
class Filled:
    text: str
    missing: tuple[str, ...]  # fields this customer has no value for (left as typed)


def unknown_fields(text: str) -> list[str]:
    """The `{word}` fields of `text` that are not ours, in order, once each."""
    seen: list[str] = []
    for m in _FIELD.finditer(text or ""):
        if m.group(1) not in FIELDS and m.group(1) not in seen:
            seen.append(m.group(1))
    return seen


def problems(name: str, text: str) -> dict[str, str]:
    """What is wrong with a saved reply as typed, by field (`name`, `text`)."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = messages.SAVED_NAME_EMPTY
    elif len(name.strip()) > NAME_MAX:
        errors["name"] = messages.SAVED_NAME_LONG.format(n=len(name.strip()), max=NAME_MAX)
    if not text.strip():
        errors["text"] = messages.SAVED_TEXT_EMPTY
    elif len(text) > TEXT_MAX:
        errors["text"] = messages.SAVED_TEXT_LONG.format(n=len(text), max=TEXT_MAX)
    elif unknown := unknown_fields(text):
        errors["text"] = messages.SAVED_UNKNOWN_FIELD.format(
            fields=", ".join(f"{{{f}}}" for f in unknown), known=", ".join(f"{{{f}}}" for f in FIELDS))
    return errors


def fill(text: str, values: dict[str, str]) -> Filled:
    """`text` with each known field replaced by its value; fields without a value stay as typed."""
    missing: list[str] = []

    def value(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in FIELDS and values.get(name):
            return values[name]
        if name in FIELDS and name not in missing:
            missing.append(name)
        return m.group(0)

    return Filled(_FIELD.sub(value, text), tuple(missing))


def unfilled(text: str) -> list[str]:
    """Known fields still in a text about to be sent."""
    return [f for f in dict.fromkeys(m.group(1) for m in _FIELD.finditer(text or "")) if f in FIELDS]


def values_for(rt: Runtime, thread: ContactThread) -> dict[str, str]:
    """The field values of the thread's customer and business (nothing is asked of Meta: read what we hold)."""
    name = phone = business = None
    with rt.db.session() as s:
        if thread.platform == "whatsapp":
            number = s.get(PhoneNumber, thread.business_id)
            business = number.verified_name if number else None
        elif thread.platform == "instagram":
            account = s.get(InstagramAccount, thread.business_id)
            business = (account.name or account.username) if account else None
        else:
            page = s.get(Page, thread.business_id)
            business = page.name if page else None
    if thread.platform == "whatsapp":
        customer = customers.from_thread_key(rt.db.engine, thread.contact)
        if customer is not None:
            name, phone = customer.profile_name, f"+{customer.phone.lstrip('+')}" if customer.phone else None
    else:
        name = senders.cached_sender_name(rt, thread.platform, thread.business_id, thread.contact)
    found = {"name": name, "first_name": name.split()[0] if name and name.split() else None, "phone": phone,
             "business": business}
    return {k: v for k, v in found.items() if v}


def may_manage(saved: saved_replies.Saved, user_id: str, is_admin: Callable[[], bool]) -> bool:
    """Its owner manages a member's own saved reply; admins manage the workspace-wide ones."""
    return saved.owner_id == user_id if not saved.shared else is_admin()


def usable(rt: Runtime, team_id: str, user_id: str, value: object) -> saved_replies.Saved | None:
    """A saved reply a picker's value names, when it is the workspace's or the member's own; None for anything
    else (another member's, another workspace's, forged)."""
    saved = find(rt, team_id, value)
    return saved if saved is not None and (saved.shared or saved.owner_id == user_id) else None


Saved = saved_replies.Saved
NameTaken = saved_replies.NameTaken
WORKSPACE = saved_replies.WORKSPACE


def visible(rt: Runtime, team_id: str, user_id: str) -> list[saved_replies.Saved]:
    """The saved replies the member may use: the workspace's, then their own."""
    return saved_replies.visible(rt.db.engine, team_id, user_id)


def find(rt: Runtime, team_id: str, value: object) -> saved_replies.Saved | None:
    """One of `team_id`'s saved replies by a button's or form's value; None for anything else."""
    text = str(value) if isinstance(value, int | str) else ""
    return saved_replies.get(rt.db.engine, team_id, int(text)) if text.isdigit() else None


def save(rt: Runtime, team_id: str, user_id: str, name: str, text: str, shared: bool,
         saved_id: int | None = None) -> None:
    """Add one (shared: the workspace's) or change `saved_id`. Raises NameTaken."""
    if saved_id is None:
        saved_replies.add(rt.db.engine, team_id, WORKSPACE if shared else user_id, name, text, user_id, rt.now())
    else:
        saved_replies.edit(rt.db.engine, team_id, saved_id, name, text, rt.now())


def delete(rt: Runtime, team_id: str, saved_id: int) -> bool:
    return saved_replies.remove(rt.db.engine, team_id, saved_id)
