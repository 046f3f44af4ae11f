"""Check the import rules of docs/architecture.md over app/ (stdlib only).

Each package under app/ may import only the app packages listed for it, and
the named third-party modules only where they belong. Exits 1 on a breach,
printing file:line and the rule. Imports inside functions count too: a lazy
import still ties the layers together.
"""

from __future__ import annotations

import ast
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
    "server": {"core", "chat", "engine"},
    "ui": {"core", "chat", "engine", "hardware", "models", "store", "render", "server"},
    "commands": {"core", "chat", "engine", "hardware", "models", "store", "render", "server", "ui"},
    # top-level modules (app/cli.py, app/__main__.py) wire everything together
    "": {"core", "chat", "engine", "hardware", "models", "store", "render", "server", "ui",
         "commands"},
}

# third-party module -> packages that may import it
OWNED: dict[str, set[str]] = {
    "llama_cpp": {"engine"},
    "huggingface_hub": {"models"},
    "sqlite3": {"store"},
    "PySide6": {"ui"},
    "shiboken6": {"ui"},
}


def _package_of(path: Path) -> str:
    rel = path.relative_to(APP).parts
    return rel[0] if len(rel) > 1 else ""


def _imported_names(tree: ast.AST, module_parts: list[str]) -> list[tuple[int, str]]:
    names: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module_parts[: len(module_parts) - node.level]
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            names.append((node.lineno, mod))
    return names


def check() -> list[str]:
    problems: list[str] = []
    for path in sorted(APP.rglob("*.py")):
        pkg = _package_of(path)
        parts = ["app", *path.relative_to(APP).with_suffix("").parts]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for lineno, name in _imported_names(tree, parts):
            top = name.split(".")[0]
            where = f"{path.relative_to(ROOT)}:{lineno}"
            if top == "app":
                sub = name.split(".")[1] if "." in name else ""
                if sub and sub != pkg and sub in ALLOWED_APP and sub not in ALLOWED_APP[pkg]:
                    problems.append(f"{where}: app/{pkg or '.'} must not import app.{sub}")
            elif top in OWNED and pkg not in OWNED[top]:
                owners = "|".join(sorted(OWNED[top]))
                problems.append(f"{where}: only app/{owners} may import {top}")
    return problems


def main() -> int:
    problems = check()
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} import rule violation(s)")
        return 1
    print("import rules: ok")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
