"""The Help menu: About Ponder, Open logs folder, Copy diagnostics.

Added to a window's menu bar by `HelpMenu.install`; the model in use comes
from a callable, so the menu needs nothing else from the window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import PySide6
from PySide6.QtCore import QEvent, QObject, Qt, QUrl, qVersion
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMainWindow, QMenu

from app.core import paths
from app.hardware.types import HardwareReport
from app.services.diagnostics import DiagnosticsInput, diagnostics_report
from app.ui.shell.about_dialog import AboutDialog, LoadedModel

log = logging.getLogger(__name__)

ModelInfo = Callable[[], LoadedModel]
HardwareInfo = Callable[[], HardwareReport | None]


class HelpMenu(QObject):
    """The Help menu's actions and what they do.

    Attributes:
        model_info: tells which model is in use (the app sets it once the
            controller exists; until then: none).
        hardware_info: the last hardware probe, if any.
        open_url: how the logs folder is opened (tests replace it).
        last_report: the diagnostics text last copied (tests read it).
        about: the About dialog while it is open.
    """

    def __init__(self, window: QMainWindow, model_info: ModelInfo,
                 hardware_info: HardwareInfo | None = None) -> None:
        super().__init__(window)
        self._window = window
        self.model_info = model_info
        self.hardware_info = hardware_info
        self.open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl
        self.last_report = ""
        self.about: AboutDialog | None = None
        self.menu = QMenu(window)
        self.about_action = QAction(window)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        self.logs_action = QAction(window)
        self.logs_action.triggered.connect(self.open_logs_folder)
        self.diagnostics_action = QAction(window)
        self.diagnostics_action.triggered.connect(self.copy_diagnostics)
        self.menu.addAction(self.logs_action)
        self.menu.addAction(self.diagnostics_action)
        self.menu.addSeparator()
        self.menu.addAction(self.about_action)
        window.installEventFilter(self)
        self.retranslate()

    @classmethod
    def install(cls, window: QMainWindow, model_info: ModelInfo,
                hardware_info: HardwareInfo | None = None) -> HelpMenu:
        """Add the Help menu at the end of `window`'s menu bar."""
        menu = cls(window, model_info, hardware_info)
        window.menuBar().addMenu(menu.menu)
        return menu

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        self.menu.setTitle(self.tr("&Help"))
        self.about_action.setText(self.tr("About Ponder…"))
        self.logs_action.setText(self.tr("Open logs folder"))
        self.diagnostics_action.setText(self.tr("Copy diagnostics"))
        self.diagnostics_action.setToolTip(self.tr(
            "Copy versions, hardware and the last errors (nothing personal) to paste into a "
            "bug report"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Qt may call this while Python has no attributes on the menu (before
        # __init__ set them, or at teardown when a collected cycle cleared them).
        if (event.type() == QEvent.Type.LanguageChange
                and watched is getattr(self, "_window", None)):
            self.retranslate()
        return False

    def show_about(self) -> AboutDialog:
        """Open the About dialog (modal; focus returns to the window after)."""
        dialog = AboutDialog(self.model_info(), self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._on_about_finished)
        self.about = dialog
        dialog.open()
        return dialog

    def open_logs_folder(self) -> bool:
        """Show the folder with ponder.log in the file manager."""
        try:
            folder = paths.ensure_dir(paths.logs_dir())
        except OSError as exc:
            log.warning("logs folder unavailable: %s", exc)
            self._say(self.tr("The logs folder cannot be created here."))
            return False
        if not self.open_url(QUrl.fromLocalFile(str(folder))):
            self._say(self.tr("No file manager could open the logs folder."))
            return False
        return True

    def copy_diagnostics(self) -> str:
        """Put the diagnostics report on the clipboard; nothing is sent anywhere."""
        model = self.model_info()
        given = DiagnosticsInput(
            toolkit=(("Qt", qVersion()), ("PySide6", PySide6.__version__)),
            model_name=model.name,
            model_backend=model.backend,
            hardware=self.hardware_info() if self.hardware_info else None,
        )
        self.last_report = diagnostics_report(given)
        QGuiApplication.clipboard().setText(self.last_report)
        self._say(self.tr("Diagnostics copied. Paste them into your bug report."))
        return self.last_report

    def _say(self, text: str) -> None:
        bar = self._window.statusBar()
        if bar is not None:
            bar.showMessage(text, 6000)

    def _on_about_finished(self, _result: int) -> None:
        self.about = None
        self._window.activateWindow()


def model_in_use(controller: object, setup: object) -> LoadedModel:
    """The loaded model as the controller and the model setup know it."""
    info = getattr(controller, "backend_info", None)
    name = str(getattr(info, "model_name", "") or "")
    if not name:
        return LoadedModel()
    path = getattr(setup, "loaded_path", None)
    return LoadedModel(name=name, path=path if isinstance(path, Path) else None,
                       backend=str(getattr(info, "backend", "") or ""))
