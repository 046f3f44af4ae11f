"""The Models page's line about saved conversation states: space used and "Clear".

A local model keeps each conversation's memory (its KV state) so going back to
a conversation starts at once (app.services.states). This box says how much
disk that takes against the budget in the settings, what one state costs,
and clears them all on request (they are saved again after the next reply).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.models.download import format_bytes
from app.services.states import (
    KV_BYTES_PER_TOKEN_R1_1_5B,
    budget_bytes,
    clear_states,
    space_used,
)
from app.store.settings import load_settings
from app.ui.common.i18n import fill


class StatesBox(QFrame):
    """Space the saved conversation states use, and a button to clear them.

    Args:
        folder: the states folder (None: the data folder's).
    """

    def __init__(self, parent: QWidget | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statesBox")
        self._folder = folder
        self.used = 0
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.clear_button = QPushButton(self)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.clear_button)
        self.refresh()

    def refresh(self) -> None:
        """Measure the folder again and update the texts."""
        self.used = space_used(self._folder)
        self.retranslate()

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        budget = budget_bytes(load_settings())
        per_1k = format_bytes(KV_BYTES_PER_TOKEN_R1_1_5B * 1000)
        self.label.setText(fill(self.tr(
            "Conversation memory on disk: %1 of %2. Going back to a conversation starts at "
            "once instead of re-reading it; each saved conversation takes about %3 per "
            "1,000 tokens with the 1.5B model."),
            format_bytes(self.used), format_bytes(budget), per_1k))
        self.label.setAccessibleName(self.tr("Conversation memory on disk"))
        self.clear_button.setText(self.tr("Clear"))
        self.clear_button.setAccessibleName(self.tr("Clear the saved conversation memory"))
        self.clear_button.setEnabled(self.used > 0)

    def _on_clear_button_clicked(self) -> None:
        clear_states(self._folder)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()
        super().showEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
