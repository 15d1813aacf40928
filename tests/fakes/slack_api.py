"""Slack's Web API played on loopback, shaped after Slack's documented answers."""

from __future__ import annotations

import base64
import itertools
import json
import math
import re
import threading
import time
from collections import Counter
from typing import Any

from tests.fakes.http import Call, FakeServer, Reply

BOT_TOKEN = "xoxb-test-bot-token"
INSTALLED_TOKEN = "xoxb-installed-team-two"  # what oauth.v2.access hands out (multi-workspace mode)
TEAMS = {BOT_TOKEN: "T1", INSTALLED_TOKEN: "T2"}
# Slack's limit on chat.postMessage per channel (thread replies included), kept by default: about one post per second
# with short bursts; beyond it a 429 with Retry-After. A test wanting another pace calls enforce_pace and says why.
SLACK_PACE = (1.0, 5.0)
APP_ID = "A1"  # the app every signed request names (api_app_id)
APP_TOKEN = "xapp-1-A1-1234-socketmodetoken"  # the app-level token apps.connections.open takes (Socket Mode)
# The app's custom steps as Slack knows them once the manifest is deployed: encoded function id -> callback id
FUNCTIONS = {"Fn0SENDTEMPLATE": "send_whatsapp_template", "Fn0PUBLISHPOST": "publish_page_post"}
# what functions.distributions.permissions.set takes (Slack's reference lists `system` too; an app cannot set it)
PERMISSION_TYPES = ("everyone", "app_collaborators", "named_entities")
# The bot token's scopes as installed from the app's manifest (slack/manifest.yml)
GRANTED = ("commands", "chat:write", "chat:write.public", "channels:join", "channels:read", "groups:read",
           "channels:history", "groups:history", "users:read", "reactions:write", "files:write", "files:read",
           "reactions:read", "channels:manage")


class FakeSlack(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.api_url = self.url + "/api/"
        self._ts = itertools.count(1)
        self._ts_lock = threading.Lock()
        self.messages: list[dict[str, Any]] = []  # every message posted, with the ts it got
        self.ephemerals: list[dict[str, Any]] = []  # chat.postEphemeral calls
        self.views: list[dict[str, Any]] = []  # views opened
        self.updates: list[dict[str, Any]] = []  # views.update calls: {"view_id", "view"}
        self.published: list[dict[str, Any]] = []  # views.publish calls (Home tabs): {"user_id", "view"}
        self.closed_views: set[str] = set()  # view ids views.update answers not_found for (the user closed them)
        self.reactions: list[dict[str, Any]] = []
        self.removed_reactions: list[dict[str, Any]] = []  # reactions.remove calls
        self.edits: list[dict[str, Any]] = []  # chat.update calls: {"channel", "ts", "text", "blocks"}
        self.files: list[dict[str, Any]] = []  # completed uploads
        self.uploaded: dict[str, int] = {}  # file id -> bytes received
        self.shared: dict[str, dict[str, Any]] = {}  # files team members shared: id -> name, mimetype, data
        self.downloads: list[str] = []  # file ids fetched through url_private_download
        # Workflow steps: function_execution_id -> its execution token (what function_executed hands out), and every
        # functions.completeSuccess / completeError call: {"kind", "function_execution_id", "outputs"/"error", "token"}
        self.function_tokens: dict[str, str] = {}
        self.completions: list[dict[str, Any]] = []
        self.channels: dict[str, dict[str, Any]] = {}  # what conversations.* know: id -> name, flags, members
        self.scopes: set[str] = set(GRANTED)  # the bot token's scopes (a test takes one away: an older install)
        self.creating_restricted = False  # the workspace lets only some members (not apps) create channels
        self.route("POST", "/api/chat.postMessage", self._post_message)
        self.route("POST", "/api/auth.test", self._auth_test)
        self.route("POST", "/api/apps.connections.open", self._connections_open)
        self.socket_url: str | None = None  # what apps.connections.open hands out (a test's FakeSocketMode)
        self.route("POST", "/api/oauth.v2.access", self._oauth_access)
        self.route("*", "/api/users.info", self._users_info)
        self.route("POST", "/api/chat.postEphemeral", self._post_ephemeral)
        self.route("POST", "/response", lambda c: Reply(200, b"ok", {"Content-Type": "text/plain"}))
        self.route("POST", "/api/views.open", self._views_open)
        self.route("POST", "/api/views.update", self._views_update)
        self.route("POST", "/api/views.publish", self._views_publish)
        self.route("*", "/api/chat.getPermalink", self._permalink)
        self.route("POST", "/api/reactions.add", self._reaction)
        self.route("POST", "/api/reactions.remove", self._reaction_remove)
        self.route("POST", "/api/chat.update", self._chat_update)
        self.route("*", "/api/conversations.history", self._history)
        self.route("*", "/api/conversations.replies", self._replies)
        self.route("*", "/api/conversations.list", self._conversations_list)
        self.route("*", "/api/conversations.info", self._conversations_info)
        self.route("POST", "/api/conversations.join", self._conversations_join)
        self.route("POST", "/api/conversations.create", self._conversations_create)
        self.route("POST", "/api/conversations.invite", self._conversations_invite)
        self.route("*", "/api/files.getUploadURLExternal", self._upload_url)
        self.route("POST", "/upload", self._upload)
        self.route("POST", "/api/files.completeUploadExternal", self._complete_upload)
        self.route("*", "/api/files.info", self._files_info)
        self.route("POST", "/api/functions.completeSuccess", lambda c: self._complete_function(c, "success"))
        self.route("POST", "/api/functions.completeError", lambda c: self._complete_function(c, "error"))
        self.route("POST", "/api/functions.distributions.permissions.set", self._distribution_set)
        self.route("POST", "/api/functions.distributions.permissions.list", self._distribution_list)
        self.route("*", "/api/users.list", self._users_list)
        # who may add each step to a workflow: callback id -> {"permission_type", "user_ids"}; Slack's default for
        # a deployed function is its app's collaborators
        self.distributions: dict[str, dict[str, Any]] = {}
        self.distribution_refusal: str | None = None  # an error every distributions call answers (a test sets it)
        self.fallback = self._file_download  # GET /files-pri/{team}-{file id}/download/{name}
        self.route("POST", "/control/limit", self._control_limit)  # test-only: for a fake in its own process
        self.route("GET", "/control/stats", self._control_stats)
        self.route("POST", "/control/pace", self._control_pace)
        self.route("GET", "/control/posts", self._control_posts)
        self.route("POST", "/control/latency", self._control_latency)
        self.latency = 0.0  # seconds every Web API call (/api/...) takes before it is answered, as from a far host
        self.in_flight = 0  # Web API calls being answered now
        self.most_in_flight = 0  # the most answered at once since the last reset
        self.most_posts_in_flight = 0  # the most chat.postMessage calls answered at once since the last reset
        self._posts_in_flight = 0
        self.users: dict[str, dict[str, Any]] = {}
        self.limited: dict[str, float] = {}  # channel -> monotonic time until which posts get 429
        self.refused_429 = 0
        self.pace: tuple[float, float] | None = SLACK_PACE  # (posts per second, burst) per channel, as Slack enforces
        self._buckets: dict[str, tuple[float, float]] = {}  # channel -> (tokens, monotonic time of that count)
        self.refused_at: list[tuple[str, float]] = []  # (channel, monotonic time) of every 429 answered
        self.posted_at: list[tuple[str, float]] = []  # (channel, monotonic time) of every message accepted
        self.reset()

    def _authed(self, call: Call, body: dict[str, Any]) -> Reply:
        token = call.headers.get("Authorization", "").removeprefix("Bearer ") or call.params.get("token", "")
        if token not in TEAMS:
            return Reply(200, {"ok": False, "error": "invalid_auth"})
        return Reply(200, body)

    def _auth_test(self, call: Call) -> Reply:
        token = call.headers.get("Authorization", "").removeprefix("Bearer ") or call.params.get("token", "")
        return self._authed(call, {"ok": True, "team_id": TEAMS.get(token), "user_id": "UB", "bot_id": "B1",
                                   "url": "https://team.slack.test/", "is_enterprise_install": False})

    def _connections_open(self, call: Call) -> Reply:
        """Socket Mode: an app-level token (xapp-) gets a WebSocket URL; a bot token is the wrong kind."""
        token = call.headers.get("Authorization", "").removeprefix("Bearer ")
        if token in TEAMS:
            return Reply(200, {"ok": False, "error": "not_allowed_token_type"})
        if token != APP_TOKEN:
            return Reply(200, {"ok": False, "error": "invalid_auth"})
        if not self.socket_url:
            return Reply(200, {"ok": False, "error": "internal_error"})
        return Reply(200, {"ok": True, "url": self.socket_url})

    def _oauth_access(self, call: Call) -> Reply:
        basic = call.headers.get("Authorization", "").removeprefix("Basic ")
        client_id = base64.b64decode(basic).decode().split(":")[0] if basic else call.params.get("client_id")
        if client_id != "111.222":
            return Reply(200, {"ok": False, "error": "invalid_client_id"})
        if call.params.get("code") != "SLACK-CODE":
            return Reply(200, {"ok": False, "error": "invalid_code"})
        return Reply(200, {"ok": True, "access_token": INSTALLED_TOKEN, "token_type": "bot",
                           "scope": "commands,chat:write", "bot_user_id": "UB2", "app_id": "A1",
                           "team": {"id": "T2", "name": "Team Two"}, "enterprise": None,
                           "is_enterprise_install": False, "authed_user": {"id": "U9"}})

    def limit_channel(self, channel: str, seconds: float) -> None:
        """Answer 429 (Retry-After rounded up) to every chat.postMessage for `channel` for this long."""
        self.limited[channel] = time.monotonic() + seconds

    def _control_limit(self, call: Call) -> Reply:
        """POST /control/limit?channel=C&seconds=S: limit_channel for a fake in another process."""
        try:
            self.limit_channel(call.params["channel"], float(call.params["seconds"]))
        except (KeyError, ValueError):
            return Reply(400, {"ok": False, "error": "channel and seconds wanted"})
        return Reply(200, {"ok": True})

    def enforce_pace(self, rate: float, burst: float) -> None:
        """Slack's per-channel limit on chat.postMessage (thread replies included): `rate` posts per second with
        bursts of `burst`, each channel's bucket full at first; beyond it a 429 with Retry-After (whole seconds
        until the next token, at least 1). Counted like Slack: accepted posts only. A rate of 0: any pace."""
        with self._ts_lock:
            self.pace, self._buckets = ((rate, burst) if rate > 0 else None), {}

    def _control_pace(self, call: Call) -> Reply:
        """POST /control/pace?rate=R&burst=B: enforce_pace for a fake in another process (rate 0: off)."""
        try:
            rate, burst = float(call.params["rate"]), float(call.params["burst"])
        except (KeyError, ValueError):
            return Reply(400, {"ok": False, "error": "rate and burst wanted"})
        if rate > 0:
            self.enforce_pace(rate, burst)
        else:
            with self._ts_lock:
                self.pace = None
        return Reply(200, {"ok": True})

    def _control_latency(self, call: Call) -> Reply:
        """POST /control/latency?seconds=S: every Web API call answered S seconds after it arrived (Slack seen from a
        typical host: 0.1-0.3 s a call); the pace and the refusals stay as they are."""
        try:
            seconds = float(call.params["seconds"])
        except (KeyError, ValueError):
            return Reply(400, {"ok": False, "error": "seconds wanted"})
        if not 0 <= seconds <= 10:
            return Reply(400, {"ok": False, "error": "seconds must be within 0-10"})
        self.latency = seconds
        return Reply(200, {"ok": True})

    def _reply(self, call: Call) -> Reply:
        if not call.path.startswith("/api/"):
            return super()._reply(call)
        post = int(call.path == "/api/chat.postMessage")
        with self._ts_lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self._posts_in_flight += post
            self.most_posts_in_flight = max(self.most_posts_in_flight, self._posts_in_flight)
        try:
            if self.latency:
                time.sleep(self.latency)  # each request waits in its own server thread: calls overlap as at Slack
            return super()._reply(call)
        finally:
            with self._ts_lock:
                self.in_flight -= 1
                self._posts_in_flight -= post

    def _control_posts(self, call: Call) -> Reply:
        """GET /control/posts: when each accepted message and each 429 happened (monotonic clock of this host),
        with each message's channel, thread and number of blocks."""
        with self._ts_lock:
            return Reply(200, {"ok": True, "refused_at": [t for _, t in self.refused_at],
                               "posts": [{"channel": m.get("channel"), "thread_ts": m.get("thread_ts"),
                                          "text": m.get("text"), "blocks": m.get("blocks"), "at": at}
                                         for m, (_, at) in zip(self.messages, self.posted_at, strict=True)]})

    def _paced_out(self, channel: str) -> int:
        """0 when a post to `channel` fits the pace (its token taken), else the Retry-After to answer."""
        with self._ts_lock:
            if self.pace is None:
                return 0
            rate, burst = self.pace
            now = time.monotonic()
            tokens, at = self._buckets.get(channel, (burst, now))
            tokens = min(burst, tokens + (now - at) * rate)
            if tokens >= 1:
                self._buckets[channel] = (tokens - 1, now)
                return 0
            self._buckets[channel] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / rate))

    def _control_stats(self, call: Call) -> Reply:
        """GET /control/stats: 429s answered, messages posted per channel, the most Web API calls answered at
        once, and the Web API calls received per method."""
        with self._ts_lock:
            posts: dict[str, int] = {}
            for m in self.messages:
                posts[m.get("channel", "")] = posts.get(m.get("channel", ""), 0) + 1
        with self._lock:
            methods = Counter(c.path.removeprefix("/api/") for c in self.calls if c.path.startswith("/api/"))
        return Reply(200, {"ok": True, "refused_429": self.refused_429, "posts": posts,
                           "most_in_flight": self.most_in_flight, "calls": dict(methods)})

    def _post_message(self, call: Call) -> Reply:
        until = self.limited.get(call.params.get("channel", ""), 0.0)
        if until > time.monotonic():
            self.refused_429 += 1
            return rate_limited(max(1, math.ceil(until - time.monotonic())))
        if not call.params.get("channel"):
            return Reply(200, {"ok": False, "error": "channel_not_found"})
        if not (call.params.get("text") or call.params.get("blocks")):
            return Reply(200, {"ok": False, "error": "no_text"})
        if not _blocks_valid(call.params.get("blocks")):
            return Reply(200, {"ok": False, "error": "invalid_blocks"})
        if not _metadata_valid(call.params.get("metadata")):
            return Reply(200, {"ok": False, "error": "invalid_metadata_format"})
        reply = self._authed(call, {"ok": True})
        if not reply.body.get("ok"):
            return reply
        retry_after = self._paced_out(call.params["channel"])
        if retry_after:
            with self._ts_lock:
                self.refused_429 += 1
                self.refused_at.append((call.params["channel"], time.monotonic()))
            return rate_limited(retry_after)
        with self._ts_lock:
            ts = f"1700000000.{next(self._ts):06d}"
            self.messages.append({**call.params, "ts": ts})
            self.posted_at.append((call.params["channel"], time.monotonic()))
        message = {"type": "message", "text": call.params.get("text"), "ts": ts, "bot_id": "B1"}
        if call.params.get("thread_ts"):
            message["thread_ts"] = call.params["thread_ts"]
        return Reply(200, {"ok": True, "channel": call.params["channel"], "ts": ts, "message": message})

    def _users_info(self, call: Call) -> Reply:
        user = self.users.get(call.params.get("user", ""))
        if user is None:
            return self._authed(call, {"ok": False, "error": "user_not_found"})
        token = call.headers.get("Authorization", "").removeprefix("Bearer ") or call.params.get("token", "")
        home = TEAMS.get(token) or "T1"  # a user of the asking workspace unless the test names another team
        return self._authed(call, {"ok": True, "user": {"id": call.params["user"], "team_id": home, **user}})

    def _users_list(self, call: Call) -> Reply:
        members = [{"id": uid, "team_id": "T1", "deleted": False, "is_bot": False, **u}
                   for uid, u in self.users.items()]
        return self._authed(call, {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}})

    def _function_of(self, params: dict[str, Any]) -> str | None:
        """The callback id of the function a distributions call names (its id, or app id and callback id)."""
        if params.get("function_id"):
            return FUNCTIONS.get(str(params["function_id"]))
        callback = str(params.get("function_callback_id") or "")
        return callback if params.get("function_app_id") == APP_ID and callback in FUNCTIONS.values() else None

    def _distribution_answer(self, callback: str) -> dict[str, Any]:
        d = self.distributions.get(callback) or {"permission_type": "app_collaborators", "user_ids": []}
        return {"ok": True, "permission_type": d["permission_type"],
                "users": [{"user_id": u, "username": self.users.get(u, {}).get("name", "")} for u in d["user_ids"]]}

    def _distribution_set(self, call: Call) -> Reply:
        """functions.distributions.permissions.set: a known function, a permission type Slack knows, known users."""
        if self.distribution_refusal:
            return self._authed(call, {"ok": False, "error": self.distribution_refusal})
        p = call.params
        if p.get("function_app_id") and p["function_app_id"] != APP_ID and not p.get("function_id"):
            return self._authed(call, {"ok": False, "error": "app_not_found"})
        callback = self._function_of(p)
        if callback is None:
            return self._authed(call, {"ok": False, "error": "function_not_found"})
        ptype = p.get("permission_type")
        if ptype not in PERMISSION_TYPES:
            return self._authed(call, {"ok": False, "error": "invalid_permission_type"})
        users = p.get("user_ids") or []
        users = [u for u in users.split(",") if u] if isinstance(users, str) else list(users)
        if ptype == "named_entities" and any(u not in self.users for u in users):
            return self._authed(call, {"ok": False, "error": "user_not_found"})
        self.distributions[callback] = {"permission_type": ptype,
                                        "user_ids": users if ptype == "named_entities" else []}
        return self._authed(call, self._distribution_answer(callback))

    def _distribution_list(self, call: Call) -> Reply:
        if self.distribution_refusal:
            return self._authed(call, {"ok": False, "error": self.distribution_refusal})
        callback = self._function_of(call.params)
        if callback is None:
            return self._authed(call, {"ok": False, "error": "function_not_found"})
        return self._authed(call, self._distribution_answer(callback))

    def _post_ephemeral(self, call: Call) -> Reply:
        reply = self._authed(call, {"ok": True, "message_ts": "1700000000.999999"})
        if reply.body.get("ok"):
            with self._ts_lock:
                self.ephemerals.append(dict(call.params))
        return reply

    def _reaction(self, call: Call) -> Reply:
        reply = self._authed(call, {"ok": True})
        if reply.body.get("ok"):
            with self._ts_lock:
                self.reactions.append(dict(call.params))
        return reply

    def _reaction_remove(self, call: Call) -> Reply:
        """Slack: `no_reaction` when that reaction is not on the message (added and not removed since)."""
        key = (call.params.get("channel"), call.params.get("timestamp"), call.params.get("name"))
        with self._ts_lock:
            added = sum(1 for r in self.reactions if (r.get("channel"), r.get("timestamp"), r.get("name")) == key)
            removed = sum(1 for r in self.removed_reactions
                          if (r.get("channel"), r.get("timestamp"), r.get("name")) == key)
        if added <= removed:
            return self._authed(call, {"ok": False, "error": "no_reaction"})
        reply = self._authed(call, {"ok": True})
        if reply.body.get("ok"):
            with self._ts_lock:
                self.removed_reactions.append(dict(call.params))
        return reply

    def reactions_on(self, ts: str) -> list[str]:
        """The reactions the bot left on the message `ts` (added and not removed), in the order added."""
        with self._ts_lock:
            names = [r["name"] for r in self.reactions if r.get("timestamp") == ts]
            for r in self.removed_reactions:
                if r.get("timestamp") == ts and r.get("name") in names:
                    names.remove(r["name"])
        return names

    def _chat_update(self, call: Call) -> Reply:
        """Edits a message the bot posted (text and blocks); `message_not_found` for any other ts."""
        if not (call.params.get("text") or call.params.get("blocks")):
            return self._authed(call, {"ok": False, "error": "no_text"})
        if not _blocks_valid(call.params.get("blocks")):
            return self._authed(call, {"ok": False, "error": "invalid_blocks"})
        with self._ts_lock:
            found = next((m for m in self.messages if m.get("channel") == call.params.get("channel")
                          and m.get("ts") == call.params.get("ts")), None)
        if found is None:
            return self._authed(call, {"ok": False, "error": "message_not_found"})
        reply = self._authed(call, {"ok": True, "channel": found["channel"], "ts": found["ts"]})
        if reply.body.get("ok"):
            with self._ts_lock:
                for k in ("text", "blocks"):
                    if k in call.params:
                        found[k] = call.params[k]
                self.edits.append({k: call.params.get(k) for k in ("channel", "ts", "text", "blocks")})
        return reply

    def _history(self, call: Call) -> Reply:
        """conversations.history: the channel's messages (thread replies left out), newest first, up to `latest`
        (itself included with `inclusive`), `limit` of them."""
        p = call.params
        latest = str(p.get("latest") or "9999999999.999999")
        inclusive = str(p.get("inclusive")) in ("1", "true", "True")
        with self._ts_lock:
            found = [m for m in self.messages if m.get("channel") == p.get("channel")
                     and m.get("thread_ts") in (None, m["ts"])
                     and (m["ts"] < latest or (inclusive and m["ts"] == latest))]
        found.sort(key=lambda m: m["ts"], reverse=True)
        out = []
        out = [self._shown(m, p) for m in found[:int(p.get("limit") or 100)]]
        return self._authed(call, {"ok": True, "messages": out, "has_more": len(found) > len(out)})

    def _replies(self, call: Call) -> Reply:
        """conversations.replies: the thread's parent then its replies, oldest first, `limit` a page, paged by
        `cursor`; metadata only with `include_all_metadata`. An unknown thread: thread_not_found."""
        p = call.params
        with self._ts_lock:
            found = [m for m in self.messages if m.get("channel") == p.get("channel")
                     and p.get("ts") in (m["ts"], m.get("thread_ts"))]
        if not found:
            return self._authed(call, {"ok": False, "error": "thread_not_found"})
        found.sort(key=lambda m: m["ts"])
        start, limit = int(p.get("cursor") or 0), int(p.get("limit") or 1000)
        page = found[start:start + limit]
        more = start + limit < len(found)
        return self._authed(call, {"ok": True, "messages": [self._shown(m, p) for m in page], "has_more": more,
                                   "response_metadata": {"next_cursor": str(start + limit) if more else ""}})

    @staticmethod
    def _shown(m: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        """A stored message as Slack's read methods return it (metadata only when asked for)."""
        blocks = json.loads(m["blocks"]) if isinstance(m.get("blocks"), str) else m.get("blocks")
        meta = json.loads(m["metadata"]) if isinstance(m.get("metadata"), str) else m.get("metadata")
        wants_meta = str(params.get("include_all_metadata")) in ("1", "true", "True")
        return {"type": "message", "ts": m["ts"], "text": m.get("text"), "bot_id": "B1",
                **({"thread_ts": m["thread_ts"]} if m.get("thread_ts") else {}),
                **({"blocks": blocks} if blocks else {}), **({"metadata": meta} if meta and wants_meta else {})}

    def _conversations_list(self, call: Call) -> Reply:
        return self._authed(call, {"ok": True, "channels": [{"id": cid, "name": c["name"]} for cid, c in
                                                             self.channels.items()],
                                   "response_metadata": {"next_cursor": ""}})

    def _conversations_info(self, call: Call) -> Reply:
        c = self.channels.get(call.params.get("channel", ""))
        if c is None:
            return self._authed(call, {"ok": False, "error": "channel_not_found"})
        return self._authed(call, {"ok": True, "channel": {"id": call.params["channel"], **c}})

    def _conversations_join(self, call: Call) -> Reply:
        """conversations.join: a public channel only (an archived one refused)."""
        c = self.channels.get(call.params.get("channel", ""))
        if c is None:
            return self._authed(call, {"ok": False, "error": "channel_not_found"})
        if c.get("is_private"):
            return self._authed(call, {"ok": False, "error": "method_not_supported_for_channel_type"})
        if c.get("is_archived"):
            return self._authed(call, {"ok": False, "error": "is_archived"})
        reply = self._authed(call, {"ok": True, "channel": {"id": call.params["channel"], **c, "is_member": True}})
        if reply.body.get("ok"):
            c["is_member"] = True
        return reply

    def _conversations_create(self, call: Call) -> Reply:
        """conversations.create as Slack answers a bot: the channels:manage scope (groups:write for a private one),
        the workspace's permission, Slack's name rules (lowercase letters, digits, hyphens and underscores, at most
        80 characters), a name not taken by any channel (archived ones included). The bot is its first member."""
        reply = self._authed(call, {"ok": True})
        if not reply.body.get("ok"):
            return reply
        private = str(call.params.get("is_private", "")).lower() in ("true", "1")
        needed = "groups:write" if private else "channels:manage"
        if needed not in self.scopes:
            return Reply(200, {"ok": False, "error": "missing_scope", "needed": needed,
                               "provided": ",".join(sorted(self.scopes))})
        if self.creating_restricted:
            return Reply(200, {"ok": False, "error": "restricted_action"})
        name = str(call.params.get("name") or "")
        error = _name_error(name)
        if error:
            return Reply(200, {"ok": False, "error": error})
        if any(c.get("name") == name for c in self.channels.values()):
            return Reply(200, {"ok": False, "error": "name_taken"})
        with self._ts_lock:
            channel_id = f"C{next(self._ts):08d}"
        self.channels[channel_id] = {"name": name, "is_private": private, "is_member": True, "is_archived": False,
                                     "members": ["UB"]}
        return Reply(200, {"ok": True, "channel": {"id": channel_id, "name": name, "is_channel": True,
                                                   "is_private": private, "is_member": True, "is_archived": False}})

    def _conversations_invite(self, call: Call) -> Reply:
        """conversations.invite: members of the channel invite people of the workspace."""
        reply = self._authed(call, {"ok": True})
        if not reply.body.get("ok"):
            return reply
        if "channels:manage" not in self.scopes:
            return Reply(200, {"ok": False, "error": "missing_scope", "needed": "channels:manage"})
        c = self.channels.get(call.params.get("channel", ""))
        if c is None:
            return Reply(200, {"ok": False, "error": "channel_not_found"})
        if c.get("is_archived"):
            return Reply(200, {"ok": False, "error": "is_archived"})
        if not c.get("is_member"):
            return Reply(200, {"ok": False, "error": "not_in_channel"})
        users = [u for u in str(call.params.get("users") or "").split(",") if u]
        if not users:
            return Reply(200, {"ok": False, "error": "no_user"})
        if any(u not in self.users for u in users):
            return Reply(200, {"ok": False, "error": "user_not_found"})
        members = c.setdefault("members", [])
        if all(u in members for u in users):
            return Reply(200, {"ok": False, "error": "already_in_channel"})
        members.extend(u for u in users if u not in members)
        return Reply(200, {"ok": True, "channel": {"id": call.params["channel"], "name": c["name"]}})

    def _upload_url(self, call: Call) -> Reply:
        file_id = f"F{next(self._ts):06d}"
        return self._authed(call, {"ok": True, "upload_url": f"{self.url}/upload?file={file_id}", "file_id": file_id})

    def _upload(self, call: Call) -> Reply:
        self.uploaded[call.params.get("file", "")] = int(call.params.get("_body_bytes") or 0)
        return Reply(200, b"OK - uploaded", {"Content-Type": "text/plain"})

    def _complete_upload(self, call: Call) -> Reply:
        files = call.params.get("files")
        files = json.loads(files) if isinstance(files, str) else files
        reply = self._authed(call, {"ok": True, "files": [{"id": f["id"]} for f in files or []]})
        if reply.body.get("ok"):
            with self._ts_lock:
                self.files.append({**call.params, "files": files})
        return reply

    def share_file(self, file_id: str, name: str, mimetype: str, data: bytes, user: str = "U_ADMIN",
                   channels: tuple[str, ...] = ("C_CONNECT",), groups: tuple[str, ...] = ()) -> dict[str, Any]:
        """A file a team member (`user`) shared in Slack, in public `channels` and private `groups` the bot is in:
        what the message event's `files` lists for it. Shared nowhere the bot is, Slack does not show it the file."""
        self.shared[file_id] = {"name": name, "mimetype": mimetype, "data": data, "user": user,
                                "channels": list(channels), "groups": list(groups)}
        return {"id": file_id, "name": name, "mimetype": mimetype, "size": len(data), "mode": "hosted",
                "url_private_download": f"{self.url}/files-pri/T1-{file_id}/download/{name}"}

    def _files_info(self, call: Call) -> Reply:
        file_id = call.params.get("file", "")
        f = self.shared.get(file_id)
        if f is None or not (f["channels"] or f["groups"]):  # the bot sees files shared where it is, only
            return self._authed(call, {"ok": False, "error": "file_not_found"})
        share = {"reply_users": [], "reply_count": 0, "ts": "1700000000.000100"}
        return self._authed(call, {"ok": True, "file": {
            "id": file_id, "user": f["user"], "channels": f["channels"], "groups": f["groups"], "ims": [],
            "shares": {k: v for k, v in (("public", {c: [share] for c in f["channels"]}),
                                         ("private", {g: [share] for g in f["groups"]})) if v},
            "name": f["name"], "title": f["name"], "mimetype": f["mimetype"],
            "filetype": f["name"].rsplit(".", 1)[-1], "size": len(f["data"]), "mode": "hosted",
            "url_private": f"{self.url}/files-pri/T1-{file_id}/{f['name']}",
            "url_private_download": f"{self.url}/files-pri/T1-{file_id}/download/{f['name']}"}})

    def _file_download(self, call: Call) -> Reply:
        """url_private_download: the bytes with a bot token in the Authorization header; without one Slack
        answers its sign-in page (HTML, 200), as the real one does."""
        if call.method != "GET" or not call.path.startswith("/files-pri/T1-"):
            return Reply(404, {"error": f"no fake for {call.method} {call.path}"})
        file_id = call.path.removeprefix("/files-pri/T1-").split("/", 1)[0]
        f = self.shared.get(file_id)
        token = call.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in TEAMS:
            return Reply(200, b"<html>Sign in to Slack</html>", {"Content-Type": "text/html; charset=utf-8"})
        if f is None:
            return Reply(404, b"Not found", {"Content-Type": "text/plain"})
        with self._ts_lock:
            self.downloads.append(file_id)
        return Reply(200, f["data"], {"Content-Type": f["mimetype"]})

    def function_execution(self, execution_id: str) -> str:
        """A function execution as Slack starts one: its token, which completes only that execution."""
        token = f"xwfp-{execution_id}-token"
        self.function_tokens[execution_id] = token
        return token

    def _complete_function(self, call: Call, kind: str) -> Reply:
        """functions.completeSuccess / completeError: the execution's own token; each execution completes once."""
        token = call.headers.get("Authorization", "").removeprefix("Bearer ") or call.params.get("token", "")
        execution = str(call.params.get("function_execution_id") or "")
        if not execution or self.function_tokens.get(execution) != token:
            return Reply(200, {"ok": False, "error": "invalid_auth"})
        if any(c["function_execution_id"] == execution for c in self.completions):
            return Reply(200, {"ok": False, "error": "function_execution_not_found"})  # ended already
        record: dict[str, Any] = {"kind": kind, "function_execution_id": execution, "token": token}
        if kind == "success":
            record["outputs"] = json.loads(call.params.get("outputs") or "{}")
        else:
            if not call.params.get("error"):
                return Reply(200, {"ok": False, "error": "invalid_arguments"})
            record["error"] = call.params["error"]
        self.completions.append(record)
        return Reply(200, {"ok": True})

    def wait_for_completion(self, count: int = 1, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.completions) < count:
            time.sleep(0.02)
        assert len(self.completions) >= count, self.completions
        return self.completions[count - 1]

    def _views_open(self, call: Call) -> Reply:
        if not call.params.get("trigger_id"):
            return self._authed(call, {"ok": False, "error": "invalid_trigger_id"})
        view = call.params.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        reply = self._authed(call, {"ok": True, "view": {"id": "V1", **(view or {})}})
        if reply.body.get("ok"):
            with self._ts_lock:
                self.views.append(view)
        return reply

    def _views_update(self, call: Call) -> Reply:
        view = call.params.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        view_id = call.params.get("view_id") or ""
        if not view_id or view_id in self.closed_views:
            return self._authed(call, {"ok": False, "error": "not_found"})
        if not view or len(view.get("blocks") or []) > 100:
            return self._authed(call, {"ok": False, "error": "invalid_arguments"})
        reply = self._authed(call, {"ok": True, "view": {"id": view_id, **view}})
        if reply.body.get("ok"):
            with self._ts_lock:
                self.updates.append({"view_id": view_id, "view": view})
        return reply

    def _views_publish(self, call: Call) -> Reply:
        """A Home tab: Slack refuses more than 100 blocks, a view that is not `home`, and no user."""
        view = call.params.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        if not call.params.get("user_id") or not isinstance(view, dict) or view.get("type") != "home" or \
                len(view.get("blocks") or []) > 100 or not _blocks_valid(view.get("blocks"), 100):
            return self._authed(call, {"ok": False, "error": "invalid_arguments"})
        reply = self._authed(call, {"ok": True, "view": {"id": "VH1", **view}})
        if reply.body.get("ok"):
            with self._ts_lock:
                self.published.append({"user_id": call.params["user_id"], "view": view})
        return reply

    def _permalink(self, call: Call) -> Reply:
        channel, ts = call.params.get("channel", ""), call.params.get("message_ts", "")
        if not channel or not ts:
            return self._authed(call, {"ok": False, "error": "message_not_found"})
        return self._authed(call, {"ok": True, "channel": channel,
                                   "permalink": f"https://team.slack.test/archives/{channel}/p{ts.replace('.', '')}"})

    def wait_for_publish(self, count: int = 1, timeout: float = 10.0) -> dict[str, Any]:
        """The `count`th published Home view, waiting for listeners that run after the ack."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.published) < count:
            time.sleep(0.02)
        return self.published[count - 1]

    def wait_for_ephemeral(self, count: int = 1, timeout: float = 10.0) -> dict[str, Any]:
        """The `count`th ephemeral message, waiting for work that goes on after an ack."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.ephemerals) < count:
            time.sleep(0.02)
        return self.ephemerals[count - 1]

    def responses(self, timeout: float = 30.0) -> list[dict[str, Any]]:
        """What was sent to response_url (answers of slow commands), waiting up to `timeout` for the first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [c.params for c in self.calls if c.path == "/response"]
            if found:
                return found
            time.sleep(0.02)
        return []

    def reset(self) -> None:
        super().reset()
        self.socket_url = None
        self.latency = 0.0
        with self._ts_lock:
            self.most_in_flight = self.in_flight
            self.most_posts_in_flight = self._posts_in_flight
        with self._ts_lock:
            self.messages.clear()
            self.ephemerals.clear()
            self.views.clear()
            self.updates.clear()
            self.published.clear()
            self.closed_views.clear()
            self.reactions.clear()
            self.removed_reactions.clear()
            self.edits.clear()
            self.files.clear()
            self.uploaded.clear()
            self.shared.clear()
            self.downloads.clear()
            self.function_tokens.clear()
            self.completions.clear()
            self.distributions.clear()
            self.distribution_refusal = None
        self.limited, self.refused_429 = {}, 0
        with self._ts_lock:
            self.pace, self._buckets = SLACK_PACE, {}
            self.refused_at.clear()
            self.posted_at.clear()
        self.scopes, self.creating_restricted = set(GRANTED), False
        self.channels = {"C_PUBLIC": {"name": "support", "is_private": False, "is_member": False},
                         "G_PRIVATE": {"name": "secret", "is_private": True, "is_member": False}}
        self.users = {"U_ADMIN": {"name": "ada", "is_admin": True, "profile": {"display_name": "Ada"}},
                      "U_OWNER": {"name": "olu", "is_owner": True},
                      "U_MEMBER": {"name": "max", "is_admin": False, "is_owner": False}}


def _name_error(name: str) -> str | None:
    """Slack's refusal of a channel name, if any."""
    if not name:
        return "invalid_name_required"
    if len(name) > 80:
        return "invalid_name_maxlength"
    if not re.fullmatch(r"[a-z0-9_-]+", name):
        return "invalid_name_specials"
    if not re.search(r"[a-z0-9]", name):
        return "invalid_name_punctuation"
    return None


def _metadata_valid(metadata: Any) -> bool:
    """Slack's message metadata: an event_type string and an event_payload object of strings, numbers, booleans
    (or objects of those)."""
    if metadata is None:
        return True
    try:
        meta = json.loads(metadata) if isinstance(metadata, str) else metadata
    except ValueError:
        return False
    payload = meta.get("event_payload") if isinstance(meta, dict) else None
    if not (isinstance(meta, dict) and isinstance(meta.get("event_type"), str) and meta["event_type"]):
        return False
    kinds = str | int | float | bool | dict | list
    return isinstance(payload, dict) and all(isinstance(v, kinds) for v in payload.values())


def _blocks_valid(blocks: Any, most: int = 50) -> bool:
    """Slack's `invalid_blocks`: more than 50 blocks (`most`), or a section text over 3,000 characters."""
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks or []
    return len(blocks) <= most and all(len((b.get("text") or {}).get("text") or "") <= 3000
                                     for b in blocks if b.get("type") == "section")


def rate_limited(retry_after: int) -> Reply:
    return Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
