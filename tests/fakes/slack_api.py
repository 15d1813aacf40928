"""Slack's Web API played on loopback, shaped after Slack's documented answers."""

from __future__ import annotations

import base64
import itertools
import json
import math
import threading
import time
from typing import Any

from tests.fakes.http import Call, FakeServer, Reply

BOT_TOKEN = "xoxb-test-bot-token"
INSTALLED_TOKEN = "xoxb-installed-team-two"  # what oauth.v2.access hands out (multi-workspace mode)
TEAMS = {BOT_TOKEN: "T1", INSTALLED_TOKEN: "T2"}


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
        self.closed_views: set[str] = set()  # view ids views.update answers not_found for (the user closed them)
        self.reactions: list[dict[str, Any]] = []
        self.files: list[dict[str, Any]] = []  # completed uploads
        self.uploaded: dict[str, int] = {}  # file id -> bytes received
        self.channels: dict[str, dict[str, Any]] = {}
        self.route("POST", "/api/chat.postMessage", self._post_message)
        self.route("POST", "/api/auth.test", self._auth_test)
        self.route("POST", "/api/oauth.v2.access", self._oauth_access)
        self.route("*", "/api/users.info", self._users_info)
        self.route("POST", "/api/chat.postEphemeral", self._post_ephemeral)
        self.route("POST", "/response", lambda c: Reply(200, b"ok", {"Content-Type": "text/plain"}))
        self.route("POST", "/api/views.open", self._views_open)
        self.route("POST", "/api/views.update", self._views_update)
        self.route("POST", "/api/reactions.add", self._reaction)
        self.route("*", "/api/conversations.list", self._conversations_list)
        self.route("*", "/api/conversations.info", self._conversations_info)
        self.route("POST", "/api/conversations.join", lambda c: self._authed(c, {"ok": True, "channel": {
            "id": c.params.get("channel")}}))
        self.route("*", "/api/files.getUploadURLExternal", self._upload_url)
        self.route("POST", "/upload", self._upload)
        self.route("POST", "/api/files.completeUploadExternal", self._complete_upload)
        self.route("POST", "/control/limit", self._control_limit)  # test-only: for a fake in its own process
        self.route("GET", "/control/stats", self._control_stats)
        self.users: dict[str, dict[str, Any]] = {}
        self.limited: dict[str, float] = {}  # channel -> monotonic time until which posts get 429
        self.refused_429 = 0
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

    def _control_stats(self, call: Call) -> Reply:
        """GET /control/stats: 429s answered and messages posted per channel."""
        with self._ts_lock:
            posts: dict[str, int] = {}
            for m in self.messages:
                posts[m.get("channel", "")] = posts.get(m.get("channel", ""), 0) + 1
        return Reply(200, {"ok": True, "refused_429": self.refused_429, "posts": posts})

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
        reply = self._authed(call, {"ok": True})
        if not reply.body.get("ok"):
            return reply
        with self._ts_lock:
            ts = f"1700000000.{next(self._ts):06d}"
            self.messages.append({**call.params, "ts": ts})
        message = {"type": "message", "text": call.params.get("text"), "ts": ts, "bot_id": "B1"}
        if call.params.get("thread_ts"):
            message["thread_ts"] = call.params["thread_ts"]
        return Reply(200, {"ok": True, "channel": call.params["channel"], "ts": ts, "message": message})

    def _users_info(self, call: Call) -> Reply:
        user = self.users.get(call.params.get("user", ""))
        if user is None:
            return self._authed(call, {"ok": False, "error": "user_not_found"})
        return self._authed(call, {"ok": True, "user": {"id": call.params["user"], "team_id": "T1", **user}})

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

    def _conversations_list(self, call: Call) -> Reply:
        return self._authed(call, {"ok": True, "channels": [{"id": cid, "name": c["name"]} for cid, c in
                                                             self.channels.items()],
                                   "response_metadata": {"next_cursor": ""}})

    def _conversations_info(self, call: Call) -> Reply:
        c = self.channels.get(call.params.get("channel", ""))
        if c is None:
            return self._authed(call, {"ok": False, "error": "channel_not_found"})
        return self._authed(call, {"ok": True, "channel": {"id": call.params["channel"], **c}})

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

    def wait_for_ephemeral(self, count: int = 1, timeout: float = 10.0) -> dict[str, Any]:
        """The `count`th ephemeral message, waiting for work that goes on after an ack."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.ephemerals) < count:
            time.sleep(0.02)
        return self.ephemerals[count - 1]

    def responses(self, timeout: float = 5.0) -> list[dict[str, Any]]:
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
        with self._ts_lock:
            self.messages.clear()
            self.ephemerals.clear()
            self.views.clear()
            self.updates.clear()
            self.closed_views.clear()
            self.reactions.clear()
            self.files.clear()
            self.uploaded.clear()
        self.limited, self.refused_429 = {}, 0
        self.channels = {"C_PUBLIC": {"name": "support", "is_private": False, "is_member": False},
                         "G_PRIVATE": {"name": "secret", "is_private": True, "is_member": False}}
        self.users = {"U_ADMIN": {"name": "ada", "is_admin": True, "profile": {"display_name": "Ada"}},
                      "U_OWNER": {"name": "olu", "is_owner": True},
                      "U_MEMBER": {"name": "max", "is_admin": False, "is_owner": False}}


def _blocks_valid(blocks: Any) -> bool:
    """Slack's `invalid_blocks`: more than 50 blocks, or a section text over 3,000 characters."""
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks or []
    return len(blocks) <= 50 and all(len((b.get("text") or {}).get("text") or "") <= 3000
                                     for b in blocks if b.get("type") == "section")


def rate_limited(retry_after: int) -> Reply:
    return Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
