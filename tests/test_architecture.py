"""The import rules of docs/architecture.md hold (tools/check_imports.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load_checker():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("check_imports", ROOT / "tools/check_imports.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_imports"] = module
    spec.loader.exec_module(module)
    return module


def test_import_rules_hold() -> None:
    assert _load_checker().check() == []


def test_checker_catches_a_breach(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    checker = _load_checker()
    fake_app = tmp_path / "app"
    (fake_app / "chat").mkdir(parents=True)
    (fake_app / "chat" / "bad.py").write_text("import llama_cpp\nfrom app.ui import x\n")
    monkeypatch.setattr(checker, "APP", fake_app)
    monkeypatch.setattr(checker, "ROOT", tmp_path)
    problems = checker.check()
    assert len(problems) == 2
    assert "llama_cpp" in problems[0]
    assert "app.ui" in problems[1]
