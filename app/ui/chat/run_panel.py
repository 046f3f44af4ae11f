"""Run a Python code block: the confirmation, and the output panel under the block.

The code runs through app.sandbox's CodeRun (a separate `ponder run-code`
process with limits, in a fresh temporary folder). Its output arrives on the
run's reader thread and its end on a waiting thread; both reach the panel
through a RunRelay's signals, queued to the GUI thread, so a run never blocks
the window. Stop ends the whole process tree.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import PonderError
from app.sandbox import RunResult, SandboxLimits
from app.store.settings import load_settings, save_settings

if TYPE_CHECKING:
    from app.sandbox.runner import CodeRun

log = logging.getLogger(__name__)

PYTHON_LANGUAGES = frozenset({"python", "py", "python3", "py3"})
"""Fence info strings that get a Run button."""

OUTPUT_LINES = 5000
"""Lines the panel keeps (the sandbox caps the bytes too)."""

SHOWN_LINES = (2, 14)
"""The output box grows with its text between these many lines, then scrolls."""


def is_python(language: str) -> bool:
    """Whether a fence's info string names Python."""
    return language.strip().lower() in PYTHON_LANGUAGES


class RunConfirmation(QMessageBox):
    """"Run this code on this computer?" with Run, Cancel and "Don't ask again"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle(self.tr("Run code"))
        self.setText(self.tr("Run this code on this computer? It runs with limits in a "
                             "temporary folder."))
        self.run_button = self.addButton(self.tr("Run"), QMessageBox.ButtonRole.AcceptRole)
        self.cancel_button = self.addButton(self.tr("Cancel"),
                                            QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.cancel_button)
        self.remember = QCheckBox(self.tr("Don't ask again"), self)
        self.setCheckBox(self.remember)

    @classmethod
    def ask(cls, parent: QWidget | None) -> bool:
        """True when the user agreed now or said "don't ask again" before."""
        if load_settings().code_run_confirmed:
            return True
        box = cls(parent)
        box.exec()
        agreed = box.clickedButton() is box.run_button
        if agreed and box.remember.isChecked():
            try:
                save_settings(dataclasses.replace(load_settings(), code_run_confirmed=True))
            except PonderError as exc:
                log.warning("could not remember the confirmation: %s", exc)
        box.deleteLater()
        return agreed


class RunRelay(QObject):
    """Carries a run's output and end from its threads to the GUI thread.

    Signals:
        output(str): a piece of output.
        finished(object): the RunResult.
    """

    output = Signal(str)
    finished = Signal(object)

    def send_output(self, text: str) -> None:
        """Called on the run's reader thread."""
        with contextlib.suppress(RuntimeError):  # the panel is gone
            self.output.emit(text)

    def send_finished(self, result: RunResult) -> None:
        """Called on the waiting thread."""
        with contextlib.suppress(RuntimeError):
            self.finished.emit(result)


class RunPanel(QFrame):
    """The output of a run under a code block: streamed text, Stop, one result line.

    Signals:
        finished(object): the run ended (its RunResult).
    """

    finished = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        self.output = QPlainTextEdit(self)
        self.output.setReadOnly(True)
        self.output.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.output.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.output.setMaximumBlockCount(OUTPUT_LINES)
        self._fit_height()
        layout.addWidget(self.output)
        row = QHBoxLayout()
        self.summary = QLabel(self)
        self.summary.setObjectName("runSummary")
        self.summary.setWordWrap(True)
        self.stop_button = QPushButton(self)
        self.stop_button.clicked.connect(self.stop)
        row.addWidget(self.summary, 1)
        row.addWidget(self.stop_button)
        layout.addLayout(row)
        self.relay = RunRelay(self)
        self.relay.output.connect(self._on_relay_output)
        self.relay.finished.connect(self._on_relay_finished)
        self.result: RunResult | None = None
        self._run: CodeRun | None = None
        self.retranslate()

    @property
    def is_running(self) -> bool:
        """Whether a run is going on."""
        return self._run is not None

    @property
    def text(self) -> str:
        """The output shown."""
        return self.output.toPlainText()

    def start(self, code: str, limits: SandboxLimits | None = None) -> None:
        """Run `code` in the sandbox; output streams in, the result line comes at the end."""
        if self.is_running:
            return
        from app.sandbox.runner import CodeRun  # psutil and subprocess: on first use only

        self.output.clear()
        self.result = None
        run = CodeRun(code, limits, on_output=self.relay.send_output)
        self._run = run
        self.stop_button.setVisible(True)
        self.summary.setText(self.tr("Running…"))
        self.setVisible(True)
        self.destroyed.connect(run.stop)  # a closed chat leaves nothing running
        run.start()
        relay = self.relay
        threading.Thread(target=lambda: relay.send_finished(run.wait()),
                         name="code-run-wait", daemon=True).start()

    def stop(self) -> None:
        """End the run now (the whole process tree)."""
        run = self._run
        if run is not None:
            run.stop()
            self.summary.setText(self.tr("Stopping…"))

    def retranslate(self) -> None:
        """Set the user-visible texts in the current language."""
        self.stop_button.setText(self.tr("Stop"))
        self.stop_button.setAccessibleName(self.tr("Stop the running code"))
        self.output.setAccessibleName(self.tr("Output of the code"))
        if self._run is None:
            self.stop_button.setVisible(False)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _on_relay_output(self, text: str) -> None:
        cursor = self.output.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        self.output.setTextCursor(cursor)
        self._fit_height()
        self.output.ensureCursorVisible()

    def _on_relay_finished(self, result: object) -> None:
        if not isinstance(result, RunResult):
            return
        self._run = None
        self.result = result
        self.stop_button.setVisible(False)
        self.summary.setText(result.summary())
        if not self.text and result.output:  # output that came before the panel listened
            self.output.setPlainText(result.output)
            self._fit_height()
        self.finished.emit(result)

    def _fit_height(self) -> None:
        low, high = SHOWN_LINES
        lines = max(low, min(high, self.output.document().blockCount()))
        margins = 2 * (self.output.frameWidth() + int(self.output.document().documentMargin()))
        height = lines * self.output.fontMetrics().lineSpacing() + margins + 4
        if self.output.horizontalScrollBar().maximum() > 0:
            height += self.output.horizontalScrollBar().sizeHint().height()
        if self.output.height() != height:
            self.output.setFixedHeight(height)


def panel_of(block: QWidget) -> RunPanel | None:
    """The run panel under a code block, if it has one."""
    for child in block.children():
        if isinstance(child, RunPanel):
            return child
    return None


def run_code_block(block: QWidget, code: str,
                   limits: SandboxLimits | None = None) -> RunPanel | None:
    """Run `code` in a panel under `block` once the user agrees (None: cancelled)."""
    panel = panel_of(block)
    if panel is not None and panel.is_running:
        return panel
    if not RunConfirmation.ask(block.window()):
        return None
    if panel is None:
        panel = RunPanel(block)
        layout = block.layout()
        if isinstance(layout, QBoxLayout):
            layout.addWidget(panel)
    panel.start(code, limits)
    return panel
