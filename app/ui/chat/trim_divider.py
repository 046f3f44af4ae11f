"""The divider the chat view shows where the model's view of the conversation begins.

When a conversation no longer fits the context, the oldest turns are left
out of the prompt (app.chat.trim). The divider sits right above the first
message that is still sent, so the user sees where the model stops reading.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from app.ui.common.i18n import fill


class TrimDivider(QFrame):
    """A thin line with a short sentence: "earlier messages are not sent"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trimDivider")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        self._lines: list[QFrame] = []
        self.label = QLabel(self)
        self.label.setObjectName("noticeLabel")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for index in range(2):
            line = QFrame(self)
            line.setFrameShape(QFrame.Shape.HLine)
            line.setFrameShadow(QFrame.Shadow.Plain)
            self._lines.append(line)
            layout.addWidget(line, 1)
            if index == 0:
                layout.addWidget(self.label, 0)
        self.dropped = 0
        """Messages above the divider that the model does not see."""
        self.retranslate()

    def set_dropped(self, dropped: int) -> None:
        """Say how many earlier messages are left out."""
        self.dropped = dropped
        self.retranslate()

    def retranslate(self) -> None:
        """Set the user-visible texts in the current language."""
        text = fill(self.tr("%1 earlier messages are not sent to the model: the context is "
                            "full"), self.dropped)
        self.label.setText(text)
        self.setAccessibleName(text)
        self.setToolTip(self.tr("The model reads the conversation from here on. Start a new "
                                "chat, or choose a larger context in Settings, to keep "
                                "everything."))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
