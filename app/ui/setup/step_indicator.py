"""The wizard's sense of progress: the product mark and its steps, done ones ticked."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.ui.common import theme
from app.ui.common.i18n import fill
from app.ui.common.product_mark import mark_pixmap


class StepIndicator(QWidget):
    """The mark above a list of the wizard's steps; the current one stands out.

    Attributes:
        current: index of the step on screen (0-based).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stepIndicator")
        self.current = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 16, 12)
        layout.setSpacing(10)
        self.mark = QLabel(self)
        self.mark.setPixmap(mark_pixmap(56, self.devicePixelRatioF() or 1.0))
        layout.addWidget(self.mark, 0, Qt.AlignmentFlag.AlignHCenter)
        self.step_labels = [QLabel(self) for _ in self.names()]
        for label in self.step_labels:
            label.setTextFormat(Qt.TextFormat.RichText)
            layout.addWidget(label)
        layout.addStretch(1)
        self.setMinimumWidth(150)
        self.retranslate()

    def names(self) -> list[str]:
        """The steps' names in the current language."""
        return [self.tr("This computer"), self.tr("Get the model"), self.tr("First answer"),
                self.tr("Ready")]

    def set_current(self, index: int) -> None:
        """Show step `index` (0-based) as the one on screen."""
        self.current = max(0, min(index, len(self.step_labels) - 1))
        self.retranslate()

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        colors = theme.current()
        for index, (label, name) in enumerate(zip(self.step_labels, self.names(), strict=True)):
            number = "✓" if index < self.current else str(index + 1)
            if index == self.current:
                label.setText(f'<b style="color:{colors.accent};">{number}&nbsp; {name}</b>')
            else:
                label.setText(f'<span style="color:{colors.muted};">{number}&nbsp; {name}</span>')
            state = (self.tr("done") if index < self.current else
                     self.tr("current step") if index == self.current else self.tr("to do"))
            label.setAccessibleName(fill(self.tr("Step %1 of %2: %3, %4"), index + 1,
                                         len(self.step_labels), name, state))
        self.mark.setAccessibleName(self.tr("Ponder"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
