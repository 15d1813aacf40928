"""Where a customer came from: the ad or post (WhatsApp `referral`, Click-to-WhatsApp ads with their click id
`ctwa_clid`), or a Messenger referral (an ad, an m.me short link and its `ref`, a QR code)."""

from __future__ import annotations

from typing import Any

from integrations.slack.mrkdwn import escape
from metaops import messages


def whatsapp(ref: dict[str, Any]) -> str:
    """One line naming the ad or post, or "" when Meta sent no referral."""
    if not ref:
        return ""
    title = ref.get("headline") or ref.get("body") or ref.get("source_id")
    what = f" *{escape(str(title))}*" if title else ""
    link = _link(ref.get("source_url"))
    if ref.get("ctwa_clid"):
        return messages.REFERRAL_CTWA.format(what=what, link=link)
    source = str(ref.get("source_type") or "").lower().split()
    kind = messages.REFERRAL_KINDS["ad" if "ad" in source or not source else "post"]
    return messages.REFERRAL.format(kind=kind, what=what, link=link)


def messenger(ref: dict[str, Any]) -> str:
    """One line for a Messenger or Instagram referral, or "" when there is none."""
    if not ref:
        return ""
    source = str(ref.get("source") or "").upper()
    ad: dict[str, Any] = ref["ads_context_data"] if isinstance(ref.get("ads_context_data"), dict) else {}
    title = ad.get("ad_title") or ref.get("ad_id")
    ref_text = f" (ref `{escape(str(ref['ref']))}`)" if ref.get("ref") else ""
    if source == "ADS" or ref.get("ad_id"):
        return messages.REFERRAL.format(kind=messages.REFERRAL_KINDS["ad"], what=f" *{escape(str(title))}*" if title
                                        else "", link=ref_text)
    where = messages.REFERRAL_SOURCES.get(source, escape(source.replace("_", " ").lower()) or "a link")
    return messages.REFERRAL_LINK.format(where=where, ref=ref_text)


def _link(url: Any) -> str:
    text = str(url or "")
    safe = text.startswith("https://") and not any(c in text for c in "<>| ")
    return f" (<{text}|open>)" if safe else ""
