"""WhatsApp customers: one row per person per business number, found by BSUID or phone, whichever Meta sent.

Meta always sends the business-scoped user id (BSUID); the phone only while the customer shares it. A
customer first seen by phone (threads from before BSUIDs) gains the BSUID the next time both arrive; a
customer first seen by BSUID gains the phone when Meta shares it; a BSUID that changes
(`user_changed_user_id`, `user_changed_number`) moves to the new one. The row's id never changes, and
WhatsApp threads are keyed by it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine, Table, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from store.models import Customer

log = logging.getLogger(__name__)
THREAD_PREFIX = "customer:"
_table = cast(Table, Customer.__table__)
# The hot statements of a customer's message, built once (store/db.py per_dialect says why).
_BY_IDS = select(_table).where(_table.c.business_id == bindparam("business"),
                               or_(_table.c.bsuid == bindparam("bsuid"), _table.c.phone == bindparam("phone")))
_NOTE_INBOUND = update(_table).where(
    _table.c.id == bindparam("customer"),
    or_(_table.c.last_inbound_at.is_(None), _table.c.last_inbound_at <= bindparam("at")),
).values(last_inbound_at=bindparam("at"), last_inbound_id=func.coalesce(bindparam("message"), _table.c.last_inbound_id)
         ).returning(*_table.c)


@dataclass(frozen=True)
class Seen:
    """What one webhook says about a customer; None where it says nothing."""

    bsuid: str | None = None
    phone: str | None = None
    parent_bsuid: str | None = None
    username: str | None = None
    profile_name: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.bsuid or self.phone)


@dataclass(frozen=True)
class Identity:
    """A customer as the rest of the app sees it."""

    id: int
    business_id: str
    bsuid: str | None
    phone: str | None
    username: str | None
    profile_name: str | None
    marketing_opt_out: bool
    last_inbound_at: datetime | None = None  # when their last message arrived: the 24-hour window's start
    last_inbound_id: str | None = None  # that message's wamid while it is not marked read

    @property
    def thread_key(self) -> str:
        return f"{THREAD_PREFIX}{self.id}"


def resolve(engine: Engine, business_id: str, seen: Seen) -> Identity:
    """The customer these identifiers name, created or completed with what `seen` adds. A customer known as `seen`
    says (the usual case) costs one SELECT and no transaction."""
    if seen.empty:
        raise ValueError("a customer needs a BSUID or a phone")
    with engine.connect() as conn:
        rows = conn.execute(_BY_IDS, {"business": business_id, "bsuid": seen.bsuid,
                                      "phone": _digits(seen.phone)}).all()
    if len(rows) == 1 and all(getattr(rows[0], k) == v for k, v in _merged(rows[0], seen).items()):
        return _identity(rows[0])
    for attempt in (1, 2):
        try:
            with Session(engine) as s, s.begin():
                return _identity(_resolve(s, business_id, seen))
        except IntegrityError:
            if attempt == 2:  # a concurrent insert of the same customer is the only expected cause
                raise
    raise AssertionError("unreachable")


def _resolve(s: Session, business_id: str, seen: Seen) -> Customer:
    by_bsuid = _find(s, business_id, Customer.bsuid, seen.bsuid)
    by_phone = _find(s, business_id, Customer.phone, _digits(seen.phone))
    row = by_bsuid or by_phone
    if row is None:
        row = Customer(business_id=business_id, marketing_opt_out=False)
        s.add(row)
    elif by_bsuid is not None and by_phone is not None and by_bsuid.id != by_phone.id:
        # The phone was known on a row without this BSUID (an old phone-keyed thread, or a number that
        # changed hands): the BSUID is the person, so the phone moves to its row.
        log.info("customer %s takes phone from customer %s", by_bsuid.id, by_phone.id)
        by_phone.phone = None
        s.flush()
    for name, value in _merged(row, seen).items():
        setattr(row, name, value)
    s.flush()
    return row


def _merged(row: Any, seen: Seen) -> dict[str, Any]:
    """The row's identifiers completed with `seen`: what it says wins, what it does not say is kept."""
    return {"bsuid": seen.bsuid or row.bsuid, "phone": _digits(seen.phone) or row.phone,
            "parent_bsuid": seen.parent_bsuid or row.parent_bsuid,
            "username": _username(seen.username) or row.username,
            "profile_name": seen.profile_name or row.profile_name}


def change_bsuid(engine: Engine, business_id: str, previous_bsuid: str | None, previous_phone: str | None,
                 new: str, phone: str | None = None, parent_bsuid: str | None = None) -> Identity:
    """A customer's BSUID changed (Meta's `user_changed_user_id` / `user_changed_number` system messages):
    the customer found by the previous BSUID (or previous phone) keeps its id and thread and takes the new
    BSUID, and the new phone when one is given."""
    with Session(engine) as s, s.begin():
        row = _find(s, business_id, Customer.bsuid, previous_bsuid) or \
            _find(s, business_id, Customer.phone, _digits(previous_phone))
        taken = _find(s, business_id, Customer.bsuid, new)
        if row is None:
            row = taken or Customer(business_id=business_id, marketing_opt_out=False)
            s.add(row)
        elif taken is not None and taken.id != row.id:
            # The new BSUID wrote before this notice arrived and got a row of its own: the customer's first
            # row (and its thread) wins; the other keeps its history but no longer answers to the BSUID.
            log.info("customer %s takes its new BSUID from customer %s", row.id, taken.id)
            taken.bsuid = None
            s.flush()
        holder = _find(s, business_id, Customer.phone, _digits(phone))
        if holder is not None and holder.id != row.id:  # the new number wrote first: it is this customer's now
            holder.phone = None
            s.flush()
        row.bsuid = new
        row.parent_bsuid = parent_bsuid or row.parent_bsuid
        row.phone = _digits(phone) or row.phone
        s.flush()
        return _identity(row)


def set_marketing_opt_out(engine: Engine, business_id: str, seen: Seen, opted_out: bool) -> Identity:
    """Record a customer's choice about marketing messages (the `user_preferences` webhook)."""
    with Session(engine) as s, s.begin():
        row = _resolve(s, business_id, seen)
        row.marketing_opt_out = opted_out
        return _identity(row)


def get(engine: Engine, customer_id: int) -> Identity | None:
    with Session(engine) as s:
        row = s.get(Customer, customer_id)
        return _identity(row) if row else None


def find(engine: Engine, business_id: str, seen: Seen) -> Identity | None:
    """The stored customer these identifiers name (the BSUID first), or None; nothing is created."""
    with Session(engine) as s:
        row = _find(s, business_id, Customer.bsuid, seen.bsuid) or _find(s, business_id, Customer.phone,
                                                                         _digits(seen.phone))
        return _identity(row) if row else None


def from_thread_key(engine: Engine, contact: str) -> Identity | None:
    """The customer of a WhatsApp thread key ("customer:<id>"), or None for any other key."""
    customer_id = id_of(contact)
    return get(engine, customer_id) if customer_id is not None else None


def id_of(contact: str) -> int | None:
    """The customer id a WhatsApp thread key names ("customer:<id>"), or None for any other key."""
    if not contact.startswith(THREAD_PREFIX) or not contact[len(THREAD_PREFIX):].isdigit():
        return None
    return int(contact[len(THREAD_PREFIX):])


def note_inbound(engine: Engine, customer_id: int, at: datetime, message_id: str | None) -> Identity | None:
    """The customer wrote (a message received `at`): their reply window restarts, and the message is the one to
    mark read when the team answers. Never moves back (a late redelivery of an older message). One UPDATE; returns
    the customer as stored now, None when nothing changed (a later message is stored already, or no such
    customer)."""
    with engine.begin() as conn:
        row = conn.execute(_NOTE_INBOUND, {"customer": customer_id, "at": at, "message": message_id or None}).first()
    return _identity(row) if row is not None else None


def marked_read(engine: Engine, customer_id: int, message_id: str) -> None:
    """Their message `message_id` was marked read at Meta: nothing to mark until they write again."""
    with Session(engine) as s, s.begin():
        s.execute(update(Customer).where(Customer.id == customer_id, Customer.last_inbound_id == message_id)
                  .values(last_inbound_id=None))


def window_closing(engine: Engine, wrote_after: datetime, wrote_before: datetime, limit: int) -> list[Identity]:
    """Customers whose last message arrived between the two times (their window closes soon) and whose thread was
    not nudged about it since."""
    with Session(engine) as s:
        rows = s.scalars(select(Customer).where(
            Customer.last_inbound_at >= wrote_after, Customer.last_inbound_at < wrote_before,
            or_(Customer.window_nudged_at.is_(None), Customer.window_nudged_at < Customer.last_inbound_at),
        ).order_by(Customer.last_inbound_at).limit(limit)).all()
        return [_identity(r) for r in rows]


def claim_nudge(engine: Engine, customer_id: int, last_inbound_at: datetime, at: datetime) -> bool:
    """Take the one nudge of the window that opened at `last_inbound_at`; False when another job took it or the
    customer wrote again meanwhile."""
    with Session(engine) as s, s.begin():
        taken = s.execute(update(Customer).where(
            Customer.id == customer_id, Customer.last_inbound_at == last_inbound_at,
            or_(Customer.window_nudged_at.is_(None), Customer.window_nudged_at < Customer.last_inbound_at),
        ).values(window_nudged_at=at))
        return bool(getattr(taken, "rowcount", 0))


def release_nudge(engine: Engine, customer_id: int) -> None:
    """The nudge could not be posted: the next run tries again."""
    with Session(engine) as s, s.begin():
        s.execute(update(Customer).where(Customer.id == customer_id).values(window_nudged_at=None))


def _find(s: Session, business_id: str, column: InstrumentedAttribute[str | None],
          value: str | None) -> Customer | None:
    if not value:
        return None
    return s.scalars(select(Customer).where(Customer.business_id == business_id, column == value)).first()


def _digits(phone: str | None) -> str | None:
    digits = str(phone or "").strip().lstrip("+")
    return digits or None


def _username(username: str | None) -> str | None:
    name = str(username or "").strip().lstrip("@")
    return name or None


def _identity(row: Any) -> Identity:
    """A customer row (ORM or Core) as the app sees it."""
    return Identity(id=row.id, business_id=row.business_id, bsuid=row.bsuid, phone=row.phone,
                    username=row.username, profile_name=row.profile_name,
                    marketing_opt_out=bool(row.marketing_opt_out), last_inbound_at=row.last_inbound_at,
                    last_inbound_id=row.last_inbound_id)
