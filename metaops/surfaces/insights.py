"""WhatsApp message counts per day from Meta's analytics: sent and delivered for the account's numbers
(WABA `analytics`), read and the most-sent template from `template_analytics` when Meta gives them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from integrations.meta import whatsapp
from integrations.meta.errors import GraphError
from metaops.assets import connections
from metaops.runtime import Runtime
from metaops.templates import catalog
from store.models import Template

MAX_DAYS = 90  # Meta keeps template analytics for 90 days
MAX_TEMPLATE_IDS = 10  # template_analytics takes at most 10 ids per call


@dataclass
class Day:
    sent: int = 0
    delivered: int = 0
    read: int | None = None


@dataclass
class TemplateCounts:
    sent: int = 0
    delivered: int = 0
    read: int = 0

    @property
    def read_rate(self) -> float | None:
        """Read ÷ delivered, as Meta's template insights count it (None before anything was delivered)."""
        return min(1.0, self.read / self.delivered) if self.delivered else None


@dataclass
class Report:
    days: dict[str, Day] = field(default_factory=dict)  # "YYYY-MM-DD" -> counts
    top_template: tuple[str, int] | None = None
    templates: dict[str, TemplateCounts] = field(default_factory=dict)  # template name -> counts over the period
    notes: list[str] = field(default_factory=list)


def report(rt: Runtime, team_id: str, days: int) -> Report:
    token = connections.token_of(rt, team_id)
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    start = end - timedelta(days=days)
    out = Report({(start + timedelta(days=i)).strftime("%Y-%m-%d"): Day() for i in range(days)})
    s, e = int(start.timestamp()), int(end.timestamp())
    for waba_id in catalog.wabas(rt, team_id):
        for point in whatsapp.analytics(rt.graph, token, waba_id, s, e):
            day = out.days.get(_day(point.get("start")))
            if day:
                day.sent += int(point.get("sent") or 0)
                day.delivered += int(point.get("delivered") or 0)
        _template_counts(rt, token, waba_id, s, e, out)
    return out


def is_empty(r: Report) -> bool:
    """Nothing sent, delivered or read in the whole period: nothing worth a chart."""
    return not any(d.sent or d.delivered or d.read for d in r.days.values())


def read_rates(r: Report, most: int) -> list[tuple[str, float]]:
    """(template name, read rate) for the `most` templates with the most delivered, those first; templates with
    nothing delivered are left out."""
    delivered = sorted(((c.delivered, name) for name, c in r.templates.items() if c.delivered),
                       key=lambda x: (-x[0], x[1]))
    return [(name, r.templates[name].read_rate or 0.0) for _, name in delivered[:most]]


def _template_counts(rt: Runtime, token: str, waba_id: str, start: int, end: int, out: Report) -> None:
    with rt.db.session() as session:
        ids = {t.id: t.name for t in session.scalars(
            select(Template).where(Template.waba_id == waba_id).order_by(Template.name).limit(MAX_TEMPLATE_IDS))}
    if not ids:
        return
    try:
        points = whatsapp.template_analytics(rt.graph, token, waba_id, start, end, list(ids))
    except GraphError as e:
        out.notes.append(f"Read counts are not available: {e.user_text()}")
        return
    sends: dict[str, int] = {}
    for point in points:
        day = out.days.get(_day(point.get("start")))
        if day:
            day.read = (day.read or 0) + int(point.get("read") or 0)
        tid = str(point.get("template_id"))
        sends[tid] = sends.get(tid, 0) + int(point.get("sent") or 0)
        counts = out.templates.setdefault(ids.get(tid, tid), TemplateCounts())  # languages of a name add up
        counts.sent += int(point.get("sent") or 0)
        counts.delivered += int(point.get("delivered") or 0)
        counts.read += int(point.get("read") or 0)
    if sends:
        best = max(sends, key=sends.__getitem__)
        if sends[best]:
            top = (ids.get(best, best), sends[best])
            if out.top_template is None or top[1] > out.top_template[1]:
                out.top_template = top


def _day(ts: str | int | None) -> str:
    if ts is None:
        return ""
    try:
        return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return ""
