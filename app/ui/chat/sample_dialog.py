"""One sample of an answer check, opened from the vote panel: its reasoning and text."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.ui.chat.markdown_view import MarkdownView
from app.ui.common.i18n import fill
from app.ui.threads.tutor_tasks import Sample


class SampleDialog(QDialog):
    """Shows the reasoning and the answer text of one sample (non-modal)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sampleDialog")
        self.resize(600, 460)
        outer = QVBoxLayout(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget(scroll)
        layout = QVBoxLayout(inner)
        self.reasoning_title = QLabel(inner)
        self.reasoning_title.setObjectName("roleLabel")
        self.reasoning_view = MarkdownView(inner)
        self.answer_title = QLabel(inner)
        self.answer_title.setObjectName("roleLabel")
        self.answer_view = MarkdownView(inner)
        for widget in (self.reasoning_title, self.reasoning_view, self.answer_title,
                       self.answer_view):
            layout.addWidget(widget)
        layout.addStretch(1)
        scroll.setWidget(inner)
        outer.addWidget(scroll)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self._number = 0
        self._sample: Sample | None = None

    def show_sample(self, sample: Sample, number: int) -> None:
        """Show `sample` as answer `number` (1 is the original)."""
        self._sample = sample
        self._number = number
        self.reasoning_view.set_markdown(sample.reasoning)
        self.answer_view.set_markdown(sample.text)
        self.retranslate()

    def retranslate(self) -> None:
        """Set the user-visible texts in the current language."""
        self.setWindowTitle(fill(self.tr("Answer %1"), self._number))
        has_reasoning = bool(self._sample is not None and self._sample.reasoning.strip())
        self.reasoning_title.setText(self.tr("Reasoning") if has_reasoning else
                                     self.tr("This answer has no separate reasoning."))
        self.reasoning_view.setVisible(has_reasoning)
        self.reasoning_view.setAccessibleName(self.tr("Reasoning"))
        self.answer_title.setText(self.tr("Answer"))
        self.answer_view.setAccessibleName(self.tr("Answer"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
