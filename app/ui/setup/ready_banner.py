"""The wizard's "ready" step: the product mark, the model that answered, what comes next."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.ui.common import theme
from app.ui.common.i18n import fill
from app.ui.common.product_mark import mark_pixmap

MARK_SIZE = 48
"""The product mark's side in logical pixels."""


class ReadyBanner(QFrame):
    """A card: the mark beside "Ponder is ready" and a line naming the model and where it runs.

    Hidden until `show_ready` is called with the model that answered.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readyBanner")
        self._model = ""
        self._backend = ""
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 12, 14, 12)
        row.setSpacing(14)
        self.mark = QLabel(self)
        self.mark.setPixmap(mark_pixmap(MARK_SIZE, self.devicePixelRatioF() or 1.0))
        row.addWidget(self.mark, 0, Qt.AlignmentFlag.AlignTop)
        column = QVBoxLayout()
        column.setSpacing(2)
        self.headline = QLabel(self)
        self.headline.setObjectName("emptyTitle")
        self.line = QLabel(self)
        self.line.setWordWrap(True)
        column.addWidget(self.headline)
        column.addWidget(self.line)
        row.addLayout(column, 1)
        self.hide()
        self.retranslate()

    def show_ready(self, model: str, backend: str) -> None:
        """Say that `model` answered on this computer through `backend`, and show."""
        self._model, self._backend = model, backend
        colors = theme.current()
        self.setStyleSheet(f"QFrame#readyBanner {{ background: {colors.user_bubble}; "
                           f"border: 1px solid {colors.border}; border-radius: 10px; }}")
        self.retranslate()
        self.show()

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        self.headline.setText(QCoreApplication.translate("ReadyBanner", "Ponder is ready"))
        self.line.setText(fill(QCoreApplication.translate(
            "ReadyBanner", "%1 answered on this computer (%2). Press Start chatting to begin."),
            self._model, self._backend))
        self.mark.setAccessibleName(QCoreApplication.translate("ReadyBanner", "Ponder"))
        self.setAccessibleName(self.headline.text())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
