"""The offer of the demo model already on this computer (wizard model step, Models page).

Shown only when a packaged GGUF was found (app.models.demo). It says plainly
that this is not the tutor model, and it is used only when the user asks:
it is never made the default model by itself.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.models.demo import DemoModel
from app.models.download import format_bytes
from app.ui.common.i18n import fill


class DemoOffer(QFrame):
    """"A small demo model, already on this computer" with a button to use it.

    Signals:
        use_requested(str): the demo model's file, to be added and used.
    """

    use_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demoOffer")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.demo: DemoModel | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.use_button = QPushButton(self)
        self.use_button.clicked.connect(self._on_use_button_clicked)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.use_button)
        self.set_demo(None)

    def set_demo(self, demo: DemoModel | None) -> None:
        """Offer `demo` (None hides the offer)."""
        self.demo = demo
        self.setVisible(demo is not None)
        self.retranslate()

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        demo = self.demo
        if demo is not None:
            self.label.setText(fill(self.tr(
                "A small demo model, already on this computer: %1 (%2). It is not the "
                "tutor model: good for trying Ponder offline, weak at math. Nothing is "
                "downloaded."), demo.name, format_bytes(demo.size_bytes)))
        self.use_button.setText(self.tr("Use the demo model"))
        self.use_button.setAccessibleName(self.tr("Use the small demo model"))
        self.label.setAccessibleName(self.tr("Demo model"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _on_use_button_clicked(self) -> None:
        if self.demo is not None:
            self.use_requested.emit(str(self.demo.path))
