"""How bot.app.build wires the listeners: every one a module-level function of bot/ (no closures), each with a test
of its own that calls it directly, and the runtime in the context before any other middleware of ours runs."""

from __future__ import annotations

import sys
from pathlib import Path

from slack_bolt.middleware.custom_middleware import CustomMiddleware

from bot.runtime import RuntimeMiddleware

HERE = Path(__file__).resolve().parent


def bolt_app(app):
    return app.extensions["bolt_handler"].app


def registered(app):
    bolt = bolt_app(app)
    functions = [f for listener in bolt._listeners for f in (listener.ack_function, *listener.lazy_functions)]
    return functions + [m.func for m in bolt._middleware_list if isinstance(m, CustomMiddleware)]


def test_every_listener_is_a_module_level_function_of_bot(app):
    functions = registered(app)
    assert len({f.__name__ for f in functions}) >= 30
    for f in functions:
        assert f.__module__.startswith("bot.") and "<locals>" not in f.__qualname__, f.__qualname__
        assert getattr(sys.modules[f.__module__], f.__name__) is f


def test_every_listener_has_a_test_that_calls_it(app):
    tests = "".join(p.read_text() for p in sorted(HERE.glob("test_listeners_*.py")) if p.name != Path(__file__).name)
    untested = sorted(n for n in {f.__name__ for f in registered(app)} if f"def test_{n}" not in tests)
    assert not untested, f"listeners without a test named test_<listener>_…: {untested}"


def test_the_runtime_is_in_the_context_before_our_middleware_runs(app, rt):
    ours = [m for m in bolt_app(app)._middleware_list if isinstance(m, RuntimeMiddleware | CustomMiddleware)]
    assert isinstance(ours[0], RuntimeMiddleware) and ours[0].rt is rt
    assert [m.func.__name__ for m in ours[1:]] == ["queue_replies"]
