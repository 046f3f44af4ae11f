"""The duplicate-code check (tools/check_duplicates.py) passes on app/ and can fail."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent

_BLOCK = """
def {name}(values):
    total = 0
    for value in values:
        if value > 10:
            total += value * 2
        elif value < 0:
            total -= value
        else:
            total += 1
    return total
"""


@pytest.fixture
def checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_duplicates", ROOT / "tools/check_duplicates.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_duplicates"] = module
    spec.loader.exec_module(module)
    return module


def _tree(root: Path) -> None:
    app = root / "app"
    (app / "core").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "core" / "__init__.py").write_text("")
    (app / "core" / "one.py").write_text(_BLOCK.format(name="first"))
    (app / "core" / "two.py").write_text("X = 1\n" + _BLOCK.format(name="second"))
    (app / "core" / "three.py").write_text("def other():\n    return 3\n")


def test_app_has_no_duplicates_beyond_the_allow_list() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools/check_duplicates.py")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "duplicate code: ok" in result.stdout


def test_a_copied_block_fails(checker: ModuleType, tmp_path: Path) -> None:
    _tree(tmp_path)
    code, lines = checker.check(["app"], tmp_path / "none.txt", root=tmp_path)
    assert code == 1
    assert lines[0] == "duplicate code: app/core/one.py:3-11, app/core/two.py:4-12"
    assert lines[-1].startswith("1 pair(s) of files share code")


def test_an_allowed_pair_passes_and_a_stale_entry_is_named(checker: ModuleType,
                                                           tmp_path: Path) -> None:
    _tree(tmp_path)
    allowed = tmp_path / "allowed.txt"
    allowed.write_text("# comment\napp/core/two.py app/core/one.py: test boilerplate\n"
                       "app/core/one.py app/core/three.py: gone\n")
    code, lines = checker.check(["app"], allowed, root=tmp_path)
    assert code == 0
    assert lines[0].startswith("allowed duplicate (test boilerplate): app/core/one.py:3-11")
    assert "lists app/core/one.py app/core/three.py, which no longer share code" in lines[1]


def test_a_malformed_entry_is_a_clear_error(checker: ModuleType, tmp_path: Path) -> None:
    allowed = tmp_path / "allowed.txt"
    allowed.write_text("app/core/one.py app/core/two.py\n")
    with pytest.raises(ValueError, match=r"allowed.txt:1: expected 'app/a.py app/b.py: reason'"):
        checker.read_allowed(allowed)
