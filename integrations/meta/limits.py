"""A WhatsApp messaging limit, wherever Meta puts it. Since 2025-10-07 Meta sets the limit per business portfolio:
the phone numbers API answers it in `whatsapp_business_manager_messaging_limit` (`messaging_limit_tier` is
deprecated) and webhooks in `max_daily_conversations_per_business` (`current_limit` and
`max_daily_conversation_per_phone` were removed in 2026-02). The current field is read first; an old one only
when an older payload has nothing else. Meta's messaging limits page and the phone_number_quality_update and
business_capability_update webhook references, checked 2026-12."""

from __future__ import annotations

from typing import Any

CURRENT = ("max_daily_conversations_per_business", "whatsapp_business_manager_messaging_limit")
DEPRECATED = ("current_limit", "max_daily_conversation_per_phone", "messaging_limit_tier")
NUMBER_FIELD = "whatsapp_business_manager_messaging_limit"  # asked of the phone numbers API in the old one's place


def limit_of(value: dict[str, Any]) -> str | None:
    """The limit as Meta gave it (a tier code such as `TIER_2K`, or a number; -1 is unlimited), None when absent."""
    for key in (*CURRENT, *DEPRECATED):
        found = value.get(key)
        if found not in (None, ""):
            return str(found)
    return None
