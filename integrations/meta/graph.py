"""The Graph API client every feature uses: one requests.Session, typed errors, retries, usage throttling.

- The version and base URL come from settings (tests point the base at a local fake).
- Tokens travel in the Authorization header, never in URLs; calls with a user or page token carry
  `appsecret_proof` (HMAC-SHA256 of the token with the app secret).
- Transient errors (5xx, codes 1, 2, 4, 17, 32, 341, 613, 80007, 130429) are retried with backoff and jitter,
  except a POST Meta may have acted on (it got the request: a read timeout, a 5xx): that raises OutcomeUnknown.
- X-App-Usage and X-Business-Use-Case-Usage are read on every answer: past the usage limit, calls for that
  app or business object wait first; `estimated_time_to_regain_access` pauses them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import requests
from urllib3.exceptions import NewConnectionError

from integrations.meta import errors
from integrations.meta.errors import GraphError, OutcomeUnknown, Throttled, Unavailable

log = logging.getLogger(__name__)

Timeout = float | tuple[float, float]  # as requests takes it: one value, or (connect, read) seconds


@dataclass
class Listing:
    """One page of a Graph list, with the cursors to the next and previous pages when Meta has them."""

    items: list[dict[str, Any]]
    after: str | None  # cursor of the next page, when Meta has more
    before: str | None


class GraphClient:
    """The tunables (timeout, attempts, backoff, usage_limit, slowdown, max_inline_wait, page_limit) come
    from whoever builds the client: the app passes its own (metaops/defaults.py); the values below only
    serve a client built bare, as in tests."""

    def __init__(self, base_url: str, version: str, app_id: str, app_secret: str,
                 session: requests.Session | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, attempts: int = 4, backoff: float = 1.0,
                 timeout: Timeout = (5, 30), usage_limit: float = 90, slowdown: float = 2.0,
                 max_inline_wait: float = 10.0, page_limit: int = 100,
                 on_error: Callable[[GraphError], None] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.version = version
        self.app_id = app_id
        self._secret = app_secret
        self.session = session or requests.Session()
        self.sleep = sleep
        self.clock = clock
        self.attempts = attempts  # tries of one call on a transient error
        self.backoff = backoff  # first wait before a retry (doubles each time, plus jitter), seconds
        self.timeout = timeout  # connect and read timeouts, seconds
        self.usage_limit = usage_limit  # usage percent past which calls for that app or business slow down
        self.slowdown = slowdown  # wait before each call past the usage limit, seconds
        self.max_inline_wait = max_inline_wait  # longest in-line wait for throttling before Throttled, seconds
        self.page_limit = page_limit  # items asked for per page when following cursors
        self.on_error = on_error  # told of every error answer or failed attempt (the app counts them); never raises
        self._paused: dict[str, float] = {}  # "app" or a business object id -> clock time calls may go again
        self._lock = threading.Lock()

    @property
    def app_secret(self) -> str:
        return self._secret

    @property
    def app_token(self) -> str:
        return f"{self.app_id}|{self._secret}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{self.version}/{path.lstrip('/')}"

    def get(self, path: str, token: str | None = None, **params: Any) -> dict[str, Any]:
        return self.request("GET", path, token, params=params)

    def post(self, path: str, token: str | None = None, data: dict[str, Any] | None = None,
             json_body: dict[str, Any] | None = None, files: dict[str, tuple[str, bytes, str]] | None = None
             ) -> dict[str, Any]:
        """`files` (field -> (filename, bytes, content type)) makes it a multipart upload with `data` as fields."""
        return self.request("POST", path, token, data=data, json_body=json_body, files=files)

    def delete(self, path: str, token: str | None = None, **params: Any) -> dict[str, Any]:
        return self.request("DELETE", path, token, params=params)

    def paged(self, path: str, token: str | None = None, limit: int | None = None, **params: Any
              ) -> Iterator[dict[str, Any]]:
        """Every item of a list, following Meta's `after` cursors to the end (or `limit` items)."""
        params.setdefault("limit", self.page_limit)
        seen = 0
        while True:
            page = self.get(path, token, **params)
            for item in page.get("data") or []:
                yield item
                seen += 1
                if limit is not None and seen >= limit:
                    return
            paging = page.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not after or not paging.get("next"):
                return
            params["after"] = after

    def page(self, path: str, token: str | None = None, **params: Any) -> Listing:
        """One page of a list (`limit`, `after` or `before` in params), for paging through it in Slack."""
        answer = self.get(path, token, **params)
        paging = answer.get("paging") or {}
        cursors = paging.get("cursors") or {}
        paged = params.get("after") or params.get("before")
        return Listing(answer.get("data") or [], cursors.get("after") if paging.get("next") else None,
                       cursors.get("before") if paged and paging.get("previous") else None)

    def request(self, method: str, path: str, token: str | None = None, params: dict[str, Any] | None = None,
                data: dict[str, Any] | None = None, json_body: dict[str, Any] | None = None,
                files: dict[str, tuple[str, bytes, str]] | None = None, content: bytes | None = None,
                headers: dict[str, str] | None = None, auth_scheme: str = "Bearer") -> dict[str, Any]:
        """`content` is a raw body (with `headers`, as the resumable upload sends a file's bytes); `auth_scheme`
        names the Authorization scheme (Meta's upload sessions want `OAuth`)."""
        params = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"{auth_scheme} {token}"
            if token != self.app_token:
                params["appsecret_proof"] = hmac.new(self._secret.encode(), token.encode(), hashlib.sha256).hexdigest()
        if data is not None:
            data = {k: _param(v) for k, v in data.items() if v is not None}
        key = path.lstrip("/").split("/", 1)[0].split("?", 1)[0]
        for attempt in range(1, self.attempts + 1):
            self._wait_for_usage(key)
            sent = True  # Meta may have acted on it
            try:
                r = self.session.request(method, self.url(path), params=params,
                                         data=content if content is not None else data, json=json_body,
                                         files=files, headers=headers, timeout=self.timeout)
            except requests.RequestException as e:
                sent = not _never_connected(e)
                error: GraphError = Unavailable(f"Meta did not answer ({type(e).__name__})" if sent else
                                                f"Meta could not be reached ({type(e).__name__})")
            else:
                self._read_usage(r.headers)
                body = _json(r)
                if r.status_code < 400 and not (isinstance(body, dict) and "error" in body):
                    return body if isinstance(body, dict) else {"data": body}
                error = errors.from_answer(r.status_code, body)
            # A POST that may have been acted on (a message sent, a post published) is never sent again here:
            # only refusals that say nothing was done (rate limits) and connections never made are retried.
            self._report(error)
            maybe_acted = method not in ("GET", "DELETE") and sent and not isinstance(error, Throttled)
            retry = self._transient(error) and not maybe_acted
            if not retry or attempt == self.attempts:
                if maybe_acted and self._transient(error):
                    raise OutcomeUnknown.of(error) from error
                raise error
            wait = self.backoff * 2 ** (attempt - 1) + random.uniform(0, self.backoff)
            log.info("Graph %s %s: %s; retry %d in %.1fs", method, key, type(error).__name__, attempt, wait)
            self.sleep(wait)
        raise AssertionError("unreachable")

    def _report(self, error: GraphError) -> None:
        if self.on_error is not None:
            try:
                self.on_error(error)
            except Exception:  # noqa: BLE001 - counting must not change the call's outcome
                log.debug("on_error failed", exc_info=True)

    @staticmethod
    def _transient(error: GraphError) -> bool:
        return isinstance(error, Unavailable | Throttled) or error.status >= 500

    def _wait_for_usage(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            until = max(self._paused.get("app", 0.0), self._paused.get(key, 0.0))
        wait = until - now
        if wait <= 0:
            return
        if wait > self.max_inline_wait:
            raise Throttled("Meta asked us to slow down", retry_after=wait)
        self.sleep(wait)

    def _read_usage(self, headers: Any) -> None:
        app = _header_json(headers, "X-App-Usage")
        if isinstance(app, dict):
            self._note_usage("app", app)
        buc = _header_json(headers, "X-Business-Use-Case-Usage")
        if isinstance(buc, dict):
            for business_id, entries in buc.items():
                for entry in entries if isinstance(entries, list) else [entries]:
                    if isinstance(entry, dict):
                        self._note_usage(str(business_id), entry)

    def _note_usage(self, key: str, usage: dict[str, Any]) -> None:
        peak = max((_num(usage.get(k)) for k in ("call_count", "total_time", "total_cputime")), default=0)
        regain_minutes = _num(usage.get("estimated_time_to_regain_access"))
        pause = 0.0
        if regain_minutes > 0:
            pause = regain_minutes * 60
        elif peak >= self.usage_limit:
            pause = self.slowdown
        if pause:
            log.warning("Graph usage for %s at %d%%: pausing calls %.0fs", key, peak, pause)
            with self._lock:
                self._paused[key] = max(self._paused.get(key, 0.0), self.clock() + pause)


def _never_connected(e: requests.RequestException) -> bool:
    """True only when the request cannot have reached Meta: the connection timed out or was refused (or the name
    did not resolve). A read timeout (`ReadTimeout` is a `Timeout`, not a `ConnectionError`) or a connection lost
    after the request went out may have been acted on."""
    if isinstance(e, requests.ConnectTimeout):
        return True
    if isinstance(e, requests.ConnectionError):
        reason = getattr(e.args[0], "reason", None) if e.args else None
        return isinstance(reason, NewConnectionError)  # urllib3's refused, unreachable or unresolved connection
    return False


def _param(v: Any) -> Any:
    return json.dumps(v) if isinstance(v, dict | list) else v


def _json(r: requests.Response) -> Any:
    try:
        return r.json()
    except ValueError:
        return None


def _header_json(headers: Any, name: str) -> Any:
    raw = headers.get(name) if headers else None
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return 0.0
