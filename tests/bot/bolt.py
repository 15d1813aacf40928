"""Calling a listener as Bolt calls it: with the arguments it names, among them stand-ins for the functions Bolt
hands it (ack, respond, fail, next) that record how they were called."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any


def call(listener: Callable[..., Any], **available: Any) -> Any:
    """`listener` called with those of `available` its parameters name, as Bolt injects them; every parameter it
    names must be there."""
    names = list(inspect.signature(listener).parameters)
    missing = [n for n in names if n not in available]
    assert not missing, f"{listener.__name__} wants {missing}"
    return listener(**{n: available[n] for n in names})


class Recorder:
    """Every call's arguments, in order; a positional argument is recorded under `first` (Bolt's ack and respond
    take `text` first, fail takes `error`)."""

    def __init__(self, first: str = "text", returns: Any = None) -> None:
        self.first = first
        self.returns = returns
        self.calls: list[dict[str, Any]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append({**dict(zip([self.first], args, strict=False)), **kwargs})
        return self.returns

    @property
    def last(self) -> dict[str, Any]:
        assert self.calls, "never called"
        return self.calls[-1]

    @property
    def once(self) -> dict[str, Any]:
        """The one call there was."""
        assert len(self.calls) == 1, self.calls
        return self.calls[0]
