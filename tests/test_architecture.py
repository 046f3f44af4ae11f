"""The import rules of docs/architecture.md hold (tools/check_imports.py).

Besides the real tree, each rule is fed a small synthetic app/ folder in which
it must fail, so a rule that silently stops working is noticed.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_imports", ROOT / "tools/check_imports.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_imports"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def checker() -> ModuleType:
    return _load_checker()


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    """A fake app/ under tmp_path with these files (path -> source)."""
    app = tmp_path / "app"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("")
    for rel, source in files.items():
        path = app / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(app).parents:
            init = app / parent / "__init__.py"
            if not init.exists():
                init.write_text("")
        path.write_text(source)
    return app


def _problems(checker: ModuleType, tmp_path: Path, files: dict[str, str],
              known: list[frozenset[str]] | None = None) -> list[str]:
    app = _tree(tmp_path, files)
    problems, _notes = checker.check_all(app, tmp_path, known_cycles=known or [])
    return list(problems)


def test_import_rules_hold() -> None:
    assert _load_checker().check() == []


def test_command_line_reports_ok() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools/check_imports.py")],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "import rules: ok" in result.stdout


def test_checker_catches_a_breach(checker: ModuleType, tmp_path: Path) -> None:
    problems = _problems(checker, tmp_path,
                         {"chat/bad.py": "import llama_cpp\nfrom app.ui import x\n"})
    assert len(problems) == 2
    assert "only app/engine may import llama_cpp" in problems[0]
    assert "app/chat must not import app.ui" in problems[1]


def test_from_app_import_package_is_checked(checker: ModuleType, tmp_path: Path) -> None:
    problems = _problems(checker, tmp_path, {
        "chat/bad.py": "from app import ui\n",
        "ui/__init__.py": "",
    })
    assert problems == ["app/chat/bad.py:1: app/chat must not import app.ui"]


def test_relative_import_is_checked(checker: ModuleType, tmp_path: Path) -> None:
    problems = _problems(checker, tmp_path, {
        "store/bad.py": "from ..ui import widgets\n",
        "ui/widgets.py": "",
    })
    assert problems == ["app/store/bad.py:1: app/store must not import app.ui"]


def test_lazy_import_counts(checker: ModuleType, tmp_path: Path) -> None:
    problems = _problems(checker, tmp_path, {
        "core/bad.py": "def f():\n    import huggingface_hub\n    return huggingface_hub\n",
    })
    assert problems == ["app/core/bad.py:2: only app/models may import huggingface_hub"]


def test_package_without_a_rule_fails_clearly(checker: ModuleType, tmp_path: Path) -> None:
    problems = _problems(checker, tmp_path, {
        "gadgets/thing.py": "from app.core import types\n",
        "core/types.py": "",
        "chat/uses.py": "from app.gadgets import thing\n",
    })
    assert problems[0].startswith("app/gadgets has no import rule: add a row for 'gadgets'")
    assert problems[1:] == ["app/chat/uses.py:1: app/chat must not import app.gadgets"]


def test_services_row(checker: ModuleType, tmp_path: Path) -> None:
    problems = _problems(checker, tmp_path, {
        "services/ok.py": "from app.engine import backend\nfrom app.store import db\n"
                          "from app.models import catalog\nfrom app.hardware import plan\n",
        "services/bad.py": "from app.ui import window\nfrom app.render import html\n",
        "engine/backend.py": "", "store/db.py": "", "models/catalog.py": "",
        "hardware/plan.py": "", "ui/window.py": "", "render/html.py": "",
    })
    assert problems == [
        "app/services/bad.py:1: app/services must not import app.ui",
        "app/services/bad.py:2: app/services must not import app.render",
    ]


def test_server_row(checker: ModuleType, tmp_path: Path) -> None:
    problems = _problems(checker, tmp_path, {
        "server/ok.py": "from app.services import host\nfrom app.chat import prompt\n",
        "server/bad.py": "from app.engine import local\nfrom app.store import db\n",
        "services/host.py": "", "chat/prompt.py": "", "engine/local.py": "",
        "store/db.py": "",
    })
    assert problems == [
        "app/server/bad.py:1: app/server must not import app.engine",
        "app/server/bad.py:2: app/server must not import app.store",
    ]


@pytest.mark.parametrize("front", ["ui", "commands", ""])
def test_front_ends_may_use_services(checker: ModuleType, tmp_path: Path, front: str) -> None:
    where = f"{front}/front.py" if front else "front.py"
    problems = _problems(checker, tmp_path, {
        where: "from app.services import host\n", "services/host.py": "",
    })
    assert problems == []


def test_module_cycle_fails(checker: ModuleType, tmp_path: Path) -> None:
    problems = _problems(checker, tmp_path, {
        "chat/a.py": "from app.chat import b\n",
        "chat/b.py": "def f():\n    from app.chat.a import g\n    return g\n",
    })
    assert len(problems) == 1
    assert problems[0].startswith("module import cycle among app.chat.a, app.chat.b:")
    assert "app/chat/a.py:1" in problems[0] and "app/chat/b.py:2" in problems[0]


def test_longer_module_cycle_through_relative_imports(checker: ModuleType,
                                                      tmp_path: Path) -> None:
    problems = _problems(checker, tmp_path, {
        "store/a.py": "from . import b\n",
        "store/b.py": "from .c import x\n",
        "store/c.py": "from .a import y\n",
    })
    assert problems == [
        "module import cycle among app.store.a, app.store.b, app.store.c: "
        "app.store.a -> app.store.b (app/store/a.py:1), "
        "app.store.b -> app.store.c (app/store/b.py:1), "
        "app.store.c -> app.store.a (app/store/c.py:1)"
    ]


def test_known_cycle_is_allowed_but_a_bigger_one_is_not(checker: ModuleType,
                                                        tmp_path: Path) -> None:
    files = {"chat/a.py": "from app.chat import b\n", "chat/b.py": "from app.chat import a\n"}
    known = [frozenset({"app.chat.a", "app.chat.b"})]
    assert _problems(checker, tmp_path / "one", files, known) == []
    files["chat/c.py"] = "from app.chat import a\n"
    files["chat/b.py"] = "from app.chat import c\n"
    grown = _problems(checker, tmp_path / "two", files, known)
    assert len(grown) == 1 and "app.chat.a, app.chat.b, app.chat.c" in grown[0]


def test_package_init_reexports_are_not_cycles(checker: ModuleType, tmp_path: Path) -> None:
    # app/store/__init__.py re-exporting a module that imports a sibling is fine.
    problems = _problems(checker, tmp_path, {
        "store/__init__.py": "from app.store.main import Store\n",
        "store/main.py": "from app.store import search\nfrom app.store.records import R\n",
        "store/search.py": "", "store/records.py": "",
    })
    assert problems == []


def test_package_cycle_fails_even_when_the_rows_allow_it(
    checker: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = dict(checker.ALLOWED_APP)
    rows["chat"] = {"core", "render"}
    rows["render"] = {"core", "chat"}
    monkeypatch.setattr(checker, "ALLOWED_APP", rows)
    problems = _problems(checker, tmp_path, {
        "chat/a.py": "from app.render import html\n",
        "render/html.py": "",
        "render/other.py": "from app.chat import b\n",
        "chat/b.py": "",
    })
    assert len(problems) == 1
    assert problems[0].startswith("package import cycle among chat, render:")


def test_unparsable_file_is_a_problem_not_a_crash(checker: ModuleType, tmp_path: Path) -> None:
    problems = _problems(checker, tmp_path, {"core/broken.py": "def f(:\n"})
    assert len(problems) == 1 and "app/core/broken.py: cannot be parsed" in problems[0]
