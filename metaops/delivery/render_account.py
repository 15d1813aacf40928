"""Posts for WhatsApp account-level webhooks: a short sentence of what happened, then the facts Meta added, each
code of Meta's in words (metaops.messages). One renderer per field (FIELDS); account_update has one sentence per
event and one line per detail object Meta adds to it (DETAILS)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from integrations.meta.limits import limit_of
from integrations.slack.blocks import section
from integrations.slack.mrkdwn import escape
from metaops import messages
from metaops.conversation.naming import Post, plus

Value = dict[str, Any]


def post(field: str, value: Value) -> Post:
    """The post for an account field (one of FIELDS)."""
    return _lines(*FIELDS[field](value))


def words(code: Any, table: dict[str, str] | None = None) -> str:
    """A code of Meta's in words: from `table` when it knows it, else the code in lower case without underscores."""
    text = str(code or "")
    return escape((table or {}).get(text) or text.replace("_", " ").lower())


def when(stamp: Any) -> str:
    """A Unix time as a UTC date (a string date as Meta wrote it)."""
    if isinstance(stamp, int | float) or (isinstance(stamp, str) and stamp.isdigit()):
        return f"{datetime.fromtimestamp(int(stamp), UTC):%Y-%m-%d}"
    return escape(str(stamp or "?"))


def account_update(v: Value) -> list[str]:
    event = str(v.get("event") or "")
    ban = v.get("ban_info") if isinstance(v.get("ban_info"), dict) else None
    if event == "DISABLED_UPDATE" and ban and ban.get("waba_ban_state") in messages.ACCOUNT_BAN_STATES:
        date = f" on {escape(str(ban['waba_ban_date']))}" if ban.get("waba_ban_date") else ""
        first = messages.ACCOUNT_BAN_LINE.format(state=messages.ACCOUNT_BAN_STATES[ban["waba_ban_state"]], date=date)
    else:
        first = messages.ACCOUNT_EVENTS.get(event) or messages.ACCOUNT_UNKNOWN_EVENT.format(event=words(event))
    return [first, *(line for key, detail in DETAILS.items() if v.get(key) not in (None, "", [], {})
                     for line in detail(v[key]))]


def _violation(info: Any) -> list[str]:
    return [messages.ACCOUNT_DETAIL["violation"].format(what=words(_get(info, "violation_type")))]


def _restrictions(info: Any) -> list[str]:
    found = info if isinstance(info, list) else [info]
    return [messages.ACCOUNT_DETAIL["restriction"].format(
        what=words(r.get("restriction_type"), messages.ACCOUNT_RESTRICTIONS),
        until=f" until {when(r['expiration'])}" if r.get("expiration") else "") for r in found if isinstance(r, dict)]


def _tier(info: Any) -> list[str]:
    return [messages.ACCOUNT_DETAIL["tier"].format(
        category=words(_get(info, "pricing_category")).capitalize(), region=escape(str(_get(info, "region") or "?")),
        tier=escape(str(_get(info, "tier") or "?")), month=escape(str(_get(info, "effective_month") or "?")))]


def _auth_intl(info: Any) -> list[str]:
    others = [f"{escape(str(c.get('country_code')))} from {when(c.get('start_time'))}"
              for c in _get(info, "exception_countries") or [] if isinstance(c, dict)]
    return [messages.ACCOUNT_DETAIL["auth_intl"].format(
        start=when(_get(info, "start_time")), exceptions=f" (except {', '.join(others)})" if others else "")]


def _disconnection(info: Any) -> list[str]:
    by = _get(info, "initiated_by")
    return [messages.ACCOUNT_DETAIL["disconnection"].format(
        reason=words(_get(info, "reason"), messages.ACCOUNT_DISCONNECTIONS),
        by=f" (started by {'the business' if by == 'USER' else 'Meta'})" if by else "")]


def _certification(info: Any) -> list[str]:
    reasons = _get(info, "rejection_reasons") or []
    return [messages.ACCOUNT_DETAIL["certification"].format(
        status=words(_get(info, "status")),
        reasons=f" ({', '.join(words(r) for r in reasons)})" if isinstance(reasons, list) and reasons else "")]


def _waba(info: Any) -> list[str]:
    linked = _get(info, "ad_account_linked")
    return [messages.ACCOUNT_DETAIL["ad_account"].format(what=escape(str(linked)))] if linked else []


# account_update: what Meta may add to an event, in the order shown
DETAILS: dict[str, Callable[[Any], list[str]]] = {
    "phone_number": lambda n: [messages.ACCOUNT_DETAIL["phone"].format(what=plus(str(n)))],
    "country": lambda c: [messages.ACCOUNT_DETAIL["country"].format(what=escape(str(c)))],
    "violation_info": _violation,
    "restriction_info": _restrictions,
    "volume_tier_info": _tier,
    "auth_international_rate_eligibility": _auth_intl,
    "disconnection_info": _disconnection,
    "partner_client_certification_info": _certification,
    "waba_info": _waba,
}


def account_alert(v: Value) -> list[str]:
    info: Value = v["alert_info"] if isinstance(v.get("alert_info"), dict) else {}
    kind = str(info.get("alert_type") or "")
    sentence = messages.ACCOUNT_ALERT_TYPES.get(kind) or messages.ACCOUNT_ALERT_OTHER.format(type=words(kind))
    entity = messages.ACCOUNT_ALERT_ENTITIES.get(str(v.get("entity_type")), "").format(
        id=escape(str(v.get("entity_id") or "?")))
    first = messages.ACCOUNT_ALERT.format(
        mark=messages.ACCOUNT_ALERT_MARKS.get(str(info.get("alert_severity")), ":information_source:"),
        sentence=sentence, entity=entity,
        status=messages.ACCOUNT_ALERT_CLEARED if info.get("alert_status") == "NONE" else "")
    said = info.get("alert_description")
    return [first, *([messages.ACCOUNT_ALERT_SAYS.format(description=escape(str(said)))] if said else [])]


def account_review(v: Value) -> list[str]:
    decision = str(v.get("decision") or "")
    return [messages.ACCOUNT_REVIEW.format(mark=_decision_mark(decision), decision=words(decision))]


def business_capability(v: Value) -> list[str]:
    """The portfolio's messaging limit (the current field first: integrations.meta.limits)."""
    per_waba, per_business = v.get("max_phone_numbers_per_waba"), v.get("max_phone_numbers_per_business")
    numbers = messages.ACCOUNT_CAPABILITY_NUMBERS.format(count=per_waba, per="per account") if per_waba else \
        messages.ACCOUNT_CAPABILITY_NUMBERS.format(count=per_business, per="in the portfolio") if per_business else ""
    limit = messages.messaging_limit(limit_of(v))
    shown = messages.ACCOUNT_CAPABILITY_UNLIMITED if limit == messages.WA_LIMITS["TIER_UNLIMITED"] else limit
    return [messages.ACCOUNT_CAPABILITY.format(limit=shown, numbers=numbers)]


def name_update(v: Value) -> list[str]:
    decision = str(v.get("decision") or "")
    reason = v.get("rejection_reason")
    return [messages.ACCOUNT_NAME_UPDATE.format(
        mark=_decision_mark(decision), name=escape(str(v.get("requested_verified_name") or "?")),
        number=plus(v.get("display_phone_number")), decision=words(decision),
        reason=f" ({words(reason)})" if reason not in (None, "", "NONE") else "")]


def security(v: Value) -> list[str]:
    return [messages.ACCOUNT_SECURITY.format(number=plus(v.get("display_phone_number")),
                                             what=words(v.get("event"), messages.ACCOUNT_SECURITY_EVENTS))]


def username(v: Value) -> list[str]:
    status = str(v.get("status") or "")
    return [messages.ACCOUNT_USERNAME.format(mark=_decision_mark(status.upper()),
                                             username=escape(str(v.get("username") or "?").lstrip("@")),
                                             number=plus(v.get("display_phone_number")), status=words(status))]


def phone_quality(v: Value) -> list[str]:
    limit = limit_of(v)
    return [messages.WA_PHONE_QUALITY.format(
        number=plus(v.get("display_phone_number")), event=words(v.get("event"), messages.WA_QUALITY_EVENTS),
        limit=f", messaging limit {messages.messaging_limit(limit)}" if limit else "")]


def _decision_mark(decision: str) -> str:
    return messages.ACCOUNT_DECISION_MARKS.get(decision, ":information_source:")


def _get(info: Any, key: str) -> Any:
    return info.get(key) if isinstance(info, dict) else None


def _lines(*lines: str) -> Post:
    text = "\n".join(lines)
    return text, [section(text)]


# account field -> the lines of its post (each is delivered by handlers.account_update)
FIELDS: dict[str, Callable[[Value], list[str]]] = {
    "account_update": account_update,
    "account_alerts": account_alert,
    "account_review_update": account_review,
    "business_capability_update": business_capability,
    "phone_number_name_update": name_update,
    "phone_number_quality_update": phone_quality,
    "security": security,
    "business_username_update": username,
}
