"""What the window shows before any model is loaded: the mark, a sentence, two ways on.

It reflows at any width: the text wraps inside margins and the two buttons
stack when they no longer fit side by side.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from app.ui.common.product_mark import mark_pixmap

MARK_SIZE = 72


class EmptyState(QWidget):
    """The no-model screen.

    Signals:
        import_requested(): pick a GGUF file to load.
        download_requested(): open the model download wizard.
    """

    import_requested = Signal()
    download_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addStretch(1)
        self.mark = QLabel(self)
        self.mark.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.mark.setPixmap(mark_pixmap(MARK_SIZE, self.devicePixelRatioF() or 1.0))
        layout.addWidget(self.mark)
        self.title = QLabel(self)
        self.title.setObjectName("emptyTitle")
        self.hint = QLabel(self)
        self.hint.setObjectName("emptyHint")
        for label in (self.title, self.hint):
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            # Ignored width: a long sentence never sets the window's minimum width.
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            layout.addWidget(label)
        self.buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.import_button = QPushButton(self)
        self.import_button.clicked.connect(self.import_requested)
        self.download_button = QPushButton(self)
        self.download_button.clicked.connect(self.download_requested)
        self.download_button.setDefault(True)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.import_button)
        self.buttons.addWidget(self.download_button)
        self.buttons.addStretch(1)
        layout.addLayout(self.buttons)
        layout.addStretch(2)
        self.retranslate()

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        self.title.setText(self.tr("No model yet"))
        self.hint.setText(self.tr(
            "Ponder runs a reasoning model on this computer, offline. Import a GGUF file "
            "you already have, or download DeepSeek-R1-Distill-Qwen-1.5B (about 1.1 GB)."))
        self.import_button.setText(self.tr("Import a GGUF file…"))
        self.import_button.setAccessibleName(self.tr("Import a GGUF file"))
        self.download_button.setText(self.tr("Download…"))
        self.download_button.setAccessibleName(self.tr("Download a model"))
        self.mark.setAccessibleName(self.tr("Ponder"))
        self._reflow(self.width())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._reflow(event.size().width())

    def _reflow(self, width: int) -> None:
        needed = (self.import_button.sizeHint().width() + self.download_button.sizeHint().width()
                  + self.buttons.spacing() + 48)
        direction = (QBoxLayout.Direction.TopToBottom if width < needed
                     else QBoxLayout.Direction.LeftToRight)
        if self.buttons.direction() != direction:
            self.buttons.setDirection(direction)
        # Narrow enough for the stacked buttons, not for both side by side.
        self.setMinimumWidth(max(self.import_button.sizeHint().width(),
                                 self.download_button.sizeHint().width()) + 48)
