""""Is my answer right?": a line under an answer with a final result.

The student types an answer; Enter or Check asks app.ui.shell.tutor_wiring
to compare it with the model's boxed answer by value (a worker process does
it, so a spinner shows while it runs). The verdict is one of three:
equivalent (a green check), not equivalent, or can't tell with the reason
(the answer could not be read, or the comparison timed out). A parse
failure or a time-out is never shown as equivalent.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from app.ui.common import theme
from app.ui.common.i18n import fill
from app.ui.threads.tutor_tasks import MODEL_UNREADABLE, TIMED_OUT, Verdict

SPINNER = "◐◓◑◒"
"""Frames of the small spinner shown while the judge works."""

GREEN = {False: "#1a7f37", True: "#3fb950"}
RED = {False: "#c62828", True: "#ff7b72"}
"""Verdict colours by dark theme (True) or light (False)."""


class StudentAnswer(QWidget):
    """The line edit, its Check button and the verdict.

    Signals:
        check_requested(str): compare this answer with the model's.
    """

    check_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("studentAnswer")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(6)
        self.input = QLineEdit(self)
        self.input.setObjectName("studentAnswerInput")
        self.input.setClearButtonEnabled(True)
        self.input.setMaximumWidth(260)
        self.input.returnPressed.connect(self._on_input_return_pressed)
        self.input.textEdited.connect(self._on_input_text_edited)
        self.check_button = QPushButton(self)
        self.check_button.clicked.connect(self._on_check_button_clicked)
        self.verdict_label = QLabel(self)
        self.verdict_label.setObjectName("studentVerdict")
        self.verdict_label.setTextFormat(Qt.TextFormat.PlainText)
        self.verdict_label.setWordWrap(True)
        layout.addWidget(self.input)
        layout.addWidget(self.check_button)
        layout.addWidget(self.verdict_label, 1)
        self.verdict: Verdict | None = None
        """The verdict shown (None: none yet, or checking)."""
        self.reason = ""
        """Why the judge could not tell (tutor_tasks.TIMED_OUT, UNREADABLE, ...)."""
        self.is_checking = False
        self._frame = 0
        self._spinner = QTimer(self)
        self._spinner.setInterval(120)
        self._spinner.timeout.connect(self._on_spinner_timeout)
        self.retranslate()

    def show_checking(self) -> None:
        """The judge is working (the first use starts its process: a second or two)."""
        self.is_checking = True
        self.verdict = None
        self.check_button.setEnabled(False)
        self._frame = 0
        self._spinner.start()
        self.retranslate()

    def show_verdict(self, verdict: Verdict, *, reason: str = "",
                     answer: str | None = None) -> None:
        """Show the judge's verdict (and the answer it was about, when restored)."""
        self.is_checking = False
        self._spinner.stop()
        self.check_button.setEnabled(True)
        self.verdict = verdict
        self.reason = reason
        if answer is not None:
            self.input.setText(answer)
        self.retranslate()

    def show_failure(self, message: str) -> None:
        """The check could not run at all; say why."""
        self.is_checking = False
        self._spinner.stop()
        self.check_button.setEnabled(True)
        self.verdict = None
        self.retranslate()
        self.verdict_label.setText(message)
        self.verdict_label.setStyleSheet("")

    def verdict_text(self) -> str:
        """The verdict line shown, in the current language."""
        if self.is_checking:
            return f"{SPINNER[self._frame % len(SPINNER)]} " + self.tr("Checking…")
        if self.verdict is Verdict.EQUIVALENT:
            return "✓ " + self.tr("Equivalent to the model's answer")
        if self.verdict is Verdict.NOT_EQUIVALENT:
            return "✗ " + self.tr("Not equivalent to the model's answer")
        if self.verdict is Verdict.CANT_TELL:
            if self.reason == TIMED_OUT:
                why = self.tr("the comparison took too long")
            elif self.reason == MODEL_UNREADABLE:
                why = self.tr("the model's answer could not be read as math")
            else:
                why = self.tr("your answer could not be read as math")
            return "? " + fill(self.tr("Can't tell: %1"), why)
        return ""

    def retranslate(self) -> None:
        """Set every user-visible text in the current language."""
        self.input.setPlaceholderText(self.tr("Your answer"))
        self.input.setAccessibleName(self.tr("Your answer, to compare with the model's"))
        self.check_button.setText(self.tr("Check mine"))
        self.check_button.setAccessibleName(self.tr("Check whether your answer is right"))
        self.check_button.setToolTip(self.tr("Compare your answer with the model's by value "
                                             "(Enter)"))
        text = self.verdict_text()
        self.verdict_label.setText(text)
        self.verdict_label.setAccessibleName(text or self.tr("Verdict"))
        is_dark = theme.current().is_dark
        if self.verdict is Verdict.EQUIVALENT and not self.is_checking:
            color = GREEN[is_dark]
        elif self.verdict is Verdict.NOT_EQUIVALENT and not self.is_checking:
            color = RED[is_dark]
        else:
            color = theme.current().muted
        self.verdict_label.setStyleSheet(f"color: {color};")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.LanguageChange, QEvent.Type.PaletteChange):
            self.retranslate()
        super().changeEvent(event)

    def _request(self) -> None:
        text = self.input.text().strip()
        if text and not self.is_checking:
            self.check_requested.emit(text)

    def _on_input_return_pressed(self) -> None:
        self._request()

    def _on_check_button_clicked(self) -> None:
        self._request()

    def _on_input_text_edited(self, _text: str) -> None:
        if self.verdict is not None:
            self.verdict = None  # the verdict was about the old text
            self.retranslate()

    def _on_spinner_timeout(self) -> None:
        self._frame += 1
        self.verdict_label.setText(self.verdict_text())
