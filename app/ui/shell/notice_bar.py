"""Notices above the conversation: a sentence, a few action buttons, a close button.

Used for the faults met at start (a damaged chat database, a read-only data
folder, a missing model file, damaged settings) and for anything else the
user should read without a modal dialog in the way.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

Action = tuple[str, Callable[[], None]]
"""A button's text and what it does."""


class Notice(QFrame):
    """One notice.

    Signals:
        dismissed(): the user closed it (or an action closed it).
    """

    dismissed = Signal()

    def __init__(self, text: str, actions: list[Action], parent: QWidget | None = None,
                 *, is_warning: bool = True, name: str = "") -> None:
        super().__init__(parent)
        self.setObjectName(name or "notice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        color = "#fdf1dc" if is_warning else "#e8f1fb"
        border = "#e0b04a" if is_warning else "#8fb5e0"
        self.setStyleSheet(f"Notice {{ background: {color}; border: 1px solid {border}; "
                           "border-radius: 6px; } QLabel { color: #222; }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel(text, self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.buttons: list[QPushButton] = []
        for caption, callback in actions:
            button = QPushButton(caption, self)
            button.clicked.connect(callback)
            layout.addWidget(button)
            self.buttons.append(button)
        self.close_button = QPushButton("×", self)
        self.close_button.setFlat(True)
        self.close_button.setFixedWidth(28)
        self.close_button.setAccessibleName(self.tr("Close this notice"))
        self.close_button.clicked.connect(self.dismiss)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.setAccessibleName(text)

    @property
    def text(self) -> str:
        return self.label.text()

    def dismiss(self) -> None:
        """Remove the notice."""
        self.hide()
        self.dismissed.emit()
        self.deleteLater()


class NoticeArea(QWidget):
    """A column of notices; empty (and taking no space) when there are none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(12, 6, 12, 0)
        self._layout.setSpacing(6)
        self.notices: list[Notice] = []
        self.setVisible(False)

    def add(self, text: str, actions: list[Action] | None = None, *,
            is_warning: bool = True, name: str = "") -> Notice:
        """Show a notice; returns it (its buttons are in `buttons`)."""
        notice = Notice(text, actions or [], self, is_warning=is_warning, name=name)
        notice.dismissed.connect(lambda n=notice: self._forget(n))
        self._layout.addWidget(notice)
        self.notices.append(notice)
        self.setVisible(True)
        return notice

    def named(self, name: str) -> Notice | None:
        """The notice shown under `name`, if any."""
        return next((n for n in self.notices if n.objectName() == name), None)

    def _forget(self, notice: Notice) -> None:
        if notice in self.notices:
            self.notices.remove(notice)
        self.setVisible(bool(self.notices))
