"""Every way the window loads a model honours the settings and the saved plan.

Each path (Ctrl+O, the empty screen's import, a dropped file, the Models
page, the wizard's first answer, the last model at start) ends in the
services' ModelLoader; a recording builder sees the load parameters that
reached the backend: threads, context, GPU layers, flash attention.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from app.chat.profile import GENERIC_PROFILE, R1_PROFILE
from app.core.types import LoadParams
from app.engine.fake import FakeBackend
from app.models.catalog import load_catalog
from app.services.host import ModelHost
from app.services.loading import LoadedModel, ModelLoader, ModelSource
from app.store.chat_store import ChatStore
from app.store.settings import Settings, load_settings, save_settings
from app.ui.setup.deps import SetupDeps
from app.ui.setup.model_setup import ModelSetup
from app.ui.setup.wizard import SetupWizard
from app.ui.shell.controller import ChatController
from app.ui.shell.main_window import MainWindow
from app.ui.shell.settings_dialog import SettingsBinder
from app.ui.threads.worker import EngineClient
from tests.services.recording import RecordingBuilder
from tests.support.model_setup import fixed_probe, machine

PLANNED = Settings(n_threads=3, plan_n_ctx=3072, plan_n_gpu_layers=7, plan_quant="Q4_1")
"""The user chose 3 threads; the saved plan says 3072 tokens of context and 7 GPU layers."""


def expected(path: Path) -> LoadParams:
    return LoadParams(model_path=path, n_ctx=3072, n_threads=3, n_gpu_layers=7,
                      flash_attn=True)


class Window:
    """A window whose engine worker's host loads through a recording builder."""

    def __init__(self, qtbot: QtBot, tmp_path: Path) -> None:
        self.builder = RecordingBuilder()
        self.store = ChatStore(tmp_path / "chats.sqlite3")
        self.window = MainWindow()
        self.client = EngineClient(self.window, batch_interval_s=0.03,
                                   host=ModelHost(ModelLoader(build=self.builder)))
        self.controller = ChatController(self.store, self.client, self.window)
        self.controller.show_dialogs = False
        self.errors: list[str] = []
        self.controller.error_shown.connect(self.errors.append)
        self.deps = SetupDeps(models_dir=tmp_path / "models", catalog=load_catalog(),
                              mirrors=[], probe=fixed_probe(machine()),
                              gpu_offload=lambda: False, build=self.builder,
                              speed_seconds=0.0)
        self.setup = ModelSetup(self.window, self.controller, deps=lambda: self.deps)
        qtbot.addWidget(self.window)
        self.window.show()
        self.qtbot = qtbot

    def loads_with(self, action: object) -> LoadParams:
        """Run `action` and wait for the model; the parameters of the load."""
        before = len(self.builder.calls)
        with self.qtbot.waitSignal(self.controller.model_changed, timeout=10000):
            action()  # type: ignore[operator]
        assert len(self.builder.calls) == before + 1
        return self.builder.calls[-1]

    def close(self) -> None:
        self.client.shutdown()
        self.window.close()
        self.store.close()


@pytest.fixture
def win(qtbot: QtBot, tmp_path: Path) -> Iterator[Window]:
    save_settings(PLANNED)
    w = Window(qtbot, tmp_path)
    yield w
    w.close()


@pytest.fixture
def model(tmp_path: Path, smollm2_path: Path) -> Path:
    """A real GGUF (its header gives the layer count) the recording builder 'loads'."""
    target = tmp_path / "picked" / "SmolLM2.gguf"
    target.parent.mkdir()
    shutil.copyfile(smollm2_path, target)
    return target


def pick_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *_a, **_k: (str(path), "GGUF models (*.gguf)")))


def test_ctrl_o_loads_with_the_plan_and_the_settings(
        win: Window, model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pick_file(monkeypatch, model)
    assert win.window.open_model_action.shortcut().toString() == "Ctrl+O"
    assert win.loads_with(win.window.open_model_action.trigger) == expected(model)
    assert win.window.status.backend_label.text() == "on this computer (fake)"
    # remembered for the next start
    assert load_settings().last_model == str(model.resolve())


def test_empty_screen_import_loads_with_the_plan_and_the_settings(
        win: Window, model: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> None:
    pick_file(monkeypatch, model)
    assert win.window.stack.currentWidget() is win.window.empty_state
    params = win.loads_with(lambda: qtbot.mouseClick(win.window.empty_state.import_button,
                                                     Qt.MouseButton.LeftButton))
    assert params == expected(model)
    assert win.window.stack.currentWidget() is win.window.chat_view


def _drop(window: MainWindow, path: Path) -> tuple[bool, bool]:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    where = QPointF(200, 200)
    enter = QDragEnterEvent(where.toPoint(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    drop = QDropEvent(where, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    return enter.isAccepted(), drop.isAccepted()


def test_dropping_a_gguf_file_loads_it_and_another_file_is_refused_clearly(
        win: Window, model: Path, tmp_path: Path, qtbot: QtBot) -> None:
    assert win.window.acceptDrops()
    notes = tmp_path / "notes.txt"
    notes.write_text("not a model")
    assert _drop(win.window, notes) == (True, True)
    assert win.errors == ["notes.txt is not a model file. Ponder opens GGUF models (files "
                          "ending in .gguf)."]
    assert win.builder.calls == []
    params = win.loads_with(lambda: _drop(win.window, model))
    assert params == expected(model)


def test_models_page_switch_loads_with_the_plan_and_the_settings(
        win: Window, smollm2_path: Path) -> None:
    win.deps.models_dir.mkdir(parents=True)
    installed = win.deps.models_dir / "SmolLM2-135M-Instruct.Q4_1.gguf"
    shutil.copyfile(smollm2_path, installed)
    page = win.setup.open_models_page()
    page.select(installed.name)
    assert win.loads_with(page.use_selected) == expected(installed)
    assert win.setup.loaded_path == installed
    page.close()


def test_last_model_is_reopened_at_start_with_the_plan_and_the_settings(
        qtbot: QtBot, tmp_path: Path, model: Path) -> None:
    save_settings(Settings(**{**PLANNED.__dict__, "last_model": str(model)}))
    w = Window(qtbot, tmp_path)
    try:
        assert w.loads_with(w.setup.start) == expected(model)
    finally:
        w.close()


def test_wizard_first_answer_loads_with_the_plan_it_saved(
        qtbot: QtBot, tmp_path: Path, model: Path) -> None:
    save_settings(Settings(n_threads=2))
    w = Window(qtbot, tmp_path)
    try:
        wizard = w.setup.open_wizard()
        page = wizard.hardware_page
        qtbot.waitUntil(lambda: page.recommendation is not None, timeout=10000)
        plan = page.recommendation.plan  # type: ignore[union-attr]
        saved = load_settings()
        assert (saved.plan_n_ctx, saved.plan_n_gpu_layers, saved.plan_quant) == \
            (plan.n_ctx, plan.n_gpu_layers, plan.quant)
        trial = wizard.trial_page
        trial.model_path = model
        with qtbot.waitSignal(trial.trial_ended, timeout=20000):
            trial.initializePage()
        assert trial.result is not None and trial.result.answer == "ok"
        assert w.builder.calls == [LoadParams(model_path=model, n_ctx=plan.n_ctx, n_threads=2,
                                              n_gpu_layers=plan.n_gpu_layers,
                                              flash_attn=True)]
        wizard.reject()
    finally:
        w.close()


def _first_answer(w: Window, qtbot: QtBot, model: Path) -> SetupWizard:
    """Open the wizard and run its first answer on `model`; the wizard."""
    wizard = w.setup.open_wizard()
    qtbot.waitUntil(lambda: wizard.hardware_page.recommendation is not None, timeout=10000)
    wizard.model_page.model_path = model  # as after the download or the import
    trial = wizard.trial_page
    trial.model_path = model
    with qtbot.waitSignal(trial.trial_ended, timeout=20000):
        trial.initializePage()
    assert trial.result is not None and trial.result.answer == "ok"
    return wizard


def test_the_first_answers_model_is_handed_to_the_window_not_loaded_again(
        qtbot: QtBot, tmp_path: Path, model: Path) -> None:
    save_settings(Settings(n_threads=2))
    w = Window(qtbot, tmp_path)
    try:
        wizard = _first_answer(w, qtbot, model)
        assert len(w.builder.calls) == 1
        with qtbot.waitSignal(w.controller.model_changed, timeout=10000):
            wizard.accept()  # Finish
        assert len(w.builder.calls) == 1  # one load in all: the window adopted it
        loaded = w.client.loaded
        assert loaded is not None and loaded.source.path == model
        assert isinstance(loaded.backend, FakeBackend) and not loaded.backend.is_closed
        assert w.setup.loaded_path == model
        assert load_settings().last_model == str(model.resolve())
    finally:
        w.close()


def test_a_cancelled_wizard_closes_the_first_answers_model(
        qtbot: QtBot, tmp_path: Path, model: Path) -> None:
    w = Window(qtbot, tmp_path)
    try:
        wizard = _first_answer(w, qtbot, model)
        handover = wizard.trial_page.handover
        assert handover is not None
        kept = handover.take()
        assert kept is not None and isinstance(kept.backend, FakeBackend)
        handover.keep(kept)
        wizard.reject()
        assert kept.backend.is_closed and w.client.loaded is None
        assert len(w.builder.calls) == 1
    finally:
        w.close()


def test_the_window_samples_with_the_model_familys_profile_and_the_chats_overrides(
        win: Window, qtbot: QtBot) -> None:
    binder = SettingsBinder(Settings())
    binder.attach(win.controller, win.window)
    r1 = FakeBackend(answer="ok")
    r1.profile = R1_PROFILE  # type: ignore[attr-defined]
    with qtbot.waitSignal(win.controller.model_changed, timeout=5000):
        win.controller.load_model(lambda: LoadedModel(r1, ModelSource()))
    options = binder.generate_options()
    assert (options.sampling.temperature, options.sampling.top_p) == (0.6, 0.95)
    cid = win.controller.new_conversation()
    win.store.set_conversation_settings(cid, {"overrides": {"temperature": 0.3}})
    options = binder.generate_options()
    assert (options.sampling.temperature, options.sampling.top_p) == (0.3, 0.95)
    with qtbot.waitSignal(win.controller.model_changed, timeout=5000):
        win.controller.load_model(lambda: LoadedModel(FakeBackend(answer="ok"), ModelSource()))
    win.store.set_conversation_settings(cid, {})
    generic = GENERIC_PROFILE.default_sampling
    options = binder.generate_options()
    assert (options.sampling.temperature, options.sampling.top_p) == \
        (generic.temperature, generic.top_p)
