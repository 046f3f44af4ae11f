"""The text box where the user writes: Enter sends, Shift+Enter breaks the line.

With the send-on-Enter setting off, Enter breaks the line and Ctrl+Enter
(Cmd+Enter on macOS) sends.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget


class ComposerInput(QPlainTextEdit):
    """A plain-text editor that turns Enter into "send" and Esc into "stop".

    Signals:
        submitted(): Enter was pressed (without Shift).
        stop_pressed(): Esc was pressed.
    """

    submitted = Signal()
    stop_pressed = Signal()
    sends_on_enter = True
    """Enter sends (else Enter breaks the line and Ctrl+Enter sends)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            modifiers = event.modifiers()
            if modifiers & Qt.KeyboardModifier.ControlModifier:
                self.submitted.emit()  # Ctrl+Enter sends in either mode
            elif modifiers & Qt.KeyboardModifier.ShiftModifier or not self.sends_on_enter:
                self.insertPlainText("\n")
            else:
                self.submitted.emit()
            return
        if key == Qt.Key.Key_Escape:
            self.stop_pressed.emit()
            return
        super().keyPressEvent(event)


class Composer(QWidget):
    """The input box with Send and Stop buttons.

    Signals:
        send_requested(str): the user sent this text (never empty).
        stop_requested(): the user wants the current reply stopped.
    """

    send_requested = Signal(str)
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 10)
        self.input = ComposerInput(self)
        self.input.setObjectName("composerInput")
        self.input.setTabChangesFocus(True)
        self.input.setFixedHeight(72)
        self.input.submitted.connect(self._on_input_submitted)
        self.input.stop_pressed.connect(self.stop_requested)
        layout.addWidget(self.input, 1)
        buttons = QVBoxLayout()
        self.send_button = QPushButton(self)
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self._on_input_submitted)
        self.stop_button = QPushButton(self)
        self.stop_button.clicked.connect(self.stop_requested)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        layout.addLayout(buttons)
        self.set_busy(False)
        self.retranslate()

    @property
    def text(self) -> str:
        """The text in the box."""
        return self.input.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the text (e.g. to edit a message) and focus the box."""
        self.input.setPlainText(text)
        self.input.setFocus()

    def set_send_on_enter(self, sends_on_enter: bool) -> None:
        """Enter sends (True), or Enter breaks the line and Ctrl+Enter sends (False)."""
        self.input.sends_on_enter = sends_on_enter
        self.retranslate()

    def set_busy(self, is_busy: bool) -> None:
        """While a reply streams, Stop is enabled and Send is not."""
        self.send_button.setEnabled(not is_busy)
        self.stop_button.setEnabled(is_busy)
        self._is_busy = is_busy

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        if self.input.sends_on_enter:
            hint = self.tr("Ask anything — Enter sends, Shift+Enter adds a line, Esc stops")
        else:
            hint = self.tr("Ask anything — Ctrl+Enter sends, Enter adds a line, Esc stops")
        self.input.setPlaceholderText(hint)
        self.input.setAccessibleName(self.tr("Message input"))
        self.send_button.setText(self.tr("Send"))
        self.send_button.setAccessibleName(self.tr("Send message"))
        self.stop_button.setText(self.tr("Stop"))
        self.stop_button.setAccessibleName(self.tr("Stop the answer"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _on_input_submitted(self) -> None:
        text = self.text.strip()
        if not text or self._is_busy:
            return
        self.input.clear()
        self.send_requested.emit(text)
