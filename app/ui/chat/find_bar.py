"""The find bar above the conversation (Ctrl+F): a field, previous/next, the match count.

Enter goes to the next match, Shift+Enter to the previous one, Esc closes
the bar (it claims Esc before the window's stop shortcut sees it).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from app.ui.common.i18n import fill


class FindBar(QWidget):
    """Find within the open conversation.

    Signals:
        search_changed(str): the text to find (debounced; "" clears).
        next_requested(): go to the next match.
        previous_requested(): go to the previous match.
        closed(): the bar was closed (highlights should go).
    """

    search_changed = Signal(str)
    next_requested = Signal()
    previous_requested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 4, 16, 4)
        layout.setSpacing(4)
        self.field = QLineEdit(self)
        self.field.setClearButtonEnabled(True)
        self.field.textChanged.connect(self._on_field_text_changed)
        self.field.installEventFilter(self)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("findCount")
        self.previous_button = self._tool("↑", self.previous_requested)
        self.next_button = self._tool("↓", self.next_requested)
        self.close_button = self._tool("✕", self.close_bar)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.count_label)
        for button in (self.previous_button, self.next_button, self.close_button):
            layout.addWidget(button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._current = 0
        self._total = 0
        self.setVisible(False)
        self.retranslate()

    def _tool(self, text: str, slot: object) -> QToolButton:
        button = QToolButton(self)
        button.setAutoRaise(True)
        button.setText(text)
        button.clicked.connect(slot)
        return button

    @property
    def text(self) -> str:
        """What is being looked for."""
        return self.field.text()

    def open_bar(self, text: str = "") -> None:
        """Show the bar with the cursor in its field (Ctrl+F)."""
        self.setVisible(True)
        if text:
            self.field.setText(text)
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()
        if self.field.text():
            self._timer.start()

    def close_bar(self) -> None:
        """Hide the bar and drop the highlights."""
        self._timer.stop()
        self.setVisible(False)
        self.closed.emit()

    def set_count(self, current: int, total: int) -> None:
        """Show "current of total" (current counts from 1; 0 when nothing matches)."""
        self._current, self._total = current, total
        self._show_count()

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        self.field.setPlaceholderText(self.tr("Find in this conversation"))
        self.field.setAccessibleName(self.tr("Find in this conversation"))
        pairs = (
            (self.previous_button, self.tr("Previous match (Shift+Enter)")),
            (self.next_button, self.tr("Next match (Enter)")),
            (self.close_button, self.tr("Close the find bar (Esc)")),
        )
        for button, name in pairs:
            button.setAccessibleName(name)
            button.setToolTip(name)
        self.count_label.setAccessibleName(self.tr("Matches"))
        self._show_count()

    def _show_count(self) -> None:
        if not self.field.text():
            self.count_label.setText("")
        elif self._total == 0:
            self.count_label.setText(self.tr("No matches"))
        else:
            self.count_label.setText(fill(self.tr("%1 of %2"), self._current, self._total))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and isinstance(event, QKeyEvent):
            key = event.key()
            if event.type() == QEvent.Type.ShortcutOverride and key == Qt.Key.Key_Escape:
                event.accept()  # Esc closes this bar, it does not stop the reply
                return True
            if event.type() == QEvent.Type.KeyPress:
                if key == Qt.Key.Key_Escape:
                    self.close_bar()
                    return True
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    if self._timer.isActive():
                        self._timer.stop()
                        self.search_changed.emit(self.field.text())
                    shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                    (self.previous_requested if shift else self.next_requested).emit()
                    return True
        return super().eventFilter(watched, event)

    def _on_field_text_changed(self, _text: str) -> None:
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        self.search_changed.emit(self.field.text())
