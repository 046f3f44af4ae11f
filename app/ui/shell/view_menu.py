"""The View menu: larger, smaller and default text size (Ctrl+= / Ctrl+- / Ctrl+0)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu


class ViewMenu(QObject):
    """The text size actions; what a step does is the listener's business.

    Signals:
        zoom_requested(int): +1 larger, -1 smaller, 0 back to the default size.
    """

    zoom_requested = Signal(int)

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.menu = QMenu(window)
        self.larger_action = QAction(window)
        self.larger_action.setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
        self.larger_action.triggered.connect(self._on_larger_action_triggered)
        self.smaller_action = QAction(window)
        self.smaller_action.setShortcut(QKeySequence("Ctrl+-"))
        self.smaller_action.triggered.connect(self._on_smaller_action_triggered)
        self.reset_action = QAction(window)
        self.reset_action.setShortcut(QKeySequence("Ctrl+0"))
        self.reset_action.triggered.connect(self._on_reset_action_triggered)
        for action in (self.larger_action, self.smaller_action, self.reset_action):
            self.menu.addAction(action)
        window.installEventFilter(self)
        self.retranslate()

    @classmethod
    def install(cls, window: QMainWindow, before: QMenu | None = None) -> ViewMenu:
        """Add the View menu to `window`'s menu bar (in front of `before`, else at the end)."""
        view = cls(window)
        if before is not None:
            window.menuBar().insertMenu(before.menuAction(), view.menu)
        else:
            window.menuBar().addMenu(view.menu)
        return view

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        self.menu.setTitle(self.tr("&View"))
        self.larger_action.setText(self.tr("Larger text"))
        self.smaller_action.setText(self.tr("Smaller text"))
        self.reset_action.setText(self.tr("Default text size"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return False

    def _on_larger_action_triggered(self) -> None:
        self.zoom_requested.emit(1)

    def _on_smaller_action_triggered(self) -> None:
        self.zoom_requested.emit(-1)

    def _on_reset_action_triggered(self) -> None:
        self.zoom_requested.emit(0)
