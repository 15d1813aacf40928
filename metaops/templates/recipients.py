"""Whom a template goes to: the recipient a person typed, the workspace's numbers, and the customer (`Target`) of an
address or of a WhatsApp thread."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from integrations.meta import whatsapp
from integrations.meta.payload import Person
from integrations.slack.mrkdwn import escape
from metaops import messages
from metaops.conversation import naming
from metaops.exceptions import NotConnected, Refusal
from metaops.runtime import Runtime
from store import customers, threads
from store.models import Customer, PhoneNumber, WhatsAppAccount

PHONE = re.compile(r"^[1-9]\d{6,14}$")
BSUID = re.compile(r"^[A-Z]{2}\.\d{6,}$")
GROUP_PREFIX = "group:"


@dataclass(frozen=True)
class Target:
    """Whom a template goes to: the business number and the customer (phone when known, else BSUID), and the
    thread it belongs in, when there is one already."""

    phone_number_id: str
    phone: str | None
    bsuid: str | None
    marketing_opt_out: bool = False
    channel_id: str | None = None
    thread_ts: str | None = None
    contact: str | None = None  # the thread key
    name: str | None = None  # the customer's profile name, when known

    def recipient(self) -> whatsapp.Recipient:
        return whatsapp.Recipient(phone=self.phone, bsuid=None if self.phone else self.bsuid)

    def label(self) -> str:
        """The customer as the team knows them (profile name, +phone, else the BSUID)."""
        return naming.who(Person(bsuid=self.bsuid, phone=self.phone, name=self.name))


def parse_recipient(raw: str) -> tuple[str | None, str | None]:
    """(phone digits, BSUID) from what a person typed: `+15551234567` (spaces, dashes and brackets allowed) or a
    business-scoped user id such as `US.13491208655302741918`. Raises Refusal when it is neither."""
    text = (raw or "").strip()
    if BSUID.match(text):
        return None, text
    digits = re.sub(r"[\s\-().]", "", text).removeprefix("+")
    if PHONE.match(digits):
        return digits, None
    raise Refusal(messages.SEND_BAD_RECIPIENT.format(value=escape(text[:60])), field="to")


def number_of(rt: Runtime, team_id: str) -> str:
    """The workspace's WhatsApp business number that `/meta send` sends from: its first connected number."""
    with rt.db.session() as s:
        found = s.scalars(select(PhoneNumber.id).join(WhatsAppAccount).where(WhatsAppAccount.team_id == team_id)
                          .order_by(PhoneNumber.id)).first()
    if not found:
        raise NotConnected(messages.SEND_NO_NUMBER)
    return str(found)


def target_for_address(rt: Runtime, team_id: str, phone: str | None, bsuid: str | None,
                       number: str | None = None) -> Target:
    """A customer named by phone or BSUID on the workspace's number (`number`, else its first), with what we know
    of them (not stored yet)."""
    number = number or number_of(rt, team_id)
    with rt.db.session() as s:
        row = None
        if bsuid:
            row = s.scalars(select(Customer).where(Customer.business_id == number, Customer.bsuid == bsuid)).first()
        if row is None and phone:
            row = s.scalars(select(Customer).where(Customer.business_id == number, Customer.phone == phone)).first()
        if row is not None:
            phone, bsuid = phone or row.phone, bsuid or row.bsuid
        opted_out = bool(row and row.marketing_opt_out)
        name = row.profile_name if row is not None else None
    return Target(phone_number_id=number, phone=phone, bsuid=bsuid, marketing_opt_out=opted_out, name=name)


def target_for_thread(rt: Runtime, team_id: str, channel: str, thread_ts: str) -> Target:
    """The customer of a WhatsApp thread of this workspace; Refusal when it is not one."""
    thread = threads.find_by_root(rt.db.engine, channel, thread_ts)
    if thread is None or thread.team_id != team_id or thread.platform != "whatsapp":
        raise Refusal(messages.SEND_NOT_A_THREAD)
    if thread.contact.startswith(GROUP_PREFIX):
        raise Refusal(messages.SEND_GROUP)
    customer = customers.from_thread_key(rt.db.engine, thread.contact)
    if customer is None:  # a thread keyed by the phone itself (before customers)
        return Target(thread.business_id, thread.contact, None, False, channel, thread_ts, thread.contact)
    return Target(thread.business_id, customer.phone, customer.bsuid, customer.marketing_opt_out, channel,
                  thread_ts, thread.contact, customer.profile_name)


def number_named(rt: Runtime, team_id: str, raw: str | None) -> str:
    """The workspace's WhatsApp number named by its phone number id or its display number (spaces, dashes and +
    allowed); named by nothing, its only number. NotConnected without numbers, Refusal otherwise."""
    with rt.db.session() as s:
        rows = [(p.id, p.display_number or "") for p in s.scalars(
            select(PhoneNumber).join(WhatsAppAccount).where(WhatsAppAccount.team_id == team_id)
            .order_by(PhoneNumber.id))]
    if not rows:
        raise NotConnected(messages.SEND_NO_NUMBER)
    listed = ", ".join(f"`{i}` ({escape(d)})" if d else f"`{i}`" for i, d in rows)
    text = (raw or "").strip()
    if not text:
        if len(rows) > 1:
            raise Refusal(messages.STEP_NUMBER_CHOOSE.format(numbers=listed), field="number")
        return rows[0][0]
    digits = re.sub(r"[\s\-().]", "", text).removeprefix("+")
    for pid, _ in rows:
        if text == pid:
            return pid
    for pid, display in rows:
        if digits and digits == re.sub(r"\D", "", display):
            return pid
    raise Refusal(messages.STEP_NUMBER_UNKNOWN.format(value=escape(text[:40]), numbers=listed), field="number")
