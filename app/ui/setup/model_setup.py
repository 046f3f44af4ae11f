"""Glue between the main window and the model setup: start-up load, wizard, Models page.

At start the model chosen last (a file, or a server) is loaded on the engine
worker, else the default (or only) installed model; with no model installed
the wizard opens unless the user skipped it before. Every load goes through
app.ui.shell.model_loads.ModelLoads (the settings and the saved plan, the GPU
fallback with its one-sentence reason in the status bar).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QWidget

from app.core.errors import PonderError
from app.services.loading import LoadedModel, ModelSource
from app.store.settings import load_settings
from app.ui.setup.handover import ModelHandover
from app.ui.shell.controller import ChatController
from app.ui.shell.main_window import MainWindow
from app.ui.shell.model_loads import ModelLoads

if TYPE_CHECKING:
    # The wizard, the Models page and the download code import huggingface_hub
    # (~1 s): they load when first needed, after the main window is painted.
    from app.ui.setup.deps import SetupDeps
    from app.ui.setup.models_page import ModelsPage
    from app.ui.setup.wizard import SetupWizard

log = logging.getLogger(__name__)


class ModelSetup(QObject):
    """Opens the wizard and the Models page and loads models for the main window."""

    def __init__(self, window: MainWindow, controller: ChatController,
                 deps: Callable[[], SetupDeps] | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.controller = controller
        self._deps_factory = deps
        self._deps: SetupDeps | None = None
        self.wizard: SetupWizard | None = None
        self._kept: LoadedModel | None = None
        """The wizard's first-answer model between its Finish and model_ready."""
        self.models_page: ModelsPage | None = None
        self.loads = ModelLoads(controller, self)
        """Every model load of the window goes through it."""
        window.download_requested.connect(self.open_wizard)
        models_requested = getattr(window, "models_requested", None)
        if models_requested is not None:
            models_requested.connect(self.open_models_page)
        self.loads.loaded.connect(self._on_loads_loaded)
        controller.client.load_failed.connect(self._on_client_load_failed)

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

    @property
    def loaded_path(self) -> Path | None:
        """The local model file in use, if any."""
        return self.loads.loaded_path

    def start(self) -> bool:
        """Reopen the last model, else load the default one, else open the wizard (first run).

        Returns:
            True when a model load was started.
        """
        from app.models.installed import get_default_model, list_installed

        if self.loads.load_from_settings():
            return True

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
        """Load a model file on the engine worker as the settings and the plan say."""
        self.loads.load(ModelSource(path=path))

    def open_wizard(self) -> SetupWizard:
        """Show the setup wizard (one at a time)."""
        if self.wizard is None:
            from app.ui.setup.wizard import SetupWizard

            self.wizard = SetupWizard(self.deps, self.window)
            self.wizard.trial_page.handover = ModelHandover()  # its model: not loaded twice
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

    def _on_wizard_model_ready(self, path: str) -> None:
        kept, self._kept = self._kept, None
        if kept is not None and kept.source.path == Path(path):
            self.loads.adopt(kept)  # the first answer's model, already loaded
            return
        if kept is not None:
            kept.backend.close()
        self.load(Path(path))

    def _on_wizard_finished(self, result: int) -> None:
        if self.wizard is not None:
            handover = self.wizard.trial_page.handover
            if handover is not None:
                if (result == QDialog.DialogCode.Accepted.value
                        and self.wizard.model_page.model_path is not None):
                    self._kept = handover.take()  # for model_ready, which comes next
                handover.release()
            self.wizard.deleteLater()
            self.wizard = None
        if self.models_page is not None:
            self.models_page.refresh()

    def _on_models_page_switch_requested(self, path: str) -> None:
        self.load(Path(path))

    def _on_loads_loaded(self, _source: object) -> None:
        if self.models_page is not None:
            self.models_page.set_loaded(self.loaded_path)

    def _on_client_load_failed(self, message: str) -> None:
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
