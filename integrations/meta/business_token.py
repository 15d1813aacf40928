"""Tokens that do not expire: the business token Meta's Embedded Signup hands out for its code, and a system user's
token an admin pastes. Each is checked with `debug_token` before it is used: valid, of this app, not expiring,
with the WhatsApp permissions, and reaching at least one WhatsApp Business Account."""

from __future__ import annotations

from typing import Any

from integrations.meta import oauth
from integrations.meta.graph import GraphClient

REQUIRED_SCOPES = ("whatsapp_business_management", "whatsapp_business_messaging")


class TokenRefused(Exception):
    """A token that will not do; the message is one line saying what is wrong with it (never the token)."""


def exchange_signup_code(graph: GraphClient, code: str) -> str:
    """Embedded Signup's code (from FB.login's answer) -> the business token. Meta takes it without a redirect URI
    (the JavaScript SDK's flow); sent in the POST body, never in a URL."""
    answer = graph.post("oauth/access_token", data={"client_id": graph.app_id, "client_secret": graph.app_secret,
                                                    "code": code})
    return str(answer["access_token"])


def check(graph: GraphClient, token: str) -> dict[str, Any]:
    """Meta's view of `token` (debug_token) when it will do; TokenRefused saying why not."""
    info = oauth.debug_token(graph, token)
    if not info.get("is_valid"):
        reason = (info.get("error") or {}).get("message") or "revoked or never valid"
        raise TokenRefused(f"Meta says this token is not valid ({reason})")
    if str(info.get("app_id") or "") != str(graph.app_id):
        raise TokenRefused(f"this token belongs to another Meta app ({info.get('app_id')}), not META_APP_ID")
    if int(info.get("expires_at") or 0):
        raise TokenRefused("this token expires: it is a user's token. Generate a system user's token (Business "
                           "settings → Users → System users → Generate token, expiration: Never)")
    missing = [s for s in REQUIRED_SCOPES if s not in (info.get("scopes") or [])]
    if missing:
        raise TokenRefused("this token lacks the permission(s) " + ", ".join(missing))
    if not waba_ids(info):
        raise TokenRefused("no WhatsApp Business Account is assigned to this token's system user (Business "
                           "settings → System users → Assign assets)")
    return info


def waba_ids(info: dict[str, Any]) -> set[str]:
    """The WhatsApp Business Accounts a token reaches, from debug_token's granular scopes."""
    return {str(t) for g in info.get("granular_scopes") or [] if g.get("scope") in REQUIRED_SCOPES
            for t in g.get("target_ids") or []}


def register(graph: GraphClient, token: str, phone_number_id: str, pin: str) -> None:
    """Register the business number for Cloud API with its two-step verification PIN (a new number: the PIN it
    will have)."""
    graph.post(f"{phone_number_id}/register", token, data={"messaging_product": "whatsapp", "pin": pin})
