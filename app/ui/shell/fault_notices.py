"""The faults met at start, told in the window with what the user can do.

- A damaged chat database: the store moved it aside and started a fresh one
  (app.store.recovery); say where the old file is and what was recovered.
- A read-only data folder: the history opens for reading; every writing
  action is turned off and says why.
- The model file gone (moved or deleted while Ponder was closed): say so,
  offer "Locate…" and "Choose another model".
- A damaged settings.json: the defaults are used; say where the old file is.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

from app.core import paths
from app.core.errors import PonderError
from app.store.recovery import DatabaseRecovery
from app.store.settings import SettingsProblem, load_settings, take_load_problem
from app.ui.common.i18n import fill
from app.ui.shell.notice_bar import Notice, NoticeArea

log = logging.getLogger(__name__)

DEFAULT_MODEL_FILE = "default-model.json"
"""The models folder's note of the default model (app.models.installed.DEFAULT_FILE)."""

translate = QCoreApplication.translate


class _Setup(Protocol):
    def import_file(self, path: Path) -> None: ...

    def open_models_page(self) -> Any: ...

    def load(self, path: Path) -> None: ...


def missing_model(models_dir: Path) -> Path | None:
    """The model Ponder would load at start when its file is gone, else None.

    The default model named in the models folder comes first, then the
    settings' last model.
    """
    try:
        data = json.loads((models_dir / DEFAULT_MODEL_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    name = data.get("file") if isinstance(data, dict) else None
    if isinstance(name, str) and name and "/" not in name and "\\" not in name:
        path = models_dir / name
        return None if path.exists() else path
    last = load_settings().last_model
    if last and not Path(last).exists():
        return Path(last)
    return None


def damaged_database_text(recovery: DatabaseRecovery) -> str:
    """The notice for a chat database that was replaced."""
    if recovery.conversations_recovered:
        saved = fill(translate(
            "FaultNotices", "%1 conversation(s) with %2 message(s) could still be read and "
            "are in the new database."),
            recovery.conversations_recovered, recovery.messages_recovered)
    else:
        saved = translate(
            "FaultNotices", "No conversations could be read from it, so the history starts "
            "empty.")
    return fill(translate(
        "FaultNotices", "The chat database was damaged and Ponder started a new one. %1 "
        "The damaged file is kept at %2."), saved, recovery.damaged_path)


def read_only_text(folder: Path) -> str:
    """The notice for a data folder that cannot be written."""
    return fill(translate(
        "FaultNotices", "Ponder cannot write to its data folder (%1), so your chats open "
        "for reading only: new chats, sending and importing are turned off. Make the folder "
        "writable (or free some space) and restart Ponder."), folder)


def settings_text(problem: SettingsProblem) -> str:
    """The notice for a settings file that could not be used."""
    if problem.backup is None:
        return fill(translate(
            "FaultNotices", "Your settings (%1) could not be read, so Ponder uses the "
            "default settings."), problem.path)
    return fill(translate(
        "FaultNotices", "Your settings (%1) could not be read, so Ponder uses the default "
        "settings. The old file is kept as %2."), problem.path, problem.backup)


def missing_model_text(path: Path) -> str:
    """The notice for a model file that is gone."""
    return fill(translate(
        "FaultNotices", "The model file %1 is not there any more (moved or deleted while "
        "Ponder was closed)."), path)


def disable_writing(window: Any, reason: str) -> None:
    """Turn off the window's writing actions; each says why."""
    for widget in (window.composer, window.sidebar.new_button):
        widget.setEnabled(False)
        widget.setToolTip(reason)
    for action in (window.new_action, window.import_action):
        action.setEnabled(False)
        action.setToolTip(reason)
        action.setStatusTip(reason)
    window.composer.input.setPlaceholderText(reason)


def _open_folder(path: Path) -> Callable[[], None]:
    def show() -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))

    return show


class FaultNotices:
    """Shows the start-up faults in `window.notices` (a NoticeArea).

    Attributes:
        locate: asks for a model file (tests replace it); None when cancelled.
    """

    def __init__(self, window: Any, setup: _Setup) -> None:
        self.window = window
        self.setup = setup
        self.area: NoticeArea = window.notices
        self.locate: Callable[[], Path | None] = self._ask_for_model

    def show_store(self, store: Any) -> None:
        """The chat database's faults (recovered, or read-only)."""
        recovery: DatabaseRecovery | None = getattr(store, "recovery", None)
        if recovery is not None:
            show = translate("FaultNotices", "Show the file")
            self.area.add(damaged_database_text(recovery),
                          [(show, _open_folder(recovery.damaged_path))],
                          name="database_damaged")
        reason: str | None = getattr(store, "read_only_reason", None)
        if reason:
            text = read_only_text(paths.data_dir())
            notice = self.area.add(text, name="read_only")
            notice.setToolTip(reason)
            disable_writing(self.window, text)

    def show_settings(self) -> None:
        """A settings.json that could not be used (kept aside by app.store.settings)."""
        problem = take_load_problem()
        if problem is not None:
            self.area.add(settings_text(problem), name="settings_damaged")

    def show_missing_model(self, models_dir: Path) -> None:
        """The default (or last) model file gone."""
        path = missing_model(models_dir)
        if path is None:
            return
        notice: list[Notice] = []

        def locate() -> None:
            found = self.locate()
            if found is not None:
                notice[0].dismiss()
                self._import_as_default(found)

        def choose() -> None:
            notice[0].dismiss()
            self.setup.open_models_page()

        notice.append(self.area.add(missing_model_text(path),
                                    [(translate("FaultNotices", "Locate…"), locate),
                                     (translate("FaultNotices", "Choose another model"), choose)],
                                    name="model_missing"))

    def _import_as_default(self, found: Path) -> None:
        """Import the located file, then make it the default and load it."""
        page = self.setup.open_models_page()

        def on_imported(path: str) -> None:
            from app.models.installed import set_default_model

            page.imported.disconnect(on_imported)
            try:
                set_default_model(Path(path).parent, Path(path))
            except PonderError as exc:
                log.warning("the located model was not made the default: %s", exc)
            self.setup.load(Path(path))

        page.imported.connect(on_imported)
        self.setup.import_file(found)

    def _ask_for_model(self) -> Path | None:
        parent = self.window if isinstance(self.window, QWidget) else None
        title = translate("FaultNotices", "Locate the model file")
        kinds = translate("FaultNotices", "GGUF models (*.gguf);;All files (*)")
        path, _ = QFileDialog.getOpenFileName(parent, title, "", kinds)
        return Path(path) if path else None


def show_start_faults(window: Any, store: Any, setup: _Setup) -> FaultNotices:
    """Tell every fault met while starting; returns the notices' owner."""
    faults = FaultNotices(window, setup)
    faults.show_store(store)
    faults.show_settings()
    try:
        faults.show_missing_model(paths.models_dir())
    except OSError as exc:  # an unreadable models folder is told when models are listed
        log.warning("checking the default model failed: %s", exc)
    return faults
