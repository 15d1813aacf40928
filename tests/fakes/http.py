"""A tiny threaded HTTP server on loopback that fakes a JSON API and records every call."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Call:
    method: str  # HTTP method
    path: str
    params: dict[str, Any]  # query, form or JSON body, merged
    headers: dict[str, str]
    query: dict[str, Any] = field(default_factory=dict)  # the URL's query alone (what ends up in access logs)
    raw: bytes = b""  # the body as sent (a multipart upload's parts are read from it)


@dataclass
class Reply:
    status: int = 200
    body: Any = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Reply]


class FakeServer:
    """Routes (method, path) to handlers; scripted replies (`fail_next`) take precedence, once each."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._routes: dict[tuple[str, str], Handler] = {}
        self.fallback: Handler | None = None  # for paths no route names (ids in paths)
        self.extra_headers: dict[str, str] = {}  # sent with every answer
        self._scripted: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        fake = self

        class _H(BaseHTTPRequestHandler):
            def log_message(self, *_a: Any) -> None:
                pass

            def _serve(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                params: dict[str, Any] = dict(parse_qsl(url.query))
                ctype = self.headers.get("Content-Type", "")
                if raw and "json" in ctype:
                    params.update(json.loads(raw))
                elif raw and "x-www-form-urlencoded" in ctype and raw.isascii():
                    params.update(parse_qsl(raw.decode()))
                elif raw:
                    params["_body_bytes"] = len(raw)  # a file upload: only its size matters here
                call = Call(self.command, url.path, params, {k: v for k, v in self.headers.items()},
                            dict(parse_qsl(url.query)), raw)
                reply = fake._reply(call)
                data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.headers.get("Content-Type", "application/json"))
                for k, v in reply.headers.items():
                    if k != "Content-Type":
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def route(self, method: str, path: str, handler: Handler) -> None:
        self._routes[(method, path)] = handler

    def fail_next(self, path: str, reply: Reply, times: int = 1) -> None:
        with self._lock:
            self._scripted.setdefault(path, []).extend([reply] * times)

    def _reply(self, call: Call) -> Reply:
        with self._lock:
            self.calls.append(call)
            scripted = self._scripted.get(call.path)
            if scripted:
                return scripted.pop(0)
        handler = self._routes.get((call.method, call.path)) or self._routes.get(("*", call.path)) or self.fallback
        if handler is None:
            return Reply(404, {"error": f"no fake for {call.method} {call.path}"})
        reply = handler(call)
        if self.extra_headers:
            reply = Reply(reply.status, reply.body, {**self.extra_headers, **reply.headers})
        return reply

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._scripted.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
