"""Glue between the main window and the model setup: start-up load, wizard, Models page.

At start the default (or only) installed model is loaded on the engine
worker; with no model installed the wizard opens unless the user skipped it
before. Loads go through the GPU fallback (fewer layers, then the CPU) and
the status bar says why when it falls back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from app.core.errors import PonderError
from app.core.types import BackendInfo
from app.hardware.fallback import LoadAttempt
from app.services.loading import load_params
from app.store.settings import load_settings
from app.ui.common.i18n import fill
from app.ui.shell.controller import ChatController
from app.ui.shell.main_window import MainWindow

if TYPE_CHECKING:
    # The wizard, the Models page and the download code import huggingface_hub
    # (~1 s): they load when first needed, after the main window is painted.
    from app.ui.setup.deps import SetupDeps
    from app.ui.setup.models_page import ModelsPage
    from app.ui.setup.wizard import SetupWizard

log = logging.getLogger(__name__)


class ModelSetup(QObject):
    """Opens the wizard and the Models page and loads models for the main window.

    Signals:
        fallback_noted(str): a GPU load failed and a smaller one is tried
            (emitted on the worker thread, delivered on the GUI thread).
    """

    fallback_noted = Signal(str)

    def __init__(self, window: MainWindow, controller: ChatController,
                 deps: Callable[[], SetupDeps] | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.controller = controller
        self._deps_factory = deps
        self._deps: SetupDeps | None = None
        self.wizard: SetupWizard | None = None
        self.models_page: ModelsPage | None = None
        self.loading_path: Path | None = None
        self.loaded_path: Path | None = None
        window.download_requested.connect(self.open_wizard)
        models_requested = getattr(window, "models_requested", None)
        if models_requested is not None:
            models_requested.connect(self.open_models_page)
        controller.model_changed.connect(self._on_controller_model_changed)
        controller.client.load_failed.connect(self._on_client_load_failed)
        self.fallback_noted.connect(self._on_fallback_noted)

    @property
    def deps(self) -> SetupDeps:
        """Folders, catalog and mirrors (read the first time they are needed)."""
        if self._deps is None:
            if self._deps_factory is None:
                from app.ui.setup.deps import SetupDeps

                self._deps = SetupDeps.default()
            else:
                self._deps = self._deps_factory()
        return self._deps

    def start(self) -> bool:
        """Load the default model, or open the wizard on a first run.

        Returns:
            True when a model load was started.
        """
        from app.models.installed import get_default_model, list_installed

        folder = self.deps.models_dir
        usable = [m for m in list_installed(folder) if m.is_usable]
        default = get_default_model(folder)
        chosen = next((m.path for m in usable if default is not None and m.path == default),
                      usable[0].path if usable else None)
        if chosen is not None:
            self.load(chosen)
            return True
        if not load_settings().setup_skipped:
            self.open_wizard()
        return False

    def load(self, path: Path) -> None:
        """Load a model on the engine worker with the settings' context and GPU layers."""
        from app.ui.threads.model_tasks import fallback_factory

        # The fallback chain (fewer layers, then the CPU) covers a build without GPU
        # offload, so "all layers" is asked for rather than importing llama_cpp here.
        params = load_params(path, load_settings(), gpu_offload=lambda: True)
        self.loading_path = path
        self.controller.load_model(fallback_factory(params, self._note_fallback,
                                                    self.deps.build))

    def open_wizard(self) -> SetupWizard:
        """Show the setup wizard (one at a time)."""
        if self.wizard is None:
            from app.ui.setup.wizard import SetupWizard

            self.wizard = SetupWizard(self.deps, self.window)
            self.wizard.model_ready.connect(self._on_wizard_model_ready)
            self.wizard.finished.connect(self._on_wizard_finished)
        self.wizard.show()
        _bring_to_front(self.wizard)
        return self.wizard

    def open_models_page(self) -> ModelsPage:
        """Show the Models page."""
        if self.models_page is None:
            from app.ui.setup.models_page import ModelsPage

            self.models_page = ModelsPage(self.deps.models_dir, self.deps.catalog, self.window,
                                          demo_models=self.deps.demo_models)
            self.models_page.switch_requested.connect(self._on_models_page_switch_requested)
            self.models_page.setup_requested.connect(self.open_wizard)
        self.models_page.set_loaded(self.loaded_path)
        self.models_page.show()
        _bring_to_front(self.models_page)
        return self.models_page

    def import_file(self, path: Path) -> None:
        """Open the Models page and import `path` there (`ponder FILE.gguf`)."""
        self.open_models_page().import_file(path)

    def _note_fallback(self, failed: LoadAttempt, nxt: LoadAttempt, reason: str) -> None:
        # Runs on the engine worker's thread: only emit.
        if nxt.is_cpu_only:
            text = fill(self.tr("The GPU could not load the model (%1); using the CPU "
                                "instead, which is slower."), reason)
        else:
            text = fill(self.tr("The GPU could not load the model with all layers (%1); "
                                "trying %2 layers."), reason, nxt.offloaded)
        self.fallback_noted.emit(text)

    def _on_fallback_noted(self, text: str) -> None:
        self.window.status.showMessage(text, 15000)

    def _on_wizard_model_ready(self, path: str) -> None:
        self.load(Path(path))

    def _on_wizard_finished(self, _result: int) -> None:
        if self.wizard is not None:
            self.wizard.deleteLater()
            self.wizard = None
        if self.models_page is not None:
            self.models_page.refresh()

    def _on_models_page_switch_requested(self, path: str) -> None:
        self.load(Path(path))

    def _on_controller_model_changed(self, info: object) -> None:
        if isinstance(info, BackendInfo):
            self.loaded_path = self.loading_path
            if self.models_page is not None:
                self.models_page.set_loaded(self.loaded_path)

    def _on_client_load_failed(self, message: str) -> None:
        self.loading_path = None
        if self.models_page is not None:
            self.models_page.show_load_error(message)


def _bring_to_front(widget: QWidget) -> None:
    # The offscreen platform (tests, screenshots) cannot raise windows and warns.
    if QGuiApplication.platformName() != "offscreen":
        widget.raise_()
        widget.activateWindow()


def safe_start(setup: ModelSetup) -> None:
    """`setup.start()` that logs instead of crashing the start-up (e.g. a damaged catalog)."""
    try:
        setup.start()
    except PonderError as exc:
        log.warning("model setup at start failed: %s", exc)
        setup.window.status.showMessage(str(exc), 15000)
