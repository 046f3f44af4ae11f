"""The "Check this answer" panel under an answer: confirm, progress, the vote.

Three faces, one widget: before a check it asks ("Compare 4 answers? About
3 min on this computer.") with the number of answers adjustable; while the
samples are drawn it shows a row per sample with its tokens so far and the
vote as it grows, with Stop; at the end the majority answer (drawn as math)
with its count, the other answers with theirs, and a button per sample that
shows its reasoning. The panel holds no logic: app.ui.shell.tutor_wiring
drives it and listens to its signals.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.chat.markdown_view import RichBrowser
from app.ui.chat.rendering import render_boxed
from app.ui.chat.sample_dialog import SampleDialog
from app.ui.common import theme
from app.ui.common.i18n import fill
from app.ui.threads.tutor_tasks import CheckPlan, Sample, VoteResult

MIN_SAMPLES = 2
MAX_SAMPLES = 16


class VotePanel(QFrame):
    """Confirm, progress and result of one answer check.

    Signals:
        start_requested(int): start with this many answers in all.
        samples_changed(int): the user picked another number (re-plan).
        stop_requested(): stop the running check.
        dismissed(): the user declined the check (the panel hides).
        again_requested(): check once more (back to the confirm face).
    """

    start_requested = Signal(int)
    samples_changed = Signal(int)
    stop_requested = Signal()
    dismissed = Signal()
    again_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("votePanel")
        self.state = "idle"
        """"planning", "confirm", "running", "result" or "idle" (hidden)."""
        self._plan: CheckPlan | None = None
        self._result: VoteResult | None = None
        self._tokens: dict[int, int] = {}
        self._total = 0
        self._original: str | None = None
        self._error = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        self.title_label = QLabel(self)
        self.title_label.setObjectName("voteTitle")
        self.title_label.setWordWrap(True)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        layout.addWidget(self.title_label)
        self.summary_view = RichBrowser(self)
        self.summary_view.setObjectName("voteSummary")
        self.summary_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.summary_view)
        self.detail_label = QLabel(self)
        self.detail_label.setObjectName("noticeLabel")
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.detail_label)
        self._rows = QGridLayout()
        self._rows.setHorizontalSpacing(10)
        self._rows.setVerticalSpacing(2)
        layout.addLayout(self._rows)
        self.sample_labels: list[QLabel] = []
        self.reasoning_buttons: list[QToolButton] = []
        layout.addLayout(self._build_buttons())
        self._dialog: SampleDialog | None = None
        self.hide()

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(6)
        self.samples_label = QLabel(self)
        self.samples_spin = QSpinBox(self)
        self.samples_spin.setRange(MIN_SAMPLES, MAX_SAMPLES)
        self.samples_label.setBuddy(self.samples_spin)
        self.samples_spin.valueChanged.connect(self._on_samples_spin_value_changed)
        self.start_button = QPushButton(self)
        self.start_button.setDefault(False)
        self.start_button.clicked.connect(self._on_start_button_clicked)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.stop_button = QPushButton(self)
        self.stop_button.clicked.connect(self.stop_requested)
        self.again_button = QPushButton(self)
        self.again_button.clicked.connect(self.again_requested)
        for widget in (self.samples_label, self.samples_spin, self.start_button,
                       self.cancel_button, self.stop_button, self.again_button):
            row.addWidget(widget)
        row.addStretch(1)
        return row

    # ------------------------------------------------------------------ faces

    @property
    def result(self) -> VoteResult | None:
        """The vote shown (final or so far), if any."""
        return self._result

    def show_planning(self) -> None:
        """Working out what the check costs on this machine."""
        self.state = "planning"
        self._error = ""
        self._refresh()

    def show_confirm(self, plan: CheckPlan) -> None:
        """Ask before starting: how many answers, how long, and the plan's note."""
        self.state = "confirm"
        self._plan = plan
        self.samples_spin.blockSignals(True)
        self.samples_spin.setValue(max(MIN_SAMPLES, min(MAX_SAMPLES, plan.samples)))
        self.samples_spin.blockSignals(False)
        self._refresh()
        self.start_button.setFocus()

    def show_running(self, total: int, original: str | None = None) -> None:
        """The check started: `total` answers in all (the `original` is answer 1)."""
        self.state = "running"
        self._total = total
        self._original = original
        self._tokens = {}
        self._result = None
        self._refresh()
        self.stop_button.setFocus()

    def set_tokens(self, tokens: dict[int, int]) -> None:
        """Tokens so far per sample index."""
        self._tokens.update(tokens)
        if self.state == "running":
            self._refresh_rows()

    def show_vote(self, result: VoteResult, *, is_final: bool) -> None:
        """The vote so far (`is_final` False) or the final one."""
        self._result = result
        self._total = max(self._total, result.total)
        if is_final:
            self.state = "result"
        self._refresh()

    def show_error(self, message: str) -> None:
        """The check could not run; say why in one sentence."""
        self.state = "result"
        self._error = message
        self._refresh()

    def close_panel(self) -> None:
        """Hide the panel."""
        self.state = "idle"
        self.hide()

    # --------------------------------------------------------------- drawing

    def _refresh(self) -> None:
        state = self.state
        self.setVisible(state != "idle")
        is_confirm = state == "confirm"
        for widget in (self.samples_label, self.samples_spin, self.start_button,
                       self.cancel_button):
            widget.setVisible(is_confirm)
        self.cancel_button.setVisible(is_confirm or state == "planning")
        self.stop_button.setVisible(state == "running")
        self.again_button.setVisible(state == "result")
        self.retranslate()
        self._refresh_rows()

    def retranslate(self) -> None:
        """Set every user-visible text in the current language."""
        sheet = (f"QFrame#votePanel {{ border: 1px solid {theme.current().border}; "
                 "border-radius: 6px; }")
        if self.styleSheet() != sheet:
            self.setStyleSheet(sheet)
        self.setAccessibleName(self.tr("Answer check"))
        self.samples_label.setText(self.tr("&Answers:"))
        self.samples_spin.setAccessibleName(self.tr("Answers to compare, this one included"))
        self.samples_spin.setToolTip(self.samples_spin.accessibleName())
        buttons = (
            (self.start_button, self.tr("Start check"), self.tr("Start the answer check")),
            (self.cancel_button, self.tr("Not now"), self.tr("Close without checking")),
            (self.stop_button, self.tr("Stop (Esc)"), self.tr("Stop the answer check")),
            (self.again_button, self.tr("Check again"), self.tr("Check this answer again")),
        )
        for button, text, name in buttons:
            button.setText(text)
            button.setAccessibleName(name)
        self.title_label.setText(self._title())
        self.detail_label.setText(self._detail())
        self.detail_label.setVisible(bool(self.detail_label.text()))
        self._show_summary()

    def _title(self) -> str:
        state = self.state
        if state == "planning":
            return self.tr("Working out how long a check takes on this computer…")
        if state == "confirm" and self._plan is not None:
            n = self.samples_spin.value()
            return fill(self.tr("Compare %1 answers? %2 on this computer."), n,
                        self._duration(self._plan.seconds))
        if state == "running":
            return fill(self.tr("Checking: asking the model %1 more times…"),
                        max(0, self._total - 1))
        if self._error:
            return self.tr("The check did not run.")
        return self.tr("Answer check")

    def _detail(self) -> str:
        if self.state == "confirm" and self._plan is not None:
            parts = [self.tr("The same question is answered again; the answers are compared "
                             "by their mathematical value."),
                     fill(self.tr("Each new answer may use up to %1 tokens."),
                          self._plan.max_tokens)]
            if self._plan.note:
                parts.append(self._plan.note)
            return " ".join(parts)
        if self._error:
            return self._error
        result = self._result
        if result is None or self.state not in ("running", "result"):
            return ""
        parts = [fill(self.tr("%1 of %2 answers in."), result.done, result.total)]
        majority = result.majority
        others = [g for g in result.groups if g is not majority]
        listed = [f"{g.answer} ({len(g.members)})" for g in others]
        without = result.done - sum(len(g.members) for g in result.groups)
        if without > 0:
            none = self.tr("no final answer")
            listed.append(f"{none} ({without})")
        if listed:
            label = self.tr("Other answers: %1.") if majority is not None else self.tr(
                "Answers: %1.")
            parts.append(fill(label, ", ".join(listed)))
        if result.stopped_early:
            parts.append(self.tr("Stopped early: the majority can't change."))
        elif result.cancelled:
            parts.append(self.tr("Stopped before every answer was in."))
        return " ".join(parts)

    def _duration(self, seconds: float) -> str:
        if seconds < 60:
            return self.tr("About %n s", "", max(1, round(seconds)))
        return self.tr("About %n min", "", max(1, round(seconds / 60)))

    def summary_text(self) -> str:
        """The vote's line, e.g. "4 of 5 agree: 1/2" (plain text)."""
        head = self._summary_head()
        majority = self._result.majority if self._result is not None else None
        return f"{head}: {majority.answer}" if head and majority is not None else head

    def _summary_head(self) -> str:
        result = self._result
        if result is None:
            return ""
        majority = result.majority
        if majority is not None:
            return fill(self.tr("%1 of %2 agree"), len(majority.members), result.done)
        if self.state != "result":
            return ""
        if not result.groups:
            return fill(self.tr("None of the %1 answers has a final result"), result.done)
        return fill(self.tr("No majority among %1 answers"), result.done)

    def _show_summary(self) -> None:
        result = self._result
        majority = result.majority if result is not None else None
        head = self._summary_head()
        show = self.state in ("running", "result") and bool(head) and not self._error
        self.summary_view.setVisible(show)
        if not show:
            return
        if majority is None:
            self.summary_view.setPlainText(head)
        else:
            self.summary_view.set_piece(render_boxed(majority.answer, head,
                                                     is_dark=theme.current().is_dark))
        self.summary_view.setAccessibleName(self.summary_text())

    def _refresh_rows(self) -> None:
        show = self.state in ("running", "result") and not self._error
        count = self._total if show else 0
        samples = self._samples_by_index()
        while len(self.sample_labels) < count:
            self._add_row(len(self.sample_labels))
        for index, (label, button) in enumerate(zip(self.sample_labels, self.reasoning_buttons,
                                                   strict=True)):
            visible = index < count
            label.setVisible(visible)
            sample = samples.get(index)
            button.setVisible(visible and sample is not None)
            if visible:
                label.setText(self._row_text(index, sample))
                button.setText(self.tr("Reasoning"))
                button.setAccessibleName(fill(self.tr("Show the reasoning of answer %1"),
                                              index + 1))

    def _add_row(self, index: int) -> None:
        label = QLabel(self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        button = QToolButton(self)
        button.setAutoRaise(True)
        button.clicked.connect(lambda _checked=False, i=index: self.show_sample(i))
        self._rows.addWidget(label, index, 0)
        self._rows.addWidget(button, index, 1, Qt.AlignmentFlag.AlignLeft)
        self._rows.setColumnStretch(2, 1)
        # Rows come after the panel's buttons in the Tab order, one after another.
        QWidget.setTabOrder(self.reasoning_buttons[-1] if self.reasoning_buttons
                            else self.again_button, button)
        self.sample_labels.append(label)
        self.reasoning_buttons.append(button)

    def _row_text(self, index: int, sample: Sample | None) -> str:
        name = (self.tr("Answer 1 (the one above)") if index == 0
                else fill(self.tr("Answer %1"), index + 1))
        if sample is None and index == 0 and self._original:
            return fill(self.tr("%1: %2"), name, self._original)
        if sample is None:
            tokens = self._tokens.get(index, 0)
            if self.state != "running":
                early = self._result is not None and self._result.stopped_early
                return fill(self.tr("%1: not needed") if early else self.tr("%1: stopped"), name)
            return fill(self.tr("%1: %2 tokens…"), name, tokens) if tokens else fill(
                self.tr("%1: waiting…"), name)
        answer = sample.answer if sample.answer else self.tr("no final answer")
        if index == 0:
            return fill(self.tr("%1: %2"), name, answer)
        return fill(self.tr("%1: %2 (%3 tokens)"), name, answer, sample.tokens)

    def _samples_by_index(self) -> dict[int, Sample]:
        if self._result is None:
            return {}
        return {s.index: s for s in self._result.samples}

    def show_sample(self, index: int) -> SampleDialog | None:
        """Open the reasoning and text of sample `index`; returns the dialog."""
        sample = self._samples_by_index().get(index)
        if sample is None:
            return None
        if self._dialog is None:
            self._dialog = SampleDialog(self.window())
        self._dialog.show_sample(sample, index + 1)
        if self._dialog.isVisible():
            self._dialog.raise_()
        else:
            self._dialog.show()
        return self._dialog

    # ---------------------------------------------------------------- events

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self._refresh_rows()
        super().changeEvent(event)

    def _on_samples_spin_value_changed(self, value: int) -> None:
        self.retranslate()
        self.samples_changed.emit(value)

    def _on_start_button_clicked(self) -> None:
        self.start_requested.emit(self.samples_spin.value())

    def _on_cancel_button_clicked(self) -> None:
        self.close_panel()
        self.dismissed.emit()

