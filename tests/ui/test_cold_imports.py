"""Nothing heavy is imported before the window first paints.

The app is started the way `ponder` starts it (app.cli.main with no command)
in a fresh process on the offscreen platform; an application-wide event filter
writes sys.modules to a file at the first paint of any widget of the main
window, and the process ends there. Heavy modules (the hub client, llama.cpp,
numeric and server libraries, the template engine) must not be loaded by then:
they belong to a download, a model load or the API server, which all start
after the window is on screen.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

HEAVY = ("huggingface_hub", "llama_cpp", "numpy", "sympy", "jinja2", "gguf", "keyring",
         "fastapi", "starlette", "uvicorn", "math_verify")

# The child: the real start path, plus a probe at the main window's first paint.
PROBE = r"""
import json, os, sys
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
    Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
app = QApplication(["ponder"])  # app.ui.main.make_app adopts it
app.setApplicationName("Ponder")
app.setOrganizationName("Ponder")


class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if (event.type() == QEvent.Type.Paint and isinstance(obj, QWidget)
                and isinstance(obj.window(), QMainWindow)):
            with open(sys.argv[1], "w", encoding="utf-8") as out:
                json.dump({"modules": sorted(sys.modules), "painted": type(obj).__name__,
                           "window": type(obj.window()).__name__}, out)
            os._exit(0)
        return False


probe = FirstPaint()
app.installEventFilter(probe)
from app.cli import main

main([])
sys.exit("the window closed without painting")
"""


def heavy_modules(modules: list[str]) -> list[str]:
    """The HEAVY packages among `modules` (a submodule counts for its package)."""
    loaded = set(modules)
    return [h for h in HEAVY if h in loaded or any(m.startswith(h + ".") for m in loaded)]


def _modules_at_first_paint(home: Path, tmp_path: Path) -> dict[str, object]:
    out = tmp_path / "modules.json"
    env = dict(os.environ, PONDER_HOME=str(home), QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", PROBE, str(out)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0 and out.exists(), result.stdout + result.stderr
    data: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return data


def _check(data: dict[str, object]) -> None:
    modules = data["modules"]
    assert isinstance(modules, list)
    # The probe saw the real window, built by the real start path.
    assert data["window"] == "MainWindow"
    assert {"app.cli", "app.ui.main", "app.ui.shell.main_window", "PySide6.QtWidgets"} \
        <= set(modules)
    assert heavy_modules(modules) == []


def test_first_run_imports_nothing_heavy_before_first_paint(ponder_home: Path,
                                                            tmp_path: Path) -> None:
    """A fresh home: the wizard's download code must not load the hub client early."""
    _check(_modules_at_first_paint(ponder_home, tmp_path))


def test_start_with_a_model_imports_nothing_heavy_before_first_paint(
    ponder_home: Path, tmp_path: Path, smollm2_path: Path
) -> None:
    """An installed model: its load (llama_cpp, jinja2) starts after the first paint."""
    models = ponder_home / "models"
    models.mkdir(parents=True)
    target = models / smollm2_path.name
    try:
        os.link(smollm2_path, target)
    except OSError:
        shutil.copyfile(smollm2_path, target)
    for _ in range(3):  # the load runs on another thread: a race would show up in a few runs
        _check(_modules_at_first_paint(ponder_home, tmp_path))


@pytest.mark.parametrize(("modules", "expected"), [
    (["json", "PySide6.QtCore"], []),
    (["jinja2.sandbox"], ["jinja2"]),
    (["llama_cpp", "llama_cpp.llama", "numpy"], ["llama_cpp", "numpy"]),
    (["numpy_financial", "gguf_tools"], []),
])
def test_heavy_modules_are_recognised(modules: list[str], expected: list[str]) -> None:
    assert heavy_modules(modules) == expected
