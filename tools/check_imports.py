"""Check the import rules of docs/architecture.md over app/ (stdlib only).

Three checks, each printing file:line (or the modules involved) and the rule:

1. Layers: each package under app/ may import only the app packages listed
   for it in ALLOWED_APP, and the third-party modules in OWNED only where
   they belong. A package with no row is an error, not a crash: a new room
   must say what it may import.
2. Package cycles: no two app packages import each other, directly or
   through others (even when the rows above would allow it).
3. Module cycles: no two modules of app/ import each other, directly or
   through others. Known cycles waiting for their fix are listed in
   KNOWN_MODULE_CYCLES; they are printed, not failed.

Every import counts, `from app import x` and relative ones included, and so
do imports inside functions or under TYPE_CHECKING: a lazy import still ties
the two modules together. Exits 1 on a problem.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"

# package -> app packages it may import (itself always allowed)
ALLOWED_APP: dict[str, set[str]] = {
    "core": set(),
    "chat": {"core"},
    "engine": {"core", "chat"},
    "hardware": {"core"},
    "models": {"core", "hardware"},
    "store": {"core"},
    "render": {"core"},
    # The tutor's answer checks; math_verify/sympy run only in its worker process.
    "tutor": {"core", "chat"},
    # The code runner (`ponder run-code` and the window's Run button): stdlib + psutil.
    "sandbox": {"core"},
    "services": {"core", "chat", "engine", "hardware", "models", "store", "tutor"},
    "server": {"core", "chat", "services"},
    # The window never imports the engine: models load and reply through services.
    "ui": {"core", "chat", "hardware", "models", "store", "render", "server", "services",
           "sandbox", "tutor"},
    # Commands load, plan and reply only through services (never the engine);
    # `--self-test` renders one message offscreen through app.ui.selftest_render.
    "commands": {"core", "chat", "hardware", "models", "store", "server", "ui", "services",
                 "tutor", "sandbox"},
    # top-level modules (app/cli.py, app/__main__.py) wire everything together
    "": {"core", "chat", "engine", "hardware", "models", "store", "render", "server", "ui",
         "commands", "services", "tutor", "sandbox"},
}

# third-party module -> packages that may import it
OWNED: dict[str, set[str]] = {
    "llama_cpp": {"engine"},
    "huggingface_hub": {"models"},
    "sqlite3": {"store"},
    "PySide6": {"ui"},
    "shiboken6": {"ui"},
    "keyring": {"services"},
    "starlette": {"server"},
    "uvicorn": {"server"},
    "math_verify": {"tutor"},
    "sympy": {"tutor"},
}

# Module cycles that exist today and have an owner fixing them. Each entry is
# the set of modules of one cycle (a strongly connected group); a cycle that
# grows or a new one fails. Remove an entry once its cycle is gone.
KNOWN_MODULE_CYCLES: list[frozenset[str]] = [
]


@dataclass(frozen=True)
class Edge:
    """One import of an app module by another."""

    source: str
    target: str
    where: str
    target_package: str
    """The app package named by the import ("" for app's top-level modules)."""


def _module_name(path: Path, app: Path) -> str:
    parts = list(path.relative_to(app).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["app", *parts])


def _package_of_module(name: str, packages: set[str]) -> str:
    """The app package a dotted module belongs to ("" for app/cli.py and the like)."""
    parts = name.split(".")
    if len(parts) > 1 and parts[1] in packages:
        return parts[1]
    return ""


def _resolve(name: str, modules: set[str]) -> str:
    """The module of app that `name` names: itself, or its nearest existing parent."""
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def _imports(
    tree: ast.AST, module: str, is_package: bool, modules: set[str]
) -> list[tuple[int, str]]:
    """(line, dotted name) of everything a module imports.

    `from X import n` names the module X.n where there is one (so that
    `from app import store` is seen as importing app.store), else X.
    """
    names: list[tuple[int, str]] = []
    here = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            for alias in node.names:
                sub = f"{mod}.{alias.name}"
                names.append((node.lineno, sub if sub in modules else mod))
    return names


@dataclass
class Scan:
    """What the import statements of app/ say."""

    edges: list[Edge]
    third_party: list[tuple[str, str, str]]
    """(module, file:line, top-level name) of every non-app import."""
    packages: set[str]
    unreadable: list[str]


def _scan(app: Path, root: Path) -> Scan:
    """Read every module of app/ once."""
    files = sorted(app.rglob("*.py"))
    unreadable: list[str] = []
    modules = {_module_name(p, app) for p in files}
    packages = {p.relative_to(app).parts[0] for p in files if len(p.relative_to(app).parts) > 1}
    edges: dict[tuple[str, str, str], Edge] = {}
    third_party: dict[tuple[str, str, str], None] = {}
    for path in files:
        module = _module_name(path, app)
        rel = path.relative_to(root).as_posix()
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (SyntaxError, UnicodeDecodeError) as exc:
            unreadable.append(f"{rel}: cannot be parsed, so its imports are unchecked ({exc})")
            continue
        for lineno, name in _imports(tree, module, path.name == "__init__.py", modules):
            where = f"{rel}:{lineno}"
            top = name.split(".")[0]
            if top == "app":
                target = _resolve(name, modules)
                parts = name.split(".")
                # A package that has no file yet still counts (app.ui in a bare tree).
                is_package = len(parts) > 1 and (parts[1] in packages or parts[1] in ALLOWED_APP)
                edges.setdefault(
                    (module, target, where),
                    Edge(module, target, where, parts[1] if is_package else ""),
                )
            else:
                third_party[(module, where, top)] = None
    return Scan(list(edges.values()), list(third_party), packages, unreadable)


def _strong_groups(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of nodes that reach each other (Tarjan), only those of two or more."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _one_cycle(graph: dict[str, set[str]], group: list[str]) -> list[str]:
    """A shortest cycle through the first member of a group, for the message."""
    members = set(group)
    start = group[0]
    paths: dict[str, list[str]] = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph.get(node, set()) & members):
            if nxt == start:
                return [*paths[node], start]
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    return [*group, start]


def _cycle_problems(
    edges: Iterable[tuple[str, str, str]], kind: str, known: Iterable[frozenset[str]] = ()
) -> tuple[list[str], list[str]]:
    """(problems, notes) for the cycles of a graph given as (source, target, where)."""
    graph: dict[str, set[str]] = {}
    where: dict[tuple[str, str], str] = {}
    for source, target, at in edges:
        if source == target:
            continue
        graph.setdefault(source, set()).add(target)
        where.setdefault((source, target), at)
    allowed = set(known)
    problems: list[str] = []
    notes: list[str] = []
    found: set[frozenset[str]] = set()
    for group in _strong_groups(graph):
        cycle = _one_cycle(graph, group)
        steps = ", ".join(f"{a} -> {b} ({where[(a, b)]})" for a, b in itertools.pairwise(cycle))
        key = frozenset(group)
        found.add(key)
        text = f"{kind} import cycle among {', '.join(group)}: {steps}"
        if key in allowed:
            notes.append(f"known {text} [allowed in KNOWN_MODULE_CYCLES]")
        else:
            problems.append(text)
    notes.extend(
        f"KNOWN_MODULE_CYCLES lists {', '.join(sorted(gone))}, which is no longer a cycle: "
        "remove the entry" for gone in allowed - found
    )
    return problems, notes


def _by_place(problem: str) -> tuple[int, str, int]:
    """Sort key: messages without a place first, then by file and line."""
    place = problem.split(": ", 1)[0]
    path, _, line = place.rpartition(":")
    if not line.isdigit():
        return (0, "", 0)
    return (1, path, int(line))


def check_all(
    app: Path | None = None,
    root: Path | None = None,
    known_cycles: Iterable[frozenset[str]] | None = None,
) -> tuple[list[str], list[str]]:
    """(problems, notes) over the app folder; problems fail the check."""
    app = APP if app is None else app
    root = ROOT if root is None else root
    known = KNOWN_MODULE_CYCLES if known_cycles is None else list(known_cycles)
    scan = _scan(app, root)
    edges, third_party, packages = scan.edges, scan.third_party, scan.packages
    problems: list[str] = scan.unreadable + [
        f"app/{pkg} has no import rule: add a row for '{pkg}' to ALLOWED_APP in "
        "tools/check_imports.py (and to docs/architecture.md) naming the app packages "
        "it may import"
        for pkg in sorted(packages - ALLOWED_APP.keys())
    ]
    package_edges: list[tuple[str, str, str]] = []
    for edge in edges:
        pkg = _package_of_module(edge.source, packages)
        target_pkg = edge.target_package
        if target_pkg == pkg or (not target_pkg and edge.target == "app"):
            continue
        package_edges.append((pkg or "app", target_pkg or "app", edge.where))
        if pkg in ALLOWED_APP and target_pkg and target_pkg not in ALLOWED_APP[pkg]:
            problems.append(f"{edge.where}: app/{pkg or '.'} must not import app.{target_pkg}")
    for module, where, top in third_party:
        pkg = _package_of_module(module, packages)
        if top in OWNED and pkg not in OWNED[top]:
            owners = "|".join(sorted(OWNED[top]))
            problems.append(f"{where}: only app/{owners} may import {top}")
    problems.sort(key=_by_place)
    package_problems, _ = _cycle_problems(package_edges, "package")
    module_problems, notes = _cycle_problems(
        ((e.source, e.target, e.where) for e in edges), "module", known
    )
    return problems + package_problems + module_problems, notes


def check() -> list[str]:
    """The problems over app/ (an empty list when every rule holds)."""
    return check_all()[0]


def main() -> int:
    problems, notes = check_all()
    for note in notes:
        print(note)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} import rule violation(s)")
        return 1
    print("import rules: ok")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
