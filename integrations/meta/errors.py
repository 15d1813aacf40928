"""Meta's errors as typed exceptions, keyed on (code, subcode). Each carries what a user should read."""

from __future__ import annotations

from typing import Any


class GraphError(Exception):
    """An error answer from the Graph API."""

    def __init__(self, message: str, code: int | None = None, subcode: int | None = None, status: int = 0,
                 user_title: str | None = None, user_msg: str | None = None, fbtrace_id: str | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.subcode = subcode
        self.status = status
        self.user_title = user_title
        self.user_msg = user_msg
        self.fbtrace_id = fbtrace_id
        self.retry_after = retry_after

    def user_text(self) -> str:
        """What to show in Slack: Meta's words for users when it gave them, with the trace id for support."""
        main = " — ".join(x for x in (self.user_title, self.user_msg) if x) or self.message
        code = f"code {self.code}" + (f"/{self.subcode}" if self.subcode else "") if self.code is not None else ""
        trace = f"fbtrace_id {self.fbtrace_id}" if self.fbtrace_id else ""
        extra = ", ".join(x for x in (code, trace) if x)
        return f"{main} ({extra})" if extra else main


class TokenInvalid(GraphError):
    """Code 190: the token expired, was revoked, or the user changed their password."""

    @property
    def expired(self) -> bool:
        """Expired (subcode 463), as opposed to revoked: app removed, password changed, session invalidated."""
        return self.subcode == 463 or (self.subcode is None and "expired" in self.message.lower())


class PermissionMissing(GraphError):
    """Codes 10 and 200-299: a permission was not granted."""


class Throttled(GraphError):
    """A rate limit: `retry_after` seconds until calls may go again."""


class Unavailable(GraphError):
    """Meta did not answer usefully after retries (5xx, network, transient codes)."""


class OutcomeUnknown(Unavailable):
    """A POST Meta may have acted on (read timeout, connection lost after the request went out, 5xx or a transient
    code in the answer): the message may have been sent, the post published. Never retried by the client; sending
    it again is for a person to decide."""

    @classmethod
    def of(cls, error: GraphError) -> OutcomeUnknown:
        return cls(error.message, code=error.code, subcode=error.subcode, status=error.status,
                   user_title=error.user_title, user_msg=error.user_msg, fbtrace_id=error.fbtrace_id)


# Transient errors, retried with backoff: unknown (1), service (2), rate limits (4, 17, 32, 613, 80007, 130429),
# temporarily unavailable (341).
TRANSIENT_CODES = frozenset({1, 2, 4, 17, 32, 341, 613, 80007, 130429})
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80007, 130429})


def from_answer(status: int, body: Any) -> GraphError:
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        return Unavailable(f"Meta answered HTTP {status} without an error body", status=status)
    code, subcode = _int(err.get("code")), _int(err.get("error_subcode"))
    message = str(err.get("message") or "Graph API error")
    return _class_for(code, subcode, status)(message, code=code, subcode=subcode, status=status,
                                             user_title=err.get("error_user_title"),
                                             user_msg=err.get("error_user_msg"), fbtrace_id=err.get("fbtrace_id"))


def _class_for(code: int | None, subcode: int | None, status: int) -> type[GraphError]:
    if code == 190 or code == 102:
        return TokenInvalid
    if code == 10 or (code is not None and 200 <= code <= 299):
        return PermissionMissing
    if code in RATE_LIMIT_CODES:
        return Throttled
    if code in TRANSIENT_CODES or status >= 500:
        return Unavailable
    return GraphError


def _int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None
