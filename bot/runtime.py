"""How listeners reach the app's Runtime: RuntimeMiddleware, the app's first middleware (bot.app.build), puts it in
every request's context, and `runtime_of(context)` reads it back, in listeners and middleware alike.

Bolt deep-copies a request's context for its lazy listeners (`/meta`'s slow answers): the runtime is held in a box
that stays the same box in every copy, so a copy shares the process's database, Redis and clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from metaops.runtime import Runtime

KEY = "metaops"


class _Shared:
    """The runtime, shared (never copied) by every copy of a context."""

    __slots__ = ("rt",)

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def __copy__(self) -> _Shared:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _Shared:
        return self


def put(context: BoltContext, rt: Runtime) -> BoltContext:
    """`context` with the runtime in it (what RuntimeMiddleware does to every request's)."""
    context[KEY] = _Shared(rt)
    return context


def runtime_of(context: BoltContext) -> Runtime:
    return context[KEY].rt


class RuntimeMiddleware(Middleware):
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def process(self, *, req: BoltRequest, resp: BoltResponse,
                next: Callable[[], BoltResponse]) -> BoltResponse | None:  # noqa: A002 - Bolt's name
        put(req.context, self.rt)
        return next()
