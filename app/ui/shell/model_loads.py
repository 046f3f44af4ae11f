"""Every way the window loads a model, through the engine worker's ModelHost.

File → Open GGUF (Ctrl+O), the empty screen's "Import a GGUF file…", a
.gguf file dropped on the window, the Models page, the wizard's finish, the
Settings → Model page and the model reopened at start all end in `load`: the
worker's host loads it with app.services.loading (the user's settings, then
the saved plan, then defaults; the GPU fallback with its one-sentence
reason). What loaded is remembered as the choice for the next start.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Signal, SignalInstance
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from app.core.errors import PonderError
from app.core.types import BackendInfo
from app.services.loading import LoadedModel, ModelSource
from app.services.model_choice import remember_loaded, source_from_settings
from app.store.settings import Settings, load_settings
from app.ui.common.i18n import fill
from app.ui.shell.controller import ChatController

log = logging.getLogger(__name__)

MODEL_SUFFIX = ".gguf"

KEPT_ON_DISK = ("backend", "last_model", "remote_url", "remote_model", "remote_api_key",
                "plan_quant", "plan_n_gpu_layers", "plan_n_ctx", "plan_reason", "setup_skipped")
"""Settings the window and the wizard write to the file themselves (not through the dialog)."""


class SettingsHolder(Protocol):
    """The settings binder as ModelLoads sees it (app.ui.shell.settings_dialog)."""

    settings: Settings

    @property
    def changed(self) -> SignalInstance: ...


class ModelLoads(QObject):
    """Loads models for the window and keeps track of which one is in use.

    Signals:
        loaded(object): the ModelSource now in use (after model_changed).
    """

    loaded = Signal(object)

    def __init__(self, controller: ChatController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.window = controller.window
        self.client = controller.client
        self.loading: ModelSource | None = None
        """The model being loaded, if any."""
        self.current: ModelSource | None = None
        """The model in use, if any."""
        self._holder: SettingsHolder | None = None
        self.window.open_model_requested.connect(self._on_window_open_model_requested)
        self.window.setAcceptDrops(True)
        self.window.installEventFilter(self)
        self.client.model_loaded.connect(self._on_client_model_loaded)
        self.client.load_failed.connect(self._on_client_load_failed)
        self.client.fallback_noted.connect(self._on_client_fallback_noted)

    def load(self, source: ModelSource, settings: Settings | None = None) -> None:
        """Load `source` on the engine worker as the settings and the plan say."""
        self.loading = source
        self.window.status.showMessage(fill(self.tr("Loading %1…"), source.label))
        self.client.load(source, settings if settings is not None else load_settings())

    def adopt(self, loaded: LoadedModel) -> None:
        """Use a model loaded elsewhere (the wizard's first answer) without loading it again."""
        self.loading = loaded.source
        self.window.status.showMessage(fill(self.tr("Loading %1…"), loaded.source.label))
        self.client.adopt(lambda: loaded)

    def open_file(self, path: str | Path) -> bool:
        """Load a GGUF file the user picked or dropped; False (and a message) if it is not one."""
        file = Path(path)
        if file.suffix.lower() != MODEL_SUFFIX:
            self.controller.show_error(fill(
                self.tr("%1 is not a model file. Ponder opens GGUF models (files ending "
                        "in .gguf)."), file.name))
            return False
        if not file.is_file():
            self.controller.show_error(fill(self.tr("%1 was not found."), str(file)))
            return False
        self.load(ModelSource(path=file))
        return True

    def load_from_settings(self, settings: Settings | None = None) -> bool:
        """Load the model the settings choose (the server's, or the last file); False if none."""
        source = source_from_settings(settings if settings is not None else load_settings())
        if source is None:
            return False
        self.load(source, settings)
        return True

    def follow(self, holder: SettingsHolder) -> None:
        """Load the model the settings dialog chooses, and keep `holder` in step with the file.

        The window remembers the model it loaded and the wizard saves the plan
        straight to the settings file; `holder.settings` takes those fields
        over after each load, so saving the dialog later does not undo them.
        """
        self._holder = holder
        holder.changed.connect(self._on_holder_changed)

    def _on_holder_changed(self, settings: object) -> None:
        if not isinstance(settings, Settings):
            return
        source = source_from_settings(settings)
        if source is not None and not _same_model(source, self.loading or self.current):
            self.load(source, settings)

    def _sync_holder(self) -> None:
        if self._holder is not None:
            disk = load_settings()
            self._holder.settings = dataclasses.replace(
                self._holder.settings, **{k: getattr(disk, k) for k in KEPT_ON_DISK})

    @property
    def loaded_path(self) -> Path | None:
        """The local file in use, if any."""
        current = self.current
        return current.path if current is not None and not current.is_remote else None

    # ------------------------------------------------------------------ drops

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QDragEnterEvent) and event.mimeData().hasUrls():
            event.acceptProposedAction()
            return True
        if isinstance(event, QDropEvent) and event.mimeData().hasUrls():
            files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
            event.acceptProposedAction()
            if files:
                self.open_file(files[0])
            else:
                self.controller.show_error(self.tr(
                    "Only files on this computer can be dropped here: a GGUF model file."))
            return True
        return super().eventFilter(watched, event)

    # ---------------------------------------------------------------- answers

    def _on_window_open_model_requested(self, path: str) -> None:
        self.open_file(path)

    def _on_client_model_loaded(self, info: object) -> None:
        source, self.loading = self.loading, None
        if not isinstance(info, BackendInfo) or source is None:
            return
        self.current = source
        self.window.status.set_server(source.remote_url if source.is_remote else "")
        try:
            remember_loaded(source)
        except PonderError as exc:
            log.warning("could not remember the model: %s", exc)
        self._sync_holder()
        self.loaded.emit(source)

    def _on_client_load_failed(self, _message: str) -> None:
        self.loading = None
        self.current = None
        self.window.status.set_server("")

    def _on_client_fallback_noted(self, reason: str) -> None:
        self.window.status.showMessage(reason, 15000)


def _same_model(a: ModelSource, b: ModelSource | None) -> bool:
    """Whether two sources name the same file or the same server model."""
    if b is None or a.is_remote != b.is_remote:
        return False
    if a.is_remote:
        return (a.remote_url, a.remote_model) == (b.remote_url, b.remote_model)
    return a.path is not None and b.path is not None and a.path.resolve() == b.path.resolve()
