"""Import direction between the layers, read from the source with `ast` (nothing is imported).

integrations/ (pure adapters) imports nothing of ours, and integrations/meta and integrations/slack not each
other; store/ imports only store (its Alembic entry point also reads metaops.settings); metaops/ imports bot
only inside functions of the app factory (metaops/__init__.py) and metaops/cli.py; bot/ (Bolt listeners only)
imports neither store nor Meta's adapter (the core does the work), but for Meta's template rules.

bot/ holds no closures either: every listener is a module-level function, and a module's register(app) only
wires them.

Inside metaops/ (PACKAGE_RULES): delivery -> conversation -> adapters: metaops/conversation never imports the
delivery machinery (delivery/) nor the surfaces; metaops/queue (Redis and RQ plumbing) imports only the neutral
top-level modules; metaops/web imports the queue, never delivery/. And no module-level import circle anywhere.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("integrations", "store", "metaops", "bot")
OURS = frozenset(LAYERS)
FORBIDDEN = {
    "integrations": {"store", "metaops", "bot"},
    "store": {"integrations", "metaops", "bot"},
    "metaops": {"bot"},
    "bot": {"store"},
}
# what bot/ may use of Meta's adapter: the rules of a template's fields, pure (no Graph call), which the template
# modal checks before anything is sent
BOT_META_ALLOWED = ("integrations.meta.template_rules",)
# metaops files that may import bot, inside function bodies only (the app factory and the CLI)
LAZY_BOT_IMPORTS = {"metaops/__init__.py", "metaops/cli.py"}
ADAPTERS = ("integrations.meta", "integrations.slack")
# Alembic's entry point reads the app's settings (DATABASE_URL, .env) so `alembic upgrade head` needs nothing else.
ENTRY_POINT_IMPORTS = {"store/migrations/env.py": "metaops.settings"}


def _module_of(path: str) -> list[str]:
    parts = path.removesuffix(".py").split("/")
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imports(tree: ast.AST, path: str) -> list[tuple[int, str, bool]]:
    """(line, imported module, inside a function) for every import in the tree; for `from X import a`,
    the module is X.a (a may be a submodule), relative imports resolved against `path`."""
    package = _module_of(path)
    if not path.endswith("__init__.py"):
        package = package[:-1]
    found: list[tuple[int, str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, in_function) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.extend((node.lineno, f"{module}.{alias.name}" if alias.name != "*" else module, in_function)
                         for alias in node.names)
        inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(tree, False)
    return found


def _adapter(module: str) -> str | None:
    return next((a for a in ADAPTERS if module == a or module.startswith(a + ".")), None)


def violations(path: str, source: str) -> list[str]:
    """The forbidden imports of one file; `path` is relative to the repo root, with forward slashes."""
    layer = path.split("/", 1)[0]
    if layer not in OURS:
        return []
    tree = ast.parse(source, filename=path)
    own_adapter = _adapter(".".join(_module_of(path)))
    bad = []
    for line, module, in_function in _imports(tree, path):
        top = module.split(".", 1)[0]
        if top not in OURS:
            continue
        if top in FORBIDDEN[layer]:
            if layer == "metaops" and in_function and path in LAZY_BOT_IMPORTS:
                continue
            allowed = ENTRY_POINT_IMPORTS.get(path)
            if allowed and (module == allowed or module.startswith(allowed + ".")):
                continue
            bad.append(f"{path}:{line}: {layer} must not import {module}")
        elif own_adapter and _adapter(module) not in (None, own_adapter):
            bad.append(f"{path}:{line}: {own_adapter} must not import {module}")
        elif layer == "bot" and _adapter(module) == "integrations.meta" and not any(
                module == a or module.startswith(a + ".") for a in BOT_META_ALLOWED):
            bad.append(f"{path}:{line}: bot must not import {module}")
    return bad


WIRING = {"command", "action", "view", "event", "shortcut", "function", "options", "middleware", "use"}


def _wires(stmt: ast.stmt) -> bool:
    """`app.<kind>(...)(listener)`, `app.command(...)(ack=..., lazy=[...])`, `app.middleware(listener)`,
    `app.use(...)`, or a for loop of those."""
    if isinstance(stmt, ast.For):
        return all(_wires(s) for s in stmt.body) and not stmt.orelse
    if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
        return False
    call = stmt.value
    target = call.func.func if isinstance(call.func, ast.Call) else call.func
    return isinstance(target, ast.Attribute) and target.attr in WIRING and isinstance(target.value, ast.Name) \
        and target.value.id == "app" and not any(isinstance(n, ast.Lambda) for n in ast.walk(call))


def closures(path: str, source: str) -> list[str]:
    """bot/: a function defined inside a function (listeners and their helpers are module-level), and a
    register() that does more than wire listeners."""
    if not path.startswith("bot/"):
        return []
    bad = []

    def visit(node: ast.AST, outer: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                if outer:
                    bad.append(f"{path}:{child.lineno}: {child.name} is defined inside {outer}")
                visit(child, child.name)
            else:
                visit(child, outer)

    tree = ast.parse(source, filename=path)
    visit(tree, None)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "register":
            docstring = [node.body[0]] if isinstance(node.body[0], ast.Expr) and \
                isinstance(node.body[0].value, ast.Constant) else []
            bad.extend(f"{path}:{stmt.lineno}: register() only wires listeners" for stmt in node.body
                       if stmt not in docstring and not _wires(stmt))
    return bad


# metaops package -> metaops modules it must not import (prefixes), at any depth, functions included.
PACKAGE_RULES = {
    "metaops/conversation/": ("metaops.delivery", "metaops.surfaces", "metaops.web"),
    "metaops/queue/": ("metaops.delivery", "metaops.conversation", "metaops.assets", "metaops.templates.catalog",
                       "metaops.surfaces", "metaops.web", "metaops.runtime"),
    "metaops/web/": ("metaops.delivery",),
    "metaops/assets/": ("metaops.delivery", "metaops.web"),
    "metaops/templates/": ("metaops.delivery", "metaops.web"),
    "metaops/surfaces/": ("metaops.delivery", "metaops.web"),
}


def package_violations(path: str, source: str) -> list[str]:
    """Imports against PACKAGE_RULES of one file (repo-relative path)."""
    rule = next(((prefix, banned) for prefix, banned in PACKAGE_RULES.items() if path.startswith(prefix)), None)
    if rule is None:
        return []
    prefix, banned = rule
    return [f"{path}:{line}: {prefix.rstrip('/')} must not import {module}"
            for line, module, _ in _imports(ast.parse(source, filename=path), path)
            if any(module == b or module.startswith(b + ".") for b in banned)]


def _module_level_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Imports run when the module loads: not inside functions, nor under `if TYPE_CHECKING:`."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph(sources: dict[str, str]) -> dict[str, set[str]]:
    """Module -> our modules it imports when it loads (`from package import module` counts as the module)."""
    modules = {".".join(_module_of(p)) for p in sources}
    graph: dict[str, set[str]] = {}
    for path, source in sources.items():
        name = ".".join(_module_of(path))
        edges: set[str] = set()
        nodes = _module_level_imports(ast.parse(source, filename=path))
        for _, module, _ in _imports(ast.Module(body=list(nodes), type_ignores=[]), path):
            while module and module not in modules:
                module = module.rpartition(".")[0]
            if module and module != name:
                edges.add(module)
        graph[name] = edges
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles of a graph (one path per strongly connected component of more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return found


def _sources() -> list[Path]:
    return sorted(p for layer in LAYERS for p in (ROOT / layer).rglob("*.py") if "__pycache__" not in p.parts)


def test_layers_import_only_downwards():
    bad = [v for p in _sources() for v in violations(p.relative_to(ROOT).as_posix(), p.read_text())]
    assert not bad, "imports against the layering:\n" + "\n".join(bad)


def test_packages_inside_metaops_import_only_what_their_rule_allows():
    bad = [v for p in _sources() for v in package_violations(p.relative_to(ROOT).as_posix(), p.read_text())]
    assert not bad, "imports against the rules inside metaops:\n" + "\n".join(bad)


def test_no_import_circles():
    graph = import_graph({p.relative_to(ROOT).as_posix(): p.read_text() for p in _sources()})
    assert circles(graph) == []


def test_circle_finder_and_package_rules_catch_violations():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []
    sources = {"metaops/x.py": "from metaops import y\n", "metaops/y.py": "if TYPE_CHECKING:\n    import metaops.x\n",
               "metaops/z.py": "def f():\n    from metaops import x\n"}
    assert import_graph(sources) == {"metaops.x": {"metaops.y"}, "metaops.y": set(), "metaops.z": set()}
    assert package_violations("metaops/conversation/thread.py", "from metaops.delivery import holds\n") == \
        ["metaops/conversation/thread.py:1: metaops/conversation must not import metaops.delivery.holds"]
    assert package_violations("metaops/web/ingest.py", "def f():\n    from metaops.delivery.drain import drain\n") \
        == ["metaops/web/ingest.py:2: metaops/web must not import metaops.delivery.drain.drain"]
    assert package_violations("metaops/web/ingest.py", "from metaops.queue import streams\n") == []


def test_bot_listeners_are_module_level_functions_wired_by_register():
    bad = [v for p in _sources() for v in closures(p.relative_to(ROOT).as_posix(), p.read_text())]
    assert not bad, "closures in bot/:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def on_x(ack):\n    ack()\n\n\ndef register(app):\n    app.action('x')(on_x)\n"
         "    for c in ('a', 'b'):\n        app.function(c)(on_x)\n    app.command('/m')(ack=on_x, lazy=[on_x])\n", []),
        ("def register(app, rt):\n    @app.action('x')\n    def on_x(ack):\n        ack()\n",
         ["bot/m.py:3: on_x is defined inside register", "bot/m.py:3: register() only wires listeners"]),
        ("def register(app):\n    app.action('x')(lambda ack: ack())\n",
         ["bot/m.py:2: register() only wires listeners"]),
        ("def register(app):\n    other.register(app)\n", ["bot/m.py:2: register() only wires listeners"]),
        ("def factory(verb):\n    def listener(ack):\n        ack()\n    return listener\n",
         ["bot/m.py:2: listener is defined inside factory"]),
        ("class M:\n    def process(self):\n        pass\n", []),
    ],
)
def test_closure_checker(source, expected):
    assert closures("bot/m.py", source) == expected


def test_every_layer_has_sources():
    assert {p.relative_to(ROOT).parts[0] for p in _sources()} == OURS


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        ("integrations/meta/graph.py", "from metaops.defaults import GRAPH_VERSION\n",
         ["integrations/meta/graph.py:1: integrations must not import metaops.defaults.GRAPH_VERSION"]),
        ("integrations/meta/oauth.py", "import requests\n\nimport store.crypto\n",
         ["integrations/meta/oauth.py:3: integrations must not import store.crypto"]),
        ("integrations/meta/graph.py", "def f():\n    from bot import app\n",
         ["integrations/meta/graph.py:2: integrations must not import bot.app"]),
        ("integrations/meta/graph.py", "from integrations.slack.errors import SlackError\n",
         ["integrations/meta/graph.py:1: integrations.meta must not import integrations.slack.errors.SlackError"]),
        ("integrations/slack/client.py", "from integrations import meta\n",
         ["integrations/slack/client.py:1: integrations.slack must not import integrations.meta"]),
        ("integrations/slack/client.py", "from ..meta import payload\n",
         ["integrations/slack/client.py:1: integrations.slack must not import integrations.meta.payload"]),
        ("integrations/meta/graph.py", "from integrations.meta.errors import GraphError\nfrom . import payload\n",
         []),
        ("store/events.py", "from store import dedupe\nfrom store.models import WebhookEvent\n", []),
        ("store/migrations/env.py", "from metaops.settings import database_url\n", []),
        ("store/migrations/env.py", "from metaops.delivery import inbox\n",
         ["store/migrations/env.py:1: store must not import metaops.delivery.inbox"]),
        ("store/crypto.py", "from metaops.settings import database_url\n",
         ["store/crypto.py:1: store must not import metaops.settings.database_url"]),
        ("store/db.py", "from integrations.meta import graph\n",
         ["store/db.py:1: store must not import integrations.meta.graph"]),
        ("metaops/__init__.py", "import integrations, store\n\ndef create_app():\n    from bot.app import register\n",
         []),
        ("metaops/cli.py", "class C:\n    def run(self):\n        import bot\n", []),
        ("metaops/__init__.py", "from bot.app import register\n",
         ["metaops/__init__.py:1: metaops must not import bot.app.register"]),
        ("metaops/__init__.py", "try:\n    import bot\nexcept ImportError:\n    pass\n",
         ["metaops/__init__.py:2: metaops must not import bot"]),
        ("metaops/web/slack.py", "def handler():\n    from bot import app\n",
         ["metaops/web/slack.py:2: metaops must not import bot.app"]),
        ("bot/app.py", "from metaops import runtime\nfrom integrations.slack import client\n", []),
        ("bot/app.py", "import store\nfrom store.models import Template\n",
         ["bot/app.py:1: bot must not import store", "bot/app.py:2: bot must not import store.models.Template"]),
        ("bot/commands/x.py", "from integrations.meta import whatsapp\nfrom integrations.meta.errors import E\n",
         ["bot/commands/x.py:1: bot must not import integrations.meta.whatsapp",
          "bot/commands/x.py:2: bot must not import integrations.meta.errors.E"]),
        ("bot/modals/x.py", "from integrations.meta.template_rules import Draft\n", []),
        ("tests/test_x.py", "import bot\n", []),
    ],
)
def test_checker_catches_violations(path, source, expected):
    assert violations(path, source) == expected
