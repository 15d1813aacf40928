"""`metaops_messages_billable_total{category}` in /metrics: each message Meta bills (a status whose pricing `type` is
`regular`), counted once, when its first such status lands."""

from __future__ import annotations

from metaops import counters
from metaops.runtime import Runtime

NAME = "messages_billable"


def count(rt: Runtime, old_type: str | None, new_type: str | None, category: str | None) -> None:
    if new_type == "regular" and old_type != "regular":
        counters.incr(rt.redis, NAME, category=category or "unknown")
