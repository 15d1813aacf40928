"""What Meta charges for a WhatsApp message, as its statuses say (`statuses[].pricing`; the status messages webhook
reference and Meta's pricing pages, checked 2026-12). Since 2025-07-01 pricing is per message: `pricing_model`
`PMP`, `type` `regular`, `free_customer_service` or `free_entry_point`, `category` `marketing`, `marketing_lite`,
`utility`, `authentication`, `authentication_international` or `service`. `billable` is deprecated and not read;
older statuses (`CBP`, conversation-based) have no `type`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Pricing:
    model: str | None  # PMP (CBP in statuses from before July 2025)
    type: str | None  # regular, free_customer_service, free_entry_point
    category: str | None


def pricing_of(status: dict[str, Any]) -> Pricing | None:
    """The status's pricing, or None when it carries none."""
    p = status.get("pricing")
    if not isinstance(p, dict):
        return None
    found = Pricing(*(_text(p.get(k)) for k in ("pricing_model", "type", "category")))
    return found if any((found.model, found.type, found.category)) else None


def _text(v: Any) -> str | None:
    return str(v)[:40] if v not in (None, "") else None
