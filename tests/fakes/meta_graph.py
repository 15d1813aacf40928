"""Meta's Graph API played on loopback, shaped after Meta's documented answers (OAuth, debug_token,
WhatsApp Business Accounts and numbers, Pages and their Instagram accounts). It checks what the real
API checks: the app credentials, Bearer tokens, and appsecret_proof on user and page tokens."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import time
from typing import Any

from tests.fakes.http import Call, FakeServer, Reply

APP_ID = "1234567890"
VERSION = "v26.0"
WABA = "102290129340398"
PHONE_ID = "106540352242922"


def graph_error(code: int, message: str, status: int = 400, subcode: int | None = None,
                user_title: str | None = None, user_msg: str | None = None) -> Reply:
    err: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf123"}
    if subcode:
        err["error_subcode"] = subcode
    if user_title:
        err["error_user_title"], err["error_user_msg"] = user_title, user_msg
    return Reply(status, {"error": err})


class FakeGraph(FakeServer):
    def __init__(self, app_secret: str) -> None:
        super().__init__()
        self.app_secret = app_secret
        self._n = itertools.count(1)
        self.reset_state()
        self.fallback = self._dispatch

    def reset_state(self) -> None:
        self.codes: dict[str, str] = {}  # OAuth code -> the user it logs in
        self.tokens: dict[str, dict[str, Any]] = {}  # token -> {"kind": user|page, "long": bool, "expires": ts}
        self.user = {"id": "10001", "name": "Ada Admin"}
        self.granted = ["whatsapp_business_management", "whatsapp_business_messaging", "business_management",
                        "pages_show_list", "pages_messaging", "instagram_basic", "public_profile"]
        self.wabas = {WABA: {"id": WABA, "name": "Acme Support", "currency": "USD", "timezone_id": "1",
                             "message_template_namespace": "abc_123"}}
        self.phones = {WABA: [{"id": PHONE_ID, "display_phone_number": "+1 555-078-3881",
                               "verified_name": "Acme", "quality_rating": "GREEN",
                               "code_verification_status": "VERIFIED"}]}
        self.profile = {"about": "We sell jackets", "address": "1 Main St", "email": "help@acme.test",
                        "websites": ["https://acme.test"], "vertical": "RETAIL"}
        self.pages = [{"id": f"PAGE{i}", "name": f"Acme Page {i}", "category": "Retail"} for i in (1, 2, 3)]
        self.instagram = {"PAGE1": {"id": "IG1", "username": "acme", "name": "Acme", "followers_count": 1200,
                                    "media_count": 87}}
        self.long_lived_seconds = 60 * 24 * 3600
        self.exchange = "extend"  # extend: a new long-lived token; same: the same token, no extension; error

    def reset(self) -> None:
        super().reset()
        self.reset_state()

    # What a test does: a user consents in the dialog and Meta redirects with this code.
    def consent(self) -> str:
        code = f"CODE{next(self._n)}"
        self.codes[code] = self.user["id"]
        return code

    def issue_token(self, kind: str = "user", long: bool = True, expires_in: int | None = None) -> str:
        token = f"EAA{kind.upper()}{next(self._n)}x{hashlib.sha1(str(time.time()).encode()).hexdigest()[:10]}"
        seconds = expires_in if expires_in is not None else (self.long_lived_seconds if long else 3600)
        self.tokens[token] = {"kind": kind, "long": long, "expires": int(time.time()) + seconds if seconds else 0}
        return token

    def _dispatch(self, call: Call) -> Reply:
        prefix = f"/{VERSION}/"
        if not call.path.startswith(prefix):
            return graph_error(2500, "Unknown path components", 400)
        parts = call.path[len(prefix):].strip("/").split("/")
        if parts == ["oauth", "access_token"]:
            return self._oauth(call)
        if parts == ["debug_token"]:
            return self._debug_token(call)
        token, error = self._auth(call)
        if error:
            return error
        return self._resource(call, parts, token)

    def _oauth(self, call: Call) -> Reply:
        p = call.params
        if p.get("client_id") != APP_ID or p.get("client_secret") != self.app_secret:
            return graph_error(1, "Error validating client secret.", 400)
        if p.get("grant_type") == "fb_exchange_token":
            old = self.tokens.get(p.get("fb_exchange_token", ""))
            if old is None or (old["expires"] and old["expires"] < time.time()):
                return graph_error(190, "Error validating access token: Session has expired", 400, 463)
            if self.exchange == "error":
                return graph_error(100, "(#100) Invalid parameter", 400)
            if self.exchange == "same":
                left = old["expires"] - int(time.time()) if old["expires"] else 0
                return Reply(200, {"access_token": p["fb_exchange_token"], "token_type": "bearer", "expires_in": left})
            token = self.issue_token("user", long=True)
            return Reply(200, {"access_token": token, "token_type": "bearer", "expires_in": self.long_lived_seconds})
        code = p.get("code", "")
        if code not in self.codes:
            return graph_error(100, "This authorization code has been used.", 400, 36009)
        del self.codes[code]
        if not p.get("redirect_uri"):
            return graph_error(191, "Missing redirect_uri", 400)
        return Reply(200, {"access_token": self.issue_token("user", long=False), "token_type": "bearer",
                           "expires_in": 3600})

    def _debug_token(self, call: Call) -> Reply:
        if call.headers.get("Authorization") != f"Bearer {APP_ID}|{self.app_secret}":
            return graph_error(190, "Invalid OAuth access token.", 400)
        info = self.tokens.get(call.params.get("input_token", ""))
        if info is None:
            return Reply(200, {"data": {"is_valid": False, "error": {"code": 190, "message": "Invalid token"}}})
        return Reply(200, {"data": {
            "app_id": APP_ID, "type": "USER", "application": "MetaOps", "is_valid": info["expires"] == 0 or
            info["expires"] > time.time(), "expires_at": info["expires"], "data_access_expires_at":
            int(time.time()) + 90 * 24 * 3600, "scopes": self.granted, "user_id": self.user["id"],
            "granular_scopes": [{"scope": "whatsapp_business_management", "target_ids": list(self.wabas)},
                                {"scope": "whatsapp_business_messaging", "target_ids": list(self.wabas)}]}})

    def _auth(self, call: Call) -> tuple[str, Reply | None]:
        header = call.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ")
        info = self.tokens.get(token)
        if not header.startswith("Bearer ") or info is None:
            return token, graph_error(190, "Invalid OAuth access token - Cannot parse access token", 400)
        if info["expires"] and info["expires"] < time.time():
            return token, graph_error(190, "Error validating access token: Session has expired", 400, 463)
        proof = hmac.new(self.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
        if call.params.get("appsecret_proof") != proof:
            return token, graph_error(100, "Invalid appsecret_proof provided in the API argument", 400)
        return token, None

    def _resource(self, call: Call, parts: list[str], token: str) -> Reply:
        if parts == ["me"]:
            return Reply(200, self.user)
        if parts == ["me", "permissions"]:
            return Reply(200, {"data": [{"permission": p, "status": "granted"} for p in self.granted]})
        if parts == ["me", "businesses"]:
            return Reply(200, {"data": [{"id": "BIZ1", "name": "Acme Inc"}]})
        if parts == ["BIZ1", "owned_whatsapp_business_accounts"]:
            return self._paged(call, list(self.wabas.values()))
        if parts == ["BIZ1", "client_whatsapp_business_accounts"]:
            return self._paged(call, [])
        if parts == ["me", "accounts"]:
            pages = [{**p, "access_token": self.issue_token("page", expires_in=0), "tasks": ["MANAGE"],
                      **({"instagram_business_account": self.instagram[p["id"]]} if p["id"] in self.instagram
                         else {})} for p in self.pages]
            return self._paged(call, pages)
        if len(parts) == 1 and parts[0] in self.wabas:
            return Reply(200, self.wabas[parts[0]])
        if len(parts) == 2 and parts[1] == "phone_numbers" and parts[0] in self.phones:
            return self._paged(call, self.phones[parts[0]])
        if len(parts) == 2 and parts[1] == "whatsapp_business_profile":
            return Reply(200, {"data": [{**self.profile, "messaging_product": "whatsapp"}]})
        return graph_error(100, f"Unsupported get request. Object with ID '{parts[0]}' does not exist", 400, 33)

    def _paged(self, call: Call, items: list[dict[str, Any]]) -> Reply:
        """Meta's cursor paging: `limit`, `after`; `paging.next` only when more remain."""
        limit = int(call.params.get("limit", 25))
        start = int(call.params.get("after", "0").removeprefix("c") or 0)
        chunk = items[start:start + limit]
        body: dict[str, Any] = {"data": chunk}
        if chunk:
            body["paging"] = {"cursors": {"before": f"c{start}", "after": f"c{start + len(chunk)}"}}
            if start + limit < len(items):
                body["paging"]["next"] = f"{self.url}{call.path}?after=c{start + len(chunk)}&limit={limit}"
        return Reply(200, body)
