"""What a campaign will do, shown before anything is sent: the file's rows checked (recipient_list), the customers
the template may not reach (a MARKETING template to those who opted out; an AUTHENTICATION template to a customer
known only by BSUID), the paid messages and their estimated cost (costs.estimate), and the share of the
portfolio's daily messaging limit it uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select

from metaops.campaigns.recipient_list import Checked, Row
from metaops.costs.estimate import estimate
from metaops.runtime import Runtime
from store.models import Customer

LOOKUP_CHUNK = 500  # customers looked up per query, count


@dataclass
class Preview:
    checked: Checked
    to_send: list[Row] = field(default_factory=list)
    opted_out: list[int] = field(default_factory=list)  # lines of MARKETING opt-outs, left out
    bsuid_only: list[int] = field(default_factory=list)  # lines refused for AUTHENTICATION (no phone known)
    summary: dict[str, Any] = field(default_factory=dict)  # counts, cost and limit, as stored with the campaign


def preview(rt: Runtime, number: str, category: str, checked: Checked, daily_limit: int | None) -> Preview:
    known = _customers(rt, number, checked.rows)
    out = Preview(checked)
    for row in checked.rows:
        c = known.get(row.phone or "") or known.get(row.bsuid or "")
        phone = row.phone or (c.phone if c else None)
        if category == "MARKETING" and c is not None and c.marketing_opt_out:
            out.opted_out.append(row.line)
        elif category == "AUTHENTICATION" and not phone:
            out.bsuid_only.append(row.line)
        else:
            out.to_send.append(Row(row.line, phone, row.bsuid or (c.bsuid if c else None), row.values))
    e = estimate(category, (r.phone for r in out.to_send))
    out.summary = {
        "read": checked.read, "duplicates": len(checked.duplicates), "invalid": len(checked.invalid),
        "opted_out": len(out.opted_out), "bsuid_only": len(out.bsuid_only), "to_send": len(out.to_send),
        "paid": e.paid, "free": e.free, "unknown_cost": e.unknown,
        "cost": {k: str(v) for k, v in sorted(e.cost.items())}, "countries": dict(e.countries.most_common(5)),
        "daily_limit": daily_limit,
    }
    return out


def _customers(rt: Runtime, number: str, rows: list[Row]) -> dict[str, Customer]:
    """The number's known customers among the rows, by phone and by BSUID."""
    out: dict[str, Customer] = {}
    with rt.db.session() as s:
        for i in range(0, len(rows), LOOKUP_CHUNK):
            part = rows[i:i + LOOKUP_CHUNK]
            phones = [r.phone for r in part if r.phone]
            bsuids = [r.bsuid for r in part if r.bsuid]
            for c in s.scalars(select(Customer).where(Customer.business_id == number, or_(
                    Customer.phone.in_(phones), Customer.bsuid.in_(bsuids)))):
                for key in (c.phone, c.bsuid):
                    if key:
                        out[key] = c
        s.expunge_all()
    return out
