"""Meta's Graph API played on loopback, shaped after Meta's documented answers (OAuth, debug_token,
WhatsApp Business Accounts and numbers, Pages and their Instagram accounts). It checks what the real
API checks: the app credentials, Bearer tokens, and appsecret_proof on user and page tokens."""

from __future__ import annotations

import collections
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.constants import PHONE_ID, WABA  # the connected account's, as Meta answers them
from tests.fakes.http import Call, FakeServer, Reply

APP_ID = "1234567890"
VERSION = "v26.0"


def graph_error(code: int, message: str, status: int = 400, subcode: int | None = None,
                user_title: str | None = None, user_msg: str | None = None,
                error_data: dict[str, Any] | None = None) -> Reply:
    err: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf123"}
    if subcode:
        err["error_subcode"] = subcode
    if user_title:
        err["error_user_title"], err["error_user_msg"] = user_title, user_msg
    if error_data:
        err["error_data"] = error_data
    return Reply(status, {"error": err})


def window_closed() -> Reply:
    """Meta's answer to a free-form WhatsApp message more than 24 hours after the customer's last one."""
    return graph_error(131047, "(#131047) Re-engagement message", 400, error_data={
        "messaging_product": "whatsapp",
        "details": "Message failed to send because more than 24 hours have passed since the customer last replied "
                   "to this number."})


def outside_window() -> Reply:
    """The Send API's answer to a message outside what the customer's last message allows: a RESPONSE more than
    24 hours after it, or anything (HUMAN_AGENT included) more than 7 days after it."""
    return graph_error(10, "(#10) This message is sent outside of allowed window.", 400, subcode=2018278)


DAY = 24 * 3600


def _length(what: str, text: Any, low: int, high: int) -> str | None:
    n = len(text) if isinstance(text, str) else 0
    return None if low <= n <= high else f"{what} length invalid. Min length: {low}, Max length: {high}"


def interactive_refusal(i: dict[str, Any]) -> str | None:
    """Why WhatsApp refuses an interactive message (error 131009's details), or None: its documented limits."""
    kind, action = i.get("type"), i.get("action") or {}
    problems = [_length("Body text", (i.get("body") or {}).get("text"), 1, 1024)]
    if "header" in i:
        problems.append(_length("Header text", (i["header"] or {}).get("text"), 1, 60))
    if "footer" in i:
        problems.append(_length("Footer text", (i["footer"] or {}).get("text"), 1, 60))
    if kind == "button":
        buttons = [b.get("reply") or {} for b in action.get("buttons") or []]
        if not 1 <= len(buttons) <= 3:
            problems.append("Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3")
        problems += [_length("Button title", b.get("title"), 1, 20) for b in buttons]
        problems += [_length("Button id", b.get("id"), 1, 256) for b in buttons]
        ids, titles = {b.get("id") for b in buttons}, {b.get("title") for b in buttons}
        if len(ids) != len(buttons) or len(titles) != len(buttons):
            problems.append("Buttons ids and titles must be unique")
    elif kind == "list":
        sections = action.get("sections") or []
        rows = [r for sec in sections for r in sec.get("rows") or []]
        problems.append(_length("Button text", action.get("button"), 1, 20))
        if not 1 <= len(sections) <= 10 or not 1 <= len(rows) <= 10:
            problems.append("Invalid number of rows. Min allowed rows: 1, Max allowed rows: 10")
        if len(sections) > 1:
            problems += [_length("Section title", sec.get("title"), 1, 24) for sec in sections]
        problems += [_length("Row title", r.get("title"), 1, 24) for r in rows]
        problems += [_length("Row description", r["description"], 0, 72) for r in rows if "description" in r]
        problems += [_length("Row id", r.get("id"), 1, 200) for r in rows]
        if len({r.get("id") for r in rows}) != len(rows):
            problems.append("Row ids must be unique")
    elif kind == "cta_url":
        params = action.get("parameters") or {}
        problems.append(_length("Display text", params.get("display_text"), 1, 20))
        if action.get("name") != "cta_url" or not str(params.get("url") or "").startswith(("http://", "https://")):
            problems.append("Invalid url")
    elif kind == "location_request_message":
        if action.get("name") != "send_location" or "header" in i or "footer" in i:
            problems.append("Invalid location request message")
    else:
        problems.append(f"Invalid interactive type: {kind}")
    return next((p for p in problems if p), None)


def quick_replies_refusal(message: dict[str, Any]) -> str | None:
    """Why the Send API refuses quick replies (error 100), or None: at most 13, each with a non-empty title."""
    replies = message.get("quick_replies") or []
    if not message.get("text") and not message.get("attachment"):
        return "param message must have text or attachment"
    if not 1 <= len(replies) <= 13:
        return "param message[quick_replies] must have between 1 and 13 elements"
    if any(r.get("content_type") == "text" and not r.get("title") for r in replies):
        return "param message[quick_replies][title] must be non-empty"
    return None


def multipart(call: Call) -> tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]:
    """A multipart/form-data body's fields and files (name -> (filename, bytes, content type))."""
    from email.parser import BytesParser
    from email.policy import HTTP

    ctype = call.headers.get("Content-Type", "")
    if not ctype.startswith("multipart/form-data"):
        return {}, {}
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + call.raw)
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes, str]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            files[str(name)] = (filename, data, part.get_content_type())
        else:
            fields[str(name)] = data.decode()
    return fields, files


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
                        "pages_show_list", "pages_messaging", "pages_read_engagement", "pages_manage_posts",
                        "instagram_basic", "public_profile"]
        self.wabas = {WABA: {"id": WABA, "name": "Acme Support", "currency": "USD", "timezone_id": "1",
                             "message_template_namespace": "abc_123"}}
        self.phones = {WABA: [{"id": PHONE_ID, "display_phone_number": "+1 555-078-3881",
                               "verified_name": "Acme", "quality_rating": "GREEN",
                               "code_verification_status": "VERIFIED",
                               "whatsapp_business_manager_messaging_limit": "TIER_2K", "status": "CONNECTED"}]}
        self.profile = {"about": "We sell jackets", "address": "1 Main St", "email": "help@acme.test",
                        "websites": ["https://acme.test"], "vertical": "RETAIL"}
        self.pages = [{"id": f"PAGE{i}", "name": f"Acme Page {i}", "category": "Retail", "followers_count": 100 * i}
                      for i in (1, 2, 3)]
        self.posts = {p["id"]: [{"id": f"{p['id']}_{n}", "message": f"Post number {n}",
                                 "created_time": f"2026-11-{20 - n % 19:02d}T10:00:00+0000",
                                 "permalink_url": f"https://www.facebook.com/{p['id']}/posts/{n}",
                                 "reactions": {"data": [], "summary": {"total_count": n}},
                                 "comments": {"data": [], "summary": {"total_count": 2 * n}}}
                                for n in range(1, 13)] for p in self.pages}
        self.ig_media = {"IG1": [{"id": f"M{n}", "media_type": "IMAGE", "caption": f"Photo {n}",
                                  "permalink": f"https://www.instagram.com/p/{n}", "like_count": n,
                                  "comments_count": n % 3} for n in range(1, 8)]}
        self.instagram = {"PAGE1": {"id": "IG1", "username": "acme", "name": "Acme", "followers_count": 1200,
                                    "media_count": 87}}
        self.templates: list[dict[str, Any]] = []  # as Meta lists them
        self.sent: list[dict[str, Any]] = []  # messages sent: {"to", "from", "body"}
        self.refuse_sends: Reply | None = None  # the answer to every send, when set
        # comments on Page posts ("fb") and Instagram media ("ig"): id -> {"kind", "hidden", "deleted"}
        self.comments: dict[str, dict[str, Any]] = {}
        self.comment_replies: list[dict[str, Any]] = []  # public replies: {"comment", "message", "kind", "id"}
        self.refuse_comments: Reply | None = None  # the answer to every reply, hide or delete, when set
        self.read: list[dict[str, Any]] = []  # read receipts: {"from", "message_id"}
        # ids of the customers' messages Meta holds (a test adds those its webhooks carry): the only ones a reaction
        # may name
        self.inbound: set[str] = set()
        self.refuse_reads: Reply | None = None  # the answer to every read receipt, when set
        self.typing: list[dict[str, Any]] = []  # WhatsApp typing indicators (on a read call): {"from", "message_id"}
        self.sender_actions: list[dict[str, Any]] = []  # Messenger/Instagram: {"from", "to", "action"}
        self.uploads: dict[str, dict[str, Any]] = {}  # media or attachment id -> what was uploaded
        self.refuse_uploads: Reply | None = None  # the answer to every media or attachment upload, when set
        # Resumable Upload API: open sessions (id -> file_name, file_length, file_type, the token that opened it)
        # and the handles given for finished uploads (handle -> that and the bytes)
        self.upload_sessions: dict[str, dict[str, Any]] = {}
        self.handles: dict[str, dict[str, Any]] = {}
        self.no_access: set[tuple[str, str]] = set()  # (token, asset id): that token no longer reaches that asset
        self.stall_sends = 0.0  # seconds to wait after accepting a send before answering (past a read timeout)
        # Meta's throughput per business number, messages a second (Meta's default: 80); None: not modelled. Sends
        # past it are refused with 130429 (counted in `throttled`)
        self.throughput: int | None = None
        self.throttled = 0
        # called with each WhatsApp message Meta accepted and its message id (a test's script: a template paused
        # mid-campaign; a bench's statuses)
        self.after_send: Callable[[dict[str, Any], str], None] | None = None
        self._recent_sends: dict[str, collections.deque[float]] = {}  # business number -> its sends' times
        self._sends_lock = threading.Lock()
        self.media = {"MEDIA1": (b"\x89PNG fake image bytes" * 10, "image/png")}
        self.subscriptions: dict[str, dict[str, Any]] = {}  # app subscriptions per object
        # Messenger/Instagram: PSID or IGSID -> Unix time of their last message (unset: Meta's window not modelled)
        self.dm_last_inbound: dict[str, float] = {}
        # thread control: customer (phone, BSUID, PSID or IGSID) -> who holds it ("agent", "app"; unset: idle);
        # whether the app is the WhatsApp escalation partner, and its role on the Pages (primary or secondary)
        self.holders: dict[str, str] = {}
        self.escalation_partner = True
        self.page_role = "primary"
        self.subscribed: list[str] = []  # WABAs and Pages the app was subscribed to
        self.long_lived_seconds = 60 * 24 * 3600
        # Embedded Signup: code -> the assets the business chose in Meta's flow; numbers' two-step PINs (a number
        # without one takes the PIN its registration sets); numbers registered for Cloud API
        self.signup_codes: dict[str, dict[str, str]] = {}
        self.pins: dict[str, str] = {}
        self.registered: list[str] = []
        self.exchange = "extend"  # extend: a new long-lived token; same: the same token, no extension; error

    def reset(self) -> None:
        super().reset()
        self.reset_state()

    # What a test does: a user consents in the dialog and Meta redirects with this code.
    def consent(self) -> str:
        code = f"CODE{next(self._n)}"
        self.codes[code] = self.user["id"]
        return code

    def issue_token(self, kind: str = "user", long: bool = True, expires_in: int | None = None,
                    assets: set[str] | None = None, app_id: str = APP_ID, scopes: list[str] | None = None) -> str:
        """A token Meta would take. `assets`: the WABAs and numbers only it reaches (a business or system user's
        token: those assigned to it); `app_id` and `scopes` as debug_token tells them."""
        token = f"EAA{kind.upper()}{next(self._n)}x{hashlib.sha1(str(time.time()).encode()).hexdigest()[:10]}"
        seconds = expires_in if expires_in is not None else (self.long_lived_seconds if long else 3600)
        self.tokens[token] = {"kind": kind, "long": long, "expires": int(time.time()) + seconds if seconds else 0,
                              "assets": assets, "app_id": app_id, "scopes": scopes}
        return token

    def system_user_token(self, wabas: set[str] | None = None, **kw: Any) -> str:
        """A system user's token that does not expire, reaching `wabas` (default: every WABA) and their numbers."""
        wabas = set(self.wabas) if wabas is None else wabas
        phones = {p["id"] for w in wabas for p in self.phones.get(w, [])}
        return self.issue_token("system_user", expires_in=0, assets=wabas | phones, **kw)

    # What a test does for Embedded Signup: the business finishes Meta's flow choosing these; FB.login answers this
    # code, and the session message the ids.
    def signup(self, waba: str = WABA, phone: str = PHONE_ID, business: str = "BIZ1") -> str:
        code = f"ESCODE{next(self._n)}"
        self.signup_codes[code] = {"waba": waba, "phone": phone, "business": business}
        return code

    def _dispatch(self, call: Call) -> Reply:
        if call.path.startswith("/download/"):
            return self._download(call)
        prefix = f"/{VERSION}/"
        if not call.path.startswith(prefix):
            return graph_error(2500, "Unknown path components", 400)
        parts = call.path[len(prefix):].strip("/").split("/")
        if parts == ["oauth", "access_token"]:
            return self._oauth(call)
        if parts == ["debug_token"]:
            return self._debug_token(call)
        if parts == [""] and call.method == "POST" and "batch" in call.params:
            return self._batch(call)
        if len(parts) == 2 and parts == [APP_ID, "subscriptions"]:
            return self._app_subscriptions(call)
        if len(parts) == 1 and parts[0].startswith("upload:") and call.method == "POST":
            return self._upload_bytes(call, parts[0])
        token, error = self._auth(call)
        if not error and parts == [APP_ID, "uploads"] and call.method == "POST":
            return self._upload_session(call, token)
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
        if code in self.signup_codes:  # Embedded Signup's code: the business token, no redirect URI (JS SDK flow)
            chosen = self.signup_codes.pop(code)
            phones = {x["id"] for x in self.phones.get(chosen["waba"], [])}
            token = self.issue_token("business", expires_in=0, assets={chosen["waba"], *phones})
            return Reply(200, {"access_token": token, "token_type": "bearer"})
        if code not in self.codes:
            return graph_error(100, "This authorization code has been used.", 400, 36009)
        del self.codes[code]
        if not p.get("redirect_uri"):
            return graph_error(191, "Missing redirect_uri", 400)
        return Reply(200, {"access_token": self.issue_token("user", long=False), "token_type": "bearer",
                           "expires_in": 3600})

    def _batch(self, call: Call) -> Reply:
        """Meta's batch requests (a POST whose body lists calls), as far as the app uses them: `debug_token`
        with the token to inspect in the body, under the outer request's Authorization header."""
        answers = []
        for op in json.loads(call.params["batch"]):
            url = urlsplit(op.get("relative_url", ""))
            if op.get("method", "GET") != "GET" or url.path.strip("/") != "debug_token":
                answers.append({"code": 400, "body": json.dumps(graph_error(100, "Not in this fake").body)})
                continue
            reply = self._debug_token(Call("GET", url.path, dict(parse_qsl(url.query)), call.headers))
            answers.append({"code": reply.status, "body": json.dumps(reply.body)})
        return Reply(200, answers)

    def _debug_token(self, call: Call) -> Reply:
        if "input_token" in call.query:  # a token in a URL ends up in logs: the app must never send one there
            return graph_error(100, "This fake refuses a token in the URL: send it in the body", 400)
        if call.headers.get("Authorization") != f"Bearer {APP_ID}|{self.app_secret}":
            return graph_error(190, "Invalid OAuth access token.", 400)
        info = self.tokens.get(call.params.get("input_token", ""))
        if info is None:
            return Reply(200, {"data": {"is_valid": False, "error": {"code": 190, "message": "Invalid token"}}})
        reached = [w for w in self.wabas if info.get("assets") is None or w in info["assets"]]
        return Reply(200, {"data": {
            "app_id": info.get("app_id") or APP_ID, "type": "USER" if info["kind"] in ("user", "page") else
            "SYSTEM_USER", "application": "MetaOps", "is_valid": info["expires"] == 0 or
            info["expires"] > time.time(), "expires_at": info["expires"], "data_access_expires_at":
            int(time.time()) + 90 * 24 * 3600, "scopes": info.get("scopes") or self.granted,
            "user_id": self.user["id"],
            "granular_scopes": [{"scope": "whatsapp_business_management", "target_ids": reached},
                                {"scope": "whatsapp_business_messaging", "target_ids": reached}]}})

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
        assets = self.tokens[token].get("assets")
        known = set(self.wabas) | {p["id"] for phones in self.phones.values() for p in phones}
        if (token, parts[0]) in self.no_access or (assets is not None and parts[0] in known
                                                    and parts[0] not in assets):
            # what Meta answers for an object the token may not see
            return graph_error(100, f"Unsupported get request. Object with ID '{parts[0]}' does not exist, cannot "
                               "be loaded due to missing permissions, or does not support this operation", 400, 33)
        comment = self._comment_resource(call, parts, token)
        if comment is not None:
            return comment
        if len(parts) == 1 and call.method == "GET" and any(p["id"] == parts[0] for p in self.pages):
            page = next(p for p in self.pages if p["id"] == parts[0])  # a Page is public; its token is not
            own = {"access_token": self.issue_token("page", expires_in=0)} if self.tokens[token]["kind"] == "user" \
                and "access_token" in call.params.get("fields", "") else {}
            return Reply(200, {"id": page["id"], "name": page["name"], **own})
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
            if "analytics" in call.params.get("fields", ""):
                return Reply(200, {"id": parts[0], "analytics": self._analytics(call.params["fields"])})
            return Reply(200, self.wabas[parts[0]])
        if len(parts) == 2 and parts[1] == "template_analytics":
            return self._template_analytics(call)
        if len(parts) == 2 and parts[1] == "phone_numbers" and parts[0] in self.phones:
            return self._paged(call, self.phones[parts[0]])
        if len(parts) == 2 and parts[1] == "message_templates" and parts[0] in self.wabas:
            return self._templates(call)
        if len(parts) == 1 and call.method == "POST" and any(t["id"] == parts[0] for t in self.templates):
            return self._edit_template(call, parts[0])
        if len(parts) == 2 and parts[1] == "register" and call.method == "POST":
            return self._register(call, parts[0])
        if len(parts) == 2 and parts[1] == "messages" and call.method == "POST":
            return self._send(call, parts[0], token)
        if len(parts) == 2 and parts[1].endswith("thread_control") and call.method == "POST":
            return self._thread_control(call.params, parts[1])
        if len(parts) == 2 and parts[1] == "media" and call.method == "POST":
            return self._upload_media(call, parts[0], token)
        if len(parts) == 2 and parts[1] == "message_attachments" and call.method == "POST":
            return self._upload_attachment(call, parts[0], token)
        page_token = self.tokens[token]["kind"] == "page"
        if len(parts) == 2 and parts[1] == "posts" and parts[0] in self.posts:
            if not page_token:
                return graph_error(190, "A page access token is required to request this resource.", 400)
            if "pages_read_engagement" not in self.granted:
                return graph_error(10, "(#10) This endpoint requires the 'pages_read_engagement' permission", 403)
            return self._paged(call, self.posts[parts[0]])
        if len(parts) == 2 and parts[1] == "feed" and call.method == "POST" and parts[0] in self.posts:
            if not call.params.get("message"):
                return graph_error(100, "(#100) The message is required", 400)
            if call.params.get("link") and not call.params["link"].startswith("http"):
                return graph_error(100, "(#100) link URL is not properly formatted", 400)
            post_id = f"{parts[0]}_{next(self._n)}"
            self.posts[parts[0]].insert(0, {"id": post_id, "message": call.params["message"],
                                            "created_time": "2026-11-27T11:00:00+0000",
                                            **({"scheduled": call.params["scheduled_publish_time"]}
                                               if call.params.get("scheduled_publish_time") else {})})
            return Reply(200, {"id": post_id})
        if len(parts) == 1 and parts[0] in {ig["id"] for ig in self.instagram.values()}:
            return Reply(200, next(ig for ig in self.instagram.values() if ig["id"] == parts[0]))
        if len(parts) == 2 and parts[1] == "media" and parts[0] in self.ig_media:
            return self._paged(call, self.ig_media[parts[0]])
        if len(parts) == 2 and parts[1] == "subscribed_apps" and call.method == "POST":
            self.subscribed.append(parts[0])
            return Reply(200, {"success": True})
        if len(parts) == 1 and parts[0] in self.media:
            data, mime = self.media[parts[0]]
            return Reply(200, {"messaging_product": "whatsapp", "url": f"{self.url}/download/{parts[0]}",
                               "mime_type": mime, "sha256": hashlib.sha256(data).hexdigest(),
                               "file_size": len(data), "id": parts[0]})
        if len(parts) == 1 and parts[0].startswith(("PSID", "IGSID")):
            return Reply(200, {"first_name": "Pat", "last_name": "Lee", "name": "Pat Lee", "username": "patlee"})
        if len(parts) == 2 and parts[1] == "whatsapp_business_profile":
            return Reply(200, {"data": [{**self.profile, "messaging_product": "whatsapp"}]})
        return graph_error(100, f"Unsupported get request. Object with ID '{parts[0]}' does not exist", 400, 33)

    def _register(self, call: Call, phone: str) -> Reply:
        """POST /{phone-number-id}/register: `messaging_product=whatsapp` and the 6-digit two-step PIN; a number
        that has a PIN refuses another (133005); one without takes it."""
        if not any(p["id"] == phone for phones in self.phones.values() for p in phones):
            return graph_error(100, f"Unsupported post request. Object with ID '{phone}' does not exist", 400, 33)
        pin = str(call.params.get("pin", ""))
        if call.params.get("messaging_product") != "whatsapp":
            return graph_error(100, "(#100) The parameter messaging_product is required.", 400)
        if len(pin) != 6 or not pin.isdigit():
            return graph_error(100, "(#100) Param pin must be 6 digits", 400)
        if self.pins.setdefault(phone, pin) != pin:
            return graph_error(133005, "Two step verification PIN Mismatch", 400, None, "PIN mismatch",
                               "The two-step verification PIN is not the number's. Reset it in WhatsApp Manager.")
        self.registered.append(phone)
        return Reply(200, {"success": True})

    def add_comment(self, comment_id: str, kind: str = "fb") -> None:
        """A comment Meta knows of (its webhook is what the test posts)."""
        self.comments[comment_id] = {"kind": kind, "hidden": False, "deleted": False}

    def _comment_resource(self, call: Call, parts: list[str], token: str) -> Reply | None:
        """Posts and media read for a comment thread's root; public replies, hide and delete of comments, with a
        page token as Meta requires. None: not about comments."""
        if len(parts) == 1 and call.method == "GET" and ("message" in call.params.get("fields", "")
                                                         or "caption" in call.params.get("fields", "")):
            post = next((p for posts in self.posts.values() for p in posts if p["id"] == parts[0]), None)
            if post is not None:
                return Reply(200, {"id": post["id"], "message": post.get("message"),
                                   "permalink_url": post.get("permalink_url")})
            media = next((m for items in self.ig_media.values() for m in items if m["id"] == parts[0]), None)
            if media is not None:
                return Reply(200, {"id": media["id"], "caption": media.get("caption"),
                                   "permalink": media.get("permalink")})
            return None
        comment = self.comments.get(parts[0])
        if comment is None:
            return None
        if self.tokens[token]["kind"] != "page":
            return graph_error(190, "A page access token is required to request this resource.", 400)
        if self.refuse_comments is not None:
            return self.refuse_comments
        if comment["deleted"]:
            return graph_error(100, f"Unsupported post request. Object with ID '{parts[0]}' does not exist", 400, 33)
        edge = {"fb": "comments", "ig": "replies"}[comment["kind"]]
        if len(parts) == 2 and parts[1] == edge and call.method == "POST":
            if not call.params.get("message"):
                return graph_error(100, "(#100) The message is required", 400)
            reply_id = f"{parts[0]}_R{next(self._n)}"
            self.comment_replies.append({"comment": parts[0], "message": call.params["message"],
                                         "kind": comment["kind"], "id": reply_id})
            return Reply(200, {"id": reply_id})
        hide = {"fb": "is_hidden", "ig": "hide"}[comment["kind"]]
        if len(parts) == 1 and call.method == "POST" and call.params.get(hide) == "true":
            comment["hidden"] = True
            return Reply(200, {"success": True})
        if len(parts) == 1 and call.method == "DELETE":
            comment["deleted"] = True
            return Reply(200, {"success": True})
        return graph_error(100, "(#100) Invalid parameter", 400)

    def _analytics(self, fields: str) -> dict[str, Any]:
        """analytics.start(S).end(E).granularity(DAY): one data point a day, 10*i sent, 9*i delivered."""
        import re

        start, end = (int(x) for x in re.findall(r"(?:start|end)\((\d+)\)", fields))
        points = [{"start": t, "end": t + 86400, "sent": 10 * i, "delivered": 9 * i}
                  for i, t in enumerate(range(start, end, 86400), 1)]
        return {"phone_numbers": [PHONE_ID], "granularity": "DAY", "data_points": points}

    def _template_analytics(self, call: Call) -> Reply:
        ids = json.loads(call.params.get("template_ids", "[]"))
        if not ids or len(ids) > 10:
            return graph_error(100, "template_ids must hold 1 to 10 ids", 400)
        start, end = int(call.params["start"]), int(call.params["end"])
        points = [{"template_id": tid, "start": t, "end": t + 86400, "sent": 5 * (n + 1), "delivered": 4 * (n + 1),
                   "read": 3 * (n + 1)} for n, tid in enumerate(ids) for t in range(start, end, 86400)]
        return Reply(200, {"data": [{"granularity": "DAILY", "data_points": points}]})

    def _send(self, call: Call, sender: str, token: str) -> Reply:
        if call.params.get("status") == "read":  # a read receipt, not a message
            return self._mark_read(call, sender, token)
        if self.refuse_sends is not None:
            return self.refuse_sends
        p = call.params
        if p.get("messaging_product") == "whatsapp" and not self._within_throughput(sender):
            return graph_error(130429, "(#130429) Rate limit hit", 400, error_data={
                "messaging_product": "whatsapp",
                "details": "Cloud API message throughput has been reached."})
        n = next(self._n)
        if p.get("messaging_product") == "whatsapp":
            if self.tokens[token]["kind"] != "user":
                return graph_error(100, "Invalid parameter", 400)
            # Meta: `to` (a phone or group id) or, for customers without a shared phone, `recipient` (a BSUID).
            if not p.get("to") and not p.get("recipient"):
                return graph_error(100, "(#100) The parameter to is required.", 400)
            if p.get("type") == "template":  # an approved template with its parameters, recorded as Meta got them
                t = p.get("template") or {}
                refused = self._template_refusal(t)
                if refused is not None:
                    return refused
                sent = {"from": sender, "to": p.get("to"), "kind": "whatsapp", "type": "template", "template": t}
            elif p.get("type") == "interactive":  # Meta's limits on interactive messages, as Meta refuses them
                refused = interactive_refusal(p.get("interactive") or {})
                if refused:
                    return graph_error(131009, "(#131009) Parameter value is not valid", 400, error_data={
                        "messaging_product": "whatsapp", "details": refused})
                sent = {"from": sender, "to": p.get("to"), "kind": "whatsapp", "type": "interactive",
                        "interactive": p["interactive"]}
            elif p.get("type") == "reaction":  # Meta: a message it holds, one emoji, or "" to remove
                reaction = p.get("reaction") or {}
                if reaction.get("message_id") not in self.inbound:
                    return graph_error(131009, "(#131009) Parameter value is not valid", 400)
                if not isinstance(reaction.get("emoji"), str) or len(reaction["emoji"]) > 8:
                    return graph_error(131009, "(#131009) Parameter value is not valid", 400)
                sent = {"from": sender, "to": p.get("to"), "kind": "whatsapp", "type": "reaction", **reaction}
            elif p.get("type", "text") != "text":
                media = p.get(p["type"]) or {}
                if media.get("id") not in self.uploads:
                    return graph_error(131053, "Media upload error", 400)
                sent = {"from": sender, "to": p.get("to"), "kind": "whatsapp", "type": p["type"], **media}
            else:
                sent = {"from": sender, "to": p.get("to"), "body": p["text"]["body"], "kind": "whatsapp"}
            if p.get("recipient"):
                sent["recipient"] = p["recipient"]
            if self.holders.get(p.get("to") or p.get("recipient")) == "agent" and p.get("type") != "template":
                self.holders[p.get("to") or p["recipient"]] = "app"  # a service message takes the thread over
            self.sent.append(sent)
            if self.after_send is not None:
                self.after_send(sent, f"wamid.OUT{n}")
            time.sleep(self.stall_sends)  # accepted: Meta acts on it even when the caller stops waiting
            contact = {"input": p["to"], "wa_id": p["to"]} if p.get("to") else \
                {"input": p["recipient"], "user_id": p["recipient"]}
            return Reply(200, {"messaging_product": "whatsapp", "contacts": [contact],
                               "messages": [{"id": f"wamid.OUT{n}"}]})
        if self.tokens[token]["kind"] != "page":
            return graph_error(190, "A page access token is required to request this resource.", 400)
        if p.get("sender_action") in ("react", "unreact"):  # Meta: a message it holds; react names the emoji
            payload = p.get("payload") or {}
            if payload.get("message_id") not in self.inbound or \
                    (p["sender_action"] == "react" and not payload.get("reaction")):
                return graph_error(100, "(#100) Invalid parameter", 400)
            self.sent.append({"from": sender, "to": p["recipient"]["id"], "kind": "page", "type": p["sender_action"],
                              **payload})
            return Reply(200, {"recipient_id": p["recipient"]["id"]})
        if "sender_action" in p:
            return self._sender_action(p, sender)
        refused = self._dm_window(p)
        if refused is not None:
            return refused
        if not isinstance(p.get("message"), dict):
            return graph_error(100, "(#100) The parameter message is required.", 400)
        attachment = p["message"].get("attachment")
        if attachment:
            attachment_id = (attachment.get("payload") or {}).get("attachment_id")
            if attachment_id not in self.uploads:
                return graph_error(100, "(#100) No matching attachment found", 400)
            self.sent.append({"from": sender, "to": p["recipient"]["id"], "kind": "page", "type": attachment["type"],
                              "attachment_id": attachment_id})
        elif "quick_replies" in p["message"]:
            refused = quick_replies_refusal(p["message"])
            if refused:
                return graph_error(100, f"(#100) {refused}", 400)
            self.sent.append({"from": sender, "to": p["recipient"]["id"], "body": p["message"]["text"],
                              "kind": "page", "quick_replies": p["message"]["quick_replies"]})
        else:
            self.sent.append({"from": sender, "to": p["recipient"]["id"], "body": p["message"]["text"],
                              "kind": "page"})
        time.sleep(self.stall_sends)
        return Reply(200, {"recipient_id": p["recipient"]["id"], "message_id": f"m_OUT{n}"})

    def _within_throughput(self, sender: str) -> bool:
        """Meta's throughput per business number (`throughput` messages a second, None: not modelled): past it,
        130429 until the second has room again."""
        if self.throughput is None:
            return True
        now = time.monotonic()
        with self._sends_lock:
            recent = self._recent_sends.setdefault(sender, collections.deque())
            while recent and recent[0] <= now - 1.0:
                recent.popleft()
            if len(recent) >= self.throughput:
                self.throttled += 1
                return False
            recent.append(now)
            return True

    def _template_refusal(self, t: dict[str, Any]) -> Reply | None:
        """What Meta answers a template send it will not take: an unknown or unapproved template (132001), one
        Meta paused (132015) or disabled (132016), a media header without its media (132012), media that is
        neither an uploaded id nor a link (131053, 131009), body parameters that do not match (132000)."""
        language = (t.get("language") or {}).get("code")
        found = next((x for x in self.templates if x["name"] == t.get("name") and x["language"] == language), None)
        if found is not None and found["status"] == "PAUSED":
            return graph_error(132015, "(#132015) Template is Paused", 400, error_data={
                "messaging_product": "whatsapp", "details": "Template is paused due to low quality."})
        if found is not None and found["status"] == "DISABLED":
            return graph_error(132016, "(#132016) Template is Disabled", 400, error_data={
                "messaging_product": "whatsapp", "details": "Template has been paused too many times."})
        if found is None or found["status"] != "APPROVED":
            return graph_error(132001, "(#132001) Template name does not exist in the translation", 404)
        given = {str(c.get("type", "")).lower(): c for c in t.get("components") or [] if isinstance(c, dict)}
        header = next((c for c in found.get("components") or [] if c.get("type") == "HEADER"), None)
        media_format = str((header or {}).get("format") or "").upper()
        if media_format in ("IMAGE", "VIDEO", "DOCUMENT"):
            params = (given.get("header") or {}).get("parameters") or [{}]
            kind = media_format.lower()
            media = params[0].get(kind) if isinstance(params[0], dict) and params[0].get("type") == kind else None
            if not isinstance(media, dict):
                return graph_error(132012, "(#132012) Parameter format does not match format in the created "
                                   "template", 400, error_data={
                                       "messaging_product": "whatsapp",
                                       "details": f"header: Format mismatch, expected {media_format}, received "
                                                  f"{str(params[0].get('type') or 'UNKNOWN').upper()}"})
            if "id" in media and media["id"] not in self.uploads:
                return graph_error(131053, "(#131053) Media upload error", 400)
            if "id" not in media and not str(media.get("link") or "").startswith(("https://", "http://")):
                return graph_error(131009, "(#131009) Parameter value is not valid", 400, error_data={
                    "messaging_product": "whatsapp", "details": "header: media needs an id or an http(s) link"})
        body = next((c for c in found.get("components") or [] if c.get("type") == "BODY"), {})
        expected = len(set(re.findall(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}", str(body.get("text") or ""))))
        got = len((given.get("body") or {}).get("parameters") or [])
        if body and expected != got:
            return graph_error(132000, "(#132000) Number of parameters does not match the expected number of "
                               "params", 400, error_data={
                                   "messaging_product": "whatsapp",
                                   "details": f"body: number of localizable_params ({got}) does not match the "
                                              f"expected number of params ({expected})"})
        return None

    def _thread_control(self, p: dict[str, Any], edge: str) -> Reply:
        """WhatsApp `thread_control` (`take`: the escalation partner only; `release`: the holder only) and
        Messenger's `take_thread_control` (an idle thread, or any for the Page's Primary Receiver) and
        `release_thread_control` (the holder only)."""
        if edge == "thread_control":
            if p.get("messaging_product") != "whatsapp" or p.get("action") not in ("take", "release", "pass"):
                return graph_error(100, "(#100) Invalid parameter", 400)
            customer, action = str(p.get("to") or p.get("recipient") or ""), str(p["action"])
            if action == "take" and not self.escalation_partner:
                return graph_error(2494191, "(#2494191) Only the escalation partner may take thread control", 400)
        else:
            customer, action = str((p.get("recipient") or {}).get("id") or ""), edge.split("_", 1)[0]
            if action == "take" and self.holders.get(customer) == "agent" and self.page_role != "primary":
                return graph_error(200, "(#200) Only the Primary Receiver can take control of a thread another "
                                   "app owns", 403)
        if not customer:
            return graph_error(100, "(#100) The parameter recipient is required", 400)
        if action == "release" and self.holders.get(customer) != "app":
            return graph_error(100, "(#100) The app does not hold thread control for this user", 400)
        self.holders[customer] = "app" if action == "take" else "agent"
        return Reply(200, {"success": True, "messaging_product": "whatsapp"} if edge == "thread_control"
                     else {"success": True})

    def _dm_window(self, p: dict[str, Any]) -> Reply | None:
        """What the Send API checks of `messaging_type`: RESPONSE within 24 hours of the customer's last message,
        MESSAGE_TAG with a known tag (HUMAN_AGENT: within 7 days); nothing past 7 days."""
        kind, tag = p.get("messaging_type"), p.get("tag")
        if kind not in ("RESPONSE", "UPDATE", "MESSAGE_TAG") or (kind == "MESSAGE_TAG" and tag not in (
                "HUMAN_AGENT", "ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE")):
            return graph_error(100, "(#100) Param messaging_type or tag is not valid", 400)
        last = self.dm_last_inbound.get(str((p.get("recipient") or {}).get("id")))
        if last is None:
            return None
        age = time.time() - last
        if (kind != "MESSAGE_TAG" and age > DAY) or age > 7 * DAY:
            return outside_window()
        return None

    def _upload_media(self, call: Call, phone_id: str, token: str) -> Reply:
        """POST /{phone-number-id}/media, multipart: `messaging_product=whatsapp`, the `file` part with its type.
        Meta refuses a type it does not take (131053) and a file past the type's limit."""
        if self.refuse_uploads is not None:
            return self.refuse_uploads
        fields, files = multipart(call)
        if fields.get("messaging_product") != "whatsapp":
            return graph_error(100, "(#100) The parameter messaging_product is required.", 400)
        if "file" not in files:
            return graph_error(100, "(#100) The parameter file is required.", 400)
        name, data, ctype = files["file"]
        media_id = f"{next(self._n):015d}"
        self.uploads[media_id] = {"kind": "whatsapp", "from": phone_id, "filename": name, "mime_type": ctype,
                                  "bytes": data}
        return Reply(200, {"id": media_id})

    def _upload_session(self, call: Call, token: str) -> Reply:
        """Resumable Upload API, step 1: `POST /{app-id}/uploads?file_name=&file_length=&file_type=` (a user token)
        answers `{"id": "upload:…"}`; Meta takes only its listed types and a positive length."""
        if self.refuse_uploads is not None:
            return self.refuse_uploads
        q = call.query
        if self.tokens[token]["kind"] != "user":
            return graph_error(190, "A user access token is required to request this resource.", 400)
        if q.get("file_type") not in ("application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4"):
            return graph_error(100, "(#100) Param file_type must be one of {application/pdf, image/jpeg, "
                               "image/jpg, image/png, video/mp4}", 400)
        if not str(q.get("file_length", "")).isdigit() or int(q["file_length"]) <= 0 or not q.get("file_name"):
            return graph_error(100, "(#100) The parameters file_length and file_name are required", 400)
        session = f"upload:MTphdHRhY2htZW50O{next(self._n)}"
        self.upload_sessions[session] = {"file_name": q["file_name"], "file_length": int(q["file_length"]),
                                         "file_type": q["file_type"], "token": token}
        return Reply(200, {"id": f"{session}?sig=ARZfake"})

    def _upload_bytes(self, call: Call, session: str) -> Reply:
        """Step 2: `POST /{upload-session-id}` with `Authorization: OAuth <token>` (the session's), `file_offset: 0`
        and the whole file as the body answers the handle `{"h": "…"}`."""
        info = self.upload_sessions.get(session)
        header = call.headers.get("Authorization", "")
        if info is None:
            return graph_error(100, "(#100) Invalid upload session id", 400)
        if not header.startswith("OAuth ") or header.removeprefix("OAuth ") != info["token"]:
            return graph_error(190, "Invalid OAuth access token - Cannot parse access token", 400)
        if call.headers.get("file_offset") != "0":
            return graph_error(100, "(#100) file_offset must be 0 for a new upload", 400)
        if len(call.raw) != info["file_length"]:
            return graph_error(100, f"(#100) Expected {info['file_length']} bytes, got {len(call.raw)}", 400)
        handle = f"4::{session.removeprefix('upload:')}:{hashlib.sha1(call.raw).hexdigest()[:12]}"
        self.handles[handle] = {**info, "bytes": call.raw}
        del self.upload_sessions[session]
        return Reply(200, {"h": handle})

    def _upload_attachment(self, call: Call, page_id: str, token: str) -> Reply:
        """POST /{page-id}/message_attachments, multipart: `message` (the attachment's type), `filedata`, and
        `platform=instagram` for an Instagram account's Page; answers the attachment id."""
        if self.tokens[token]["kind"] != "page":
            return graph_error(190, "A page access token is required to request this resource.", 400)
        if self.refuse_uploads is not None:
            return self.refuse_uploads
        fields, files = multipart(call)
        message = json.loads(fields.get("message") or "{}")
        kind = (message.get("attachment") or {}).get("type")
        if kind not in ("image", "video", "audio", "file") or "filedata" not in files:
            return graph_error(100, "(#100) Invalid attachment", 400)
        name, data, ctype = files["filedata"]
        attachment_id = f"{next(self._n):016d}"
        self.uploads[attachment_id] = {"kind": "page", "from": page_id, "type": kind, "filename": name,
                                       "mime_type": ctype, "bytes": data, "platform": fields.get("platform")}
        return Reply(200, {"attachment_id": attachment_id})

    def _mark_read(self, call: Call, sender: str, token: str) -> Reply:
        """Meta: `{"messaging_product": "whatsapp", "status": "read", "message_id": "wamid…"}` -> success; with
        `typing_indicator: {"type": "text"}` the customer also sees the business typing. A message id that is not a
        received message's (one of ours) is refused with 131009, as Meta documents."""
        if self.refuse_reads is not None:
            return self.refuse_reads
        p = call.params
        if p.get("messaging_product") != "whatsapp" or self.tokens[token]["kind"] != "user":
            return graph_error(100, "Invalid parameter", 400)
        if not str(p.get("message_id") or "").startswith("wamid."):
            return graph_error(100, "(#100) Invalid parameter message_id", 400)
        if str(p["message_id"]).startswith("wamid.OUT"):  # ours: only a received message is marked read (or typed on)
            return graph_error(131009, "(#131009) Parameter value is not valid", 400, error_data={
                "messaging_product": "whatsapp", "details": "Message ID is not a received message"})
        typing = p.get("typing_indicator")
        if typing is not None and typing != {"type": "text"}:
            return graph_error(100, "(#100) Param typing_indicator[type] must be one of {text}", 400)
        self.read.append({"from": sender, "message_id": p["message_id"]})
        if typing is not None:
            self.typing.append({"from": sender, "message_id": p["message_id"]})
        return Reply(200, {"success": True})

    def _sender_action(self, p: dict[str, Any], sender: str) -> Reply:
        """Send API sender actions (`mark_seen`, `typing_on`, `typing_off`): Meta takes one alone, with the
        recipient and no message; it answers with the recipient's id."""
        recipient = (p.get("recipient") or {}).get("id")
        if p.get("sender_action") not in ("mark_seen", "typing_on", "typing_off"):
            return graph_error(100, "(#100) Param sender_action must be one of {MARK_SEEN, TYPING_ON, TYPING_OFF}",
                               400)
        if not recipient or "message" in p:
            return graph_error(100, "(#100) sender_action must be sent alone, with a recipient and no message", 400)
        self.sender_actions.append({"from": sender, "to": recipient, "action": p["sender_action"]})
        return Reply(200, {"recipient_id": recipient})

    def _download(self, call: Call) -> Reply:
        _, error = self._auth_no_proof(call)
        if error:
            return error
        data, mime = self.media[call.path.rsplit("/", 1)[-1]]
        return Reply(200, data, {"Content-Type": mime})

    def _auth_no_proof(self, call: Call) -> tuple[str, Reply | None]:
        token = call.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.tokens:
            return token, Reply(401, {"error": "unauthorized"})
        return token, None

    def _app_subscriptions(self, call: Call) -> Reply:
        if call.headers.get("Authorization") != f"Bearer {APP_ID}|{self.app_secret}":
            return graph_error(190, "Invalid OAuth access token.", 400)
        if call.method == "DELETE":
            self.subscriptions.pop(call.params.get("object"), None)
            return Reply(200, {"success": True})
        p = call.params
        if not p.get("callback_url", "").startswith("https://"):
            return graph_error(100, "(#100) callback_url must be a valid https URL", 400)
        self.subscriptions[p["object"]] = {"fields": p["fields"].split(","), "verify_token": p["verify_token"],
                                           "callback_url": p["callback_url"]}
        return Reply(200, {"success": True})

    def add_templates(self, n: int, status: str = "APPROVED", category: str = "UTILITY") -> None:
        for _ in range(n):
            i = next(self._n)
            self.templates.append({"id": f"9{i:014d}", "name": f"tpl_{i:04d}", "language": "en_US",
                                   "category": category, "status": status, "quality_score": {"score": "GREEN"},
                                   "components": [{"type": "BODY", "text": f"Hello number {i}"}]})

    def _templates(self, call: Call) -> Reply:
        if call.method == "GET":
            return self._paged(call, self.templates)
        if call.method == "DELETE":
            name = call.params.get("name")
            if not any(t["name"] == name for t in self.templates):
                return graph_error(100, "Template name does not exist", 400, 2593002)
            self.templates = [t for t in self.templates if t["name"] != name]
            return Reply(200, {"success": True})
        p = call.params
        if any(t["name"] == p.get("name") and t["language"] == p.get("language") for t in self.templates):
            return graph_error(100, "Invalid parameter", 400, 2388024, "Message template already exists",
                               "There is already English (US) content for this template. Choose another name.")
        header = next((c for c in p.get("components", []) if c.get("type") == "HEADER"), {})
        if header.get("format") in ("IMAGE", "VIDEO", "DOCUMENT") and \
                (header.get("example") or {}).get("header_handle", [""])[0] not in self.handles:
            return graph_error(100, "Invalid parameter", 400, 2388273, "Invalid media header",
                               "The header_handle is not a valid uploaded file handle.")
        body = next((c for c in p.get("components", []) if c.get("type") == "BODY"), {})
        if "forbidden" in body.get("text", ""):
            return graph_error(100, "Invalid parameter", 400, 2388019, "Body text not allowed",
                               "The body text includes content that is not allowed.")
        template = {"id": f"8{next(self._n):014d}", "name": p["name"], "language": p["language"],
                    "category": p["category"], "status": "PENDING", "components": p.get("components", [])}
        self.templates.append(template)
        return Reply(200, {"id": template["id"], "status": "PENDING", "category": p["category"]})

    def _edit_template(self, call: Call, template_id: str) -> Reply:
        t = next(t for t in self.templates if t["id"] == template_id)
        if t["status"] not in ("APPROVED", "REJECTED", "PAUSED"):
            return graph_error(100, "Invalid parameter", 400, 2593003, "Template can't be edited",
                               "Only approved, rejected or paused templates can be edited.")
        t.update({k: call.params[k] for k in ("category", "components") if k in call.params}, status="PENDING")
        return Reply(200, {"success": True})

    def _paged(self, call: Call, items: list[dict[str, Any]]) -> Reply:
        """Meta's cursor paging: `limit`, `after`; `paging.next` only when more remain."""
        limit = int(call.params.get("limit", 25))
        if call.params.get("before"):
            start = max(0, int(call.params["before"].removeprefix("c")) - limit)
        else:
            start = int(call.params.get("after", "0").removeprefix("c") or 0)
        chunk = items[start:start + limit]
        body: dict[str, Any] = {"data": chunk}
        if chunk:
            body["paging"] = {"cursors": {"before": f"c{start}", "after": f"c{start + len(chunk)}"}}
            if start + limit < len(items):
                body["paging"]["next"] = f"{self.url}{call.path}?after=c{start + len(chunk)}&limit={limit}"
            if start > 0:
                body["paging"]["previous"] = f"{self.url}{call.path}?before=c{start}&limit={limit}"
        return Reply(200, body)
