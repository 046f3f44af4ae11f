"""Fixtures for the packaging tests: the build scripts live outside app/.

packaging/ and installer/ are folders of stand-alone scripts (stdlib only),
not packages: `packaging` would shadow the PyPI library of that name. The
fixtures put them on sys.path for one test at a time.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
INSTALLER = ROOT / "installer"
ARTIFACTS = ROOT / "tests" / "artifacts" / "packaging"


@pytest.fixture
def build_scripts(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, ModuleType]]:
    """packaging/*.py and installer/linux/*.py, imported fresh for one test."""
    monkeypatch.syspath_prepend(str(PACKAGING))
    monkeypatch.syspath_prepend(str(INSTALLER))
    names = ["llama_flavors", "llama_source", "llama_wheel", "offline_model",
             "linux.make_deb", "linux.make_tarball"]
    modules: dict[str, ModuleType] = {}
    for name in names:
        sys.modules.pop(name, None)
        modules[name] = importlib.import_module(name)
    yield modules
    for name in names:
        sys.modules.pop(name, None)


@pytest.fixture
def artifacts_dir() -> Path:
    """Where packaging tests leave files for a reviewer (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
