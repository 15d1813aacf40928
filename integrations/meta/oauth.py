"""Meta login for a workspace: the dialog URL, a signed single-use state, the token exchanges, and
discovery of what the token can reach (WhatsApp Business Accounts and numbers, Pages, Instagram)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlencode

from cryptography.fernet import InvalidToken
from redis import Redis

from integrations.meta import errors, pages
from integrations.meta.errors import GraphError
from integrations.meta.graph import GraphClient

# What WhatsApp, Pages and Instagram need (SPEC: connect).
SCOPES = (
    "whatsapp_business_management", "whatsapp_business_messaging", "business_management",
    "pages_show_list", "pages_read_engagement", "pages_manage_metadata", "pages_manage_posts", "pages_messaging",
    "pages_read_user_content", "instagram_basic", "instagram_manage_messages", "instagram_manage_comments",
)
WABA_FIELDS = "id,name,currency,timezone_id,message_template_namespace"
PHONE_FIELDS = "id,display_phone_number,verified_name,quality_rating,code_verification_status,name_status"


class Cipher(Protocol):
    """What signs and encrypts the state (the app's Fernet keys): `decrypt` and `timestamp` raise
    cryptography's InvalidToken on a forged token."""

    def encrypt(self, plaintext: str) -> str: ...

    def decrypt(self, token: str) -> str: ...

    def timestamp(self, token: str) -> int: ...


class StateError(Exception):
    """The OAuth state is forged, expired or used already; `who` is set when it was authentic."""

    def __init__(self, reason: str, who: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.who = who
        self.tries_left = 0  # "code": wrong codes still allowed before the state burns


class StateStore:
    """`state` = a Fernet token (signed, encrypted, timestamped) of who asked, plus a nonce kept in Redis
    until used: forged, expired (after `ttl`) and reused states are all refused.

    Each state comes with a one-time code (`issue` returns both; only the code's salted hash is kept, beside
    the nonce), which Slack shows the member who asked, to them only. A state is bound to the browser that
    proves it holds that code: `bind` (our start page's form) checks the code in constant time, draws a random
    secret for the browser's cookie and keeps its hash beside the nonce, once; `consume` refuses the state
    unless the callback's browser shows that secret. `tries` wrong codes burn the state. A start link or
    dialog link forwarded to someone else, or a start link opened a second time, gets nowhere."""

    def __init__(self, redis: Redis, crypto: Cipher, ttl: int, tries: int = 5) -> None:
        self.redis, self.crypto, self.ttl, self.tries = redis, crypto, ttl, tries

    def issue(self, team_id: str, user_id: str, channel_id: str) -> tuple[str, str]:
        """A new state and its one-time code (6 digits), for the member who asked only."""
        nonce = secrets.token_urlsafe(16)
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        self.redis.set(f"metaops:oauth:{nonce}", 1, ex=self.ttl)
        self.redis.set(f"metaops:oauth:{nonce}:code", code_digest(nonce, code), ex=self.ttl)
        return self.crypto.encrypt(json.dumps({"t": team_id, "u": user_id, "c": channel_id, "n": nonce})), code

    def check(self, state: str) -> tuple[dict[str, str], int]:
        """Who asked and how long the state has left (seconds), while it may still be started: forged,
        expired, burnt, used and already started states are refused."""
        data, who = self._open(state)
        left = self.ttl - int(datetime.now(UTC).timestamp() - self.crypto.timestamp(state))
        if left <= 0:
            raise StateError("expired", who)
        if self.redis.exists(f"metaops:oauth:{data['n']}:burnt"):
            raise StateError("burnt", who)
        if not self.redis.exists(f"metaops:oauth:{data['n']}"):
            raise StateError("reused", who)
        if self.redis.exists(f"metaops:oauth:{data['n']}:browser"):
            raise StateError("started", who)
        return who, left

    def bind(self, state: str, code: str) -> tuple[str, int]:
        """The browser secret for the start endpoint's cookie and how long it lives (seconds), for the browser
        that shows the state's one-time code; the first browser to do so gets it, any later one is refused
        ("started"). A wrong code is refused ("code", with `tries_left`); the last allowed one burns the state
        ("burnt")."""
        who, left = self.check(state)
        nonce = self._open(state)[0]["n"]
        tries = int(self.redis.incr(f"metaops:oauth:{nonce}:tries"))
        self.redis.expire(f"metaops:oauth:{nonce}:tries", left)
        kept = self.redis.get(f"metaops:oauth:{nonce}:code")
        given = code_digest(nonce, code.strip()).encode()
        if tries > self.tries or kept is None or not hmac.compare_digest(
                kept if isinstance(kept, bytes) else str(kept).encode(), given):
            if tries >= self.tries:
                self.burn(state)
                raise StateError("burnt", who)
            error = StateError("code", who)
            error.tries_left = self.tries - tries
            raise error
        secret = secrets.token_urlsafe(32)
        if not self.redis.set(f"metaops:oauth:{nonce}:browser", _digest(secret), ex=left, nx=True):
            raise StateError("started", who)
        self.redis.delete(f"metaops:oauth:{nonce}:code")  # shown once, used once
        return secret, left

    def burn(self, state: str) -> None:
        """Nothing more connects with `state`: its nonce and code go, a marker says why (until it expires)."""
        data, _ = self._open(state)
        self.redis.set(f"metaops:oauth:{data['n']}:burnt", 1, ex=self.ttl)
        self.redis.delete(f"metaops:oauth:{data['n']}", f"metaops:oauth:{data['n']}:code")

    def first_notice(self, state: str, reason: str) -> bool:
        """True the first time `reason` is noted for this (authentic) state: the member is told once, however
        often a forwarded link is tried."""
        data, _ = self._open(state)
        return bool(self.redis.set(f"metaops:oauth:{data['n']}:told:{reason}", 1, ex=self.ttl, nx=True))

    def consume(self, state: str, browser_secret: str | None = None) -> dict[str, str]:
        data, who = self._open(state)
        bound = self.redis.get(f"metaops:oauth:{data['n']}:browser")
        if not browser_secret or bound is None or not hmac.compare_digest(
                bound if isinstance(bound, bytes) else str(bound).encode(), _digest(browser_secret).encode()):
            # The page says nothing about the state or who asked (the holder may be anyone); `who` is only for
            # telling the member in Slack.
            raise StateError("browser", who)
        if datetime.now(UTC).timestamp() - self.crypto.timestamp(state) > self.ttl:
            raise StateError("expired", who)
        if not self.redis.delete(f"metaops:oauth:{data['n']}"):
            raise StateError("reused", who)
        return who  # the binding expires with the state: a second visit from this browser reads "used already"

    def _open(self, state: str) -> tuple[dict[str, Any], dict[str, str]]:
        try:
            data = json.loads(self.crypto.decrypt(state))
            return data, {"team_id": data["t"], "user_id": data["u"], "channel_id": data["c"]}
        except (InvalidToken, ValueError, TypeError, KeyError):
            raise StateError("forged") from None


def browser_cookie(state: str) -> str:
    """The name of the cookie that binds `state` to a browser: one per state, so two flows in one browser
    do not overwrite each other's."""
    return "metaops_oauth_" + hashlib.sha256(state.encode()).hexdigest()[:16]


CODE_DIGITS = 6


def code_digest(nonce: str, code: str) -> str:
    """How a one-time code is kept: salted with its state's nonce, never in the clear."""
    return hashlib.sha256(f"{nonce}:{code}".encode()).hexdigest()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def dialog_url(dialog_base: str, version: str, app_id: str, redirect_uri: str, state: str) -> str:
    query = urlencode({"client_id": app_id, "redirect_uri": redirect_uri, "state": state,
                       "scope": ",".join(SCOPES), "response_type": "code"})
    return f"{dialog_base}/{version}/dialog/oauth?{query}"


@dataclass
class Token:
    value: str
    expires_at: datetime | None  # None: does not expire


def exchange_code(graph: GraphClient, code: str, redirect_uri: str) -> Token:
    """code -> short-lived user token -> long-lived user token (about 60 days)."""
    short = graph.post("oauth/access_token", data={"client_id": graph.app_id, "client_secret": graph.app_secret,
                                                   "redirect_uri": redirect_uri, "code": code})
    return long_lived(graph, short["access_token"])


def long_lived(graph: GraphClient, token: str) -> Token:
    """`fb_exchange_token`: a long-lived token for `token` (Meta allows it while `token` is valid)."""
    answer = graph.post("oauth/access_token", data={"grant_type": "fb_exchange_token", "client_id": graph.app_id,
                                                    "client_secret": graph.app_secret, "fb_exchange_token": token})
    expires_in = answer.get("expires_in")
    expires = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=int(expires_in)) if expires_in else None
    return Token(answer["access_token"], expires)


def debug_token(graph: GraphClient, token: str) -> dict[str, Any]:
    """Meta's view of a token: is_valid, expires_at (0: never), scopes, granular_scopes.

    Meta takes the token to inspect only as the `input_token` parameter, which a GET puts in the URL (and URLs
    end up in logs). So the call goes as a one-call batch request, Meta's documented way to send a call in a
    POST body, with the app token in the Authorization header: no token is ever in a URL."""
    answer = graph.post("", graph.app_token, data={
        "batch": json.dumps([{"method": "GET", "relative_url": "debug_token?" + urlencode({"input_token": token})}]),
        "include_headers": "false"})
    results = answer.get("data")
    result = results[0] if isinstance(results, list) and results and isinstance(results[0], dict) else {}
    try:
        body = json.loads(result.get("body") or "null")
    except ValueError:
        body = None
    status = int(result.get("code") or 0)
    if not 200 <= status < 400 or not isinstance(body, dict) or "error" in body:
        raise errors.from_answer(status or 502, body)
    return body.get("data") or {}


@dataclass
class Discovered:
    me: dict[str, Any]
    permissions: list[str]
    expires_at: datetime | None
    granular_scopes: list[dict[str, Any]]
    wabas: list[dict[str, Any]] = field(default_factory=list)  # each with "phone_numbers"
    pages: list[dict[str, Any]] = field(default_factory=list)  # each with "access_token", maybe "instagram"
    problems: list[str] = field(default_factory=list)  # what could not be read, for the summary


def discover(graph: GraphClient, token: Token) -> Discovered:
    me = graph.get("me", token.value, fields="id,name")
    perms = [p["permission"] for p in graph.get("me/permissions", token.value).get("data", [])
             if p.get("status") == "granted"]
    info = debug_token(graph, token.value)
    expires = token.expires_at
    if info.get("expires_at") is not None:
        expires = (datetime.fromtimestamp(int(info["expires_at"]), UTC).replace(tzinfo=None)
                   if int(info["expires_at"]) else None)
    found = Discovered(me, perms, expires, info.get("granular_scopes") or [])
    for waba_id, business_id in _waba_ids(graph, token.value, found):
        try:
            waba = graph.get(waba_id, token.value, fields=WABA_FIELDS)
            waba["business_id"] = business_id
            waba["phone_numbers"] = list(graph.paged(f"{waba_id}/phone_numbers", token.value, fields=PHONE_FIELDS))
            found.wabas.append(waba)
        except GraphError as e:
            found.problems.append(f"WhatsApp Business Account {waba_id}: {e.user_text()}")
    if "pages_show_list" in perms:
        found.pages.extend(pages.accounts(graph, token.value))
    return found


def _waba_ids(graph: GraphClient, token: str, found: Discovered) -> list[tuple[str, str | None]]:
    """WABAs from the granted scopes' target ids, then those the user's businesses own or were shared."""
    ids: dict[str, str | None] = {}
    for g in found.granular_scopes:
        if g.get("scope") in ("whatsapp_business_management", "whatsapp_business_messaging"):
            for target in g.get("target_ids") or []:
                ids.setdefault(str(target), None)
    if "business_management" in found.permissions:
        try:
            for business in graph.paged("me/businesses", token, fields="id,name"):
                for edge in ("owned_whatsapp_business_accounts", "client_whatsapp_business_accounts"):
                    for w in graph.paged(f"{business['id']}/{edge}", token, fields="id"):
                        ids[str(w["id"])] = str(business["id"])
        except GraphError as e:
            found.problems.append(f"Business portfolios: {e.user_text()}")
    return list(ids.items())
