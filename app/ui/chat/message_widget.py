"""One message in the chat: role, reasoning block, answer, actions, branches."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.store.records import MessageStatus
from app.ui.chat.hint_bar import hints_shown
from app.ui.chat.markdown_view import MarkdownView, RichBrowser
from app.ui.chat.message_data import MessageData
from app.ui.chat.message_details import details_text
from app.ui.chat.rendering import render_boxed
from app.ui.chat.student_answer import StudentAnswer
from app.ui.chat.vote_panel import VotePanel
from app.ui.common import theme


class ReasoningBlock(QFrame):
    """The collapsible think block above an answer.

    Signals:
        toggled(bool): the user folded (True) or unfolded (False) it.
    """

    toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reasoning")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.setSpacing(2)
        self.toggle_button = QToolButton(self)
        self.toggle_button.setObjectName("reasoningToggle")
        self.toggle_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle_button.setCheckable(True)
        self.toggle_button.clicked.connect(self._on_toggle_button_clicked)
        layout.addWidget(self.toggle_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.body = MarkdownView(self)
        layout.addWidget(self.body)
        self._is_collapsed = True
        self._is_streaming = False
        self._seconds: float | None = None
        self._text = ""

    @property
    def is_collapsed(self) -> bool:
        """Whether the body is hidden."""
        return self._is_collapsed

    def update_state(self, text: str, *, is_streaming: bool, seconds: float | None,
                     is_collapsed: bool) -> None:
        """Show reasoning `text`; the body is rendered only when visible."""
        self._text = text
        self._is_streaming = is_streaming
        self._seconds = seconds
        self._is_collapsed = is_collapsed
        self.body.setVisible(not is_collapsed)
        if not is_collapsed:
            self.body.set_markdown(text, is_streaming=is_streaming)
        self.retranslate()

    def retranslate(self) -> None:
        """Set the header text in the current language."""
        arrow = Qt.ArrowType.RightArrow if self._is_collapsed else Qt.ArrowType.DownArrow
        self.toggle_button.setArrowType(arrow)
        self.toggle_button.setChecked(not self._is_collapsed)
        if self._is_streaming:
            label = self.tr("Thinking…")
        elif self._seconds is not None:
            label = self.tr("Thought for %n s", "", max(1, round(self._seconds)))
        else:
            label = self.tr("Reasoning")
        self.toggle_button.setText(label)
        self.toggle_button.setAccessibleName(self.tr("Show or hide the reasoning"))

    def _on_toggle_button_clicked(self) -> None:
        self.update_state(self._text, is_streaming=self._is_streaming, seconds=self._seconds,
                          is_collapsed=not self._is_collapsed)
        self.toggled.emit(self._is_collapsed)


class MessageWidget(QFrame):
    """A user or assistant message with its actions.

    Signals:
        copy_requested(int): copy this message's text (message id).
        edit_requested(int): edit this user message and resend.
        regenerate_requested(int): produce a new answer in place of this one.
        continue_requested(int): continue this stopped answer.
        delete_requested(int): delete this message (and its replies).
        branch_requested(int, int): message id, step (-1 earlier, +1 later).
        reasoning_toggled(int, bool): message id, is collapsed now.
        answer_now_requested(int): close the think block now.
        check_requested(int): open "Check this answer" (plan it first).
        check_start_requested(int, int): message id, answers in all.
        check_samples_changed(int, int): message id, answers picked (re-plan).
        check_stop_requested(int): stop this answer's check.
        student_check_requested(int, str): message id, the student's answer.
    """

    copy_requested = Signal(int)
    edit_requested = Signal(int)
    regenerate_requested = Signal(int)
    continue_requested = Signal(int)
    delete_requested = Signal(int)
    branch_requested = Signal(int, int)
    reasoning_toggled = Signal(int, bool)
    answer_now_requested = Signal(int)
    check_requested = Signal(int)
    check_start_requested = Signal(int, int)
    check_samples_changed = Signal(int, int)
    check_stop_requested = Signal(int)
    student_check_requested = Signal(int, str)

    def __init__(self, data: MessageData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message")
        self.setProperty("role", data.role)
        self._data = data
        self._labels_key: tuple[str, MessageStatus, str | None] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(4)
        self.role_label = QLabel(self)
        self.role_label.setObjectName("roleLabel")
        layout.addWidget(self.role_label)
        self.reasoning = ReasoningBlock(self)
        self.reasoning.toggled.connect(self._on_reasoning_toggled)
        layout.addWidget(self.reasoning)
        self.answer_now_button = QPushButton(self)
        self.answer_now_button.clicked.connect(self._on_answer_now_button_clicked)
        layout.addWidget(self.answer_now_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.body = MarkdownView(self)
        layout.addWidget(self.body)
        # Built on first use: most messages have no boxed answer, and a browser
        # is the costliest widget here (opening a chat builds a dozen messages).
        self._boxed_label: RichBrowser | None = None
        self._boxed_shown: tuple[str, str, bool] | None = None
        self._vote_panel: VotePanel | None = None  # the tutor's parts, also on first use
        self._student_answer: StudentAnswer | None = None
        self.notice_label = QLabel(self)
        self.notice_label.setObjectName("noticeLabel")
        self.notice_label.setTextFormat(Qt.TextFormat.PlainText)
        self.notice_label.setWordWrap(True)
        layout.addWidget(self.notice_label)
        layout.addLayout(self._build_actions())
        self.set_data(data)

    def _build_actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(2)
        self.prev_branch_button = self._tool("‹", self._on_prev_branch_button_clicked)
        self.branch_label = QLabel(self)
        self.next_branch_button = self._tool("›", self._on_next_branch_button_clicked)
        self.copy_button = self._tool("", self._on_copy_button_clicked)
        self.edit_button = self._tool("", self._on_edit_button_clicked)
        self.regenerate_button = self._tool("", self._on_regenerate_button_clicked)
        self.continue_button = self._tool("", self._on_continue_button_clicked)
        self.check_button = self._tool("", self._on_check_button_clicked)
        self.delete_button = self._tool("", self._on_delete_button_clicked)
        for widget in (self.prev_branch_button, self.branch_label, self.next_branch_button):
            row.addWidget(widget)
        row.addStretch(1)
        for widget in (self.copy_button, self.check_button, self.edit_button,
                       self.regenerate_button, self.continue_button, self.delete_button):
            row.addWidget(widget)
        return row

    def _tool(self, text: str, slot: object) -> QToolButton:
        button = QToolButton(self)
        button.setAutoRaise(True)
        button.setText(text)
        button.clicked.connect(slot)
        return button

    @property
    def boxed_label(self) -> RichBrowser:
        """The highlighted final-answer line (created when first needed)."""
        if self._boxed_label is None:
            label = RichBrowser(self)
            label.setObjectName("boxedAnswer")
            label.setAccessibleName(self.tr("Final answer"))
            label.setVisible(False)
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(layout.indexOf(self.body) + 1, label)
            self._boxed_label = label
        return self._boxed_label

    @property
    def vote_panel(self) -> VotePanel:
        """The "Check this answer" panel (created when first needed)."""
        if self._vote_panel is None:
            panel = VotePanel(self)
            self._insert_after_answer(panel)
            panel.start_requested.connect(self._on_vote_panel_start_requested)
            panel.samples_changed.connect(self._on_vote_panel_samples_changed)
            panel.stop_requested.connect(self._on_vote_panel_stop_requested)
            panel.again_requested.connect(self._on_check_button_clicked)
            self._vote_panel = panel
        return self._vote_panel

    @property
    def student_answer(self) -> StudentAnswer:
        """"Is my answer right?" (created when first needed)."""
        if self._student_answer is None:
            row = StudentAnswer(self)
            self._insert_after_answer(row)
            row.check_requested.connect(self._on_student_answer_check_requested)
            self._student_answer = row
        return self._student_answer

    @property
    def is_checkable(self) -> bool:
        """A complete, saved answer with a final boxed result (the tutor's checks apply)."""
        data = self._data
        return (data.role == "assistant" and bool(data.boxed) and data.message_id > 0
                and data.status is MessageStatus.COMPLETE)

    def _insert_after_answer(self, widget: QWidget) -> None:
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.notice_label), widget)
        # Created late, it would come last in the window's Tab order: put it after
        # this message's action buttons instead.
        previous: QWidget = self.delete_button
        for child in widget.findChildren(QWidget):
            if child.focusPolicy() & Qt.FocusPolicy.TabFocus:
                QWidget.setTabOrder(previous, child)
                previous = child

    @property
    def data(self) -> MessageData:
        """What is shown now."""
        return self._data

    @property
    def message_id(self) -> int:
        """The store id of this message."""
        return self._data.message_id

    def set_data(self, data: MessageData) -> None:
        """Show `data` (only the parts that changed are re-rendered)."""
        data = hints_shown(self, self.body, data)  # a hint answer hides its result (hint_bar)
        self._data = data
        is_assistant = data.role == "assistant"
        is_streaming = data.is_streaming
        has_reasoning = bool(data.reasoning) or (is_streaming and is_assistant)
        self.reasoning.setVisible(is_assistant and has_reasoning)
        if is_assistant and has_reasoning:
            self.reasoning.update_state(
                data.reasoning, is_streaming=is_streaming and not data.content,
                seconds=data.thinking_s, is_collapsed=data.is_reasoning_collapsed)
        self.answer_now_button.setVisible(is_streaming and not data.content and is_assistant)
        self.body.set_markdown(data.content, is_streaming=is_streaming)
        if data.boxed and not is_streaming:
            self.boxed_label.setVisible(True)
        elif self._boxed_label is not None:
            self._boxed_label.setVisible(False)
        self.check_button.setVisible(self.is_checkable)
        if self.is_checkable:
            self.student_answer.setVisible(True)
        else:
            for part in (self._student_answer, self._vote_panel):
                if part is not None:
                    part.setVisible(False)
        self.notice_label.setVisible(bool(data.notice))
        self.notice_label.setText(data.notice)
        has_branches = data.branch_count > 1
        for widget in (self.prev_branch_button, self.branch_label, self.next_branch_button):
            widget.setVisible(has_branches)
        self.prev_branch_button.setEnabled(data.branch_index > 0)
        self.next_branch_button.setEnabled(data.branch_index < data.branch_count - 1)
        self.branch_label.setText(f"{data.branch_index + 1}/{data.branch_count}")
        self.edit_button.setVisible(not is_assistant)
        self.regenerate_button.setVisible(is_assistant and not is_streaming)
        self.continue_button.setVisible(is_assistant and data.is_stopped)
        self.copy_button.setEnabled(not is_streaming)
        self.delete_button.setEnabled(not is_streaming)
        # Streamed batches change only the text: skip re-setting every label.
        labels_key = (data.role, data.status, data.boxed)
        if labels_key != self._labels_key:
            self._labels_key = labels_key
            self.retranslate()

    def update_stream(self, reasoning: str, answer: str) -> None:
        """Show streamed text quickly (no action-bar work)."""
        self.set_data(replace(self._data, reasoning=reasoning, content=answer))

    def retranslate(self) -> None:
        """Set every user-visible text in the current language."""
        is_assistant = self._data.role == "assistant"
        self.role_label.setText(self.tr("Assistant") if is_assistant else self.tr("You"))
        self.setAccessibleName(self.tr("Assistant message") if is_assistant
                               else self.tr("Your message"))
        self.body.setAccessibleName(self.tr("Message text"))
        details = details_text(self._data)  # time, model, tokens, speed on hover
        for widget in (self, self.role_label):
            widget.setToolTip(details)
        self.setAccessibleDescription(details)
        if self._data.boxed and not self._data.is_streaming:
            label = self.tr("Answer")
            key = (self._data.boxed, label, theme.current().is_dark)
            if key != self._boxed_shown:
                self._boxed_shown = key
                self.boxed_label.set_piece(render_boxed(key[0], label, is_dark=key[2]))
        if self._boxed_label is not None:
            self._boxed_label.setAccessibleName(self.tr("Final answer"))
        self.answer_now_button.setText(self.tr("Answer now"))
        self.answer_now_button.setAccessibleName(self.tr("Stop thinking and answer now"))
        pairs = (
            (self.copy_button, self.tr("Copy"), self.tr("Copy this message")),
            (self.edit_button, self.tr("Edit"), self.tr("Edit and resend this message")),
            (self.regenerate_button, self.tr("Regenerate"), self.tr("Write a new answer")),
            (self.continue_button, self.tr("Continue"), self.tr("Continue this answer")),
            (self.check_button, self.tr("Check"),
             self.tr("Check this answer: ask the model again and compare the answers")),
            (self.delete_button, self.tr("Delete"), self.tr("Delete this message")),
            (self.prev_branch_button, "‹", self.tr("Previous version")),
            (self.next_branch_button, "›", self.tr("Next version")),
        )
        for button, text, name in pairs:
            button.setText(text)
            button.setAccessibleName(name)
            button.setToolTip(name)
        self.branch_label.setAccessibleName(self.tr("Version"))
        self.body.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._boxed_shown = None
            self.retranslate()
            self.reasoning.retranslate()
        super().changeEvent(event)

    def _on_reasoning_toggled(self, is_collapsed: bool) -> None:
        self._data = replace(self._data, is_reasoning_collapsed=is_collapsed)
        self.reasoning_toggled.emit(self._data.message_id, is_collapsed)

    def _on_answer_now_button_clicked(self) -> None:
        self.answer_now_requested.emit(self._data.message_id)

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self._data.content)
        self.copy_requested.emit(self._data.message_id)

    def _on_check_button_clicked(self) -> None:
        self.check_requested.emit(self._data.message_id)

    def _on_vote_panel_start_requested(self, samples: int) -> None:
        self.check_start_requested.emit(self._data.message_id, samples)

    def _on_vote_panel_samples_changed(self, samples: int) -> None:
        self.check_samples_changed.emit(self._data.message_id, samples)

    def _on_vote_panel_stop_requested(self) -> None:
        self.check_stop_requested.emit(self._data.message_id)

    def _on_student_answer_check_requested(self, answer: str) -> None:
        self.student_check_requested.emit(self._data.message_id, answer)

    def _on_edit_button_clicked(self) -> None:
        self.edit_requested.emit(self._data.message_id)

    def _on_regenerate_button_clicked(self) -> None:
        self.regenerate_requested.emit(self._data.message_id)

    def _on_continue_button_clicked(self) -> None:
        self.continue_requested.emit(self._data.message_id)

    def _on_delete_button_clicked(self) -> None:
        self.delete_requested.emit(self._data.message_id)

    def _on_prev_branch_button_clicked(self) -> None:
        self.branch_requested.emit(self._data.message_id, -1)

    def _on_next_branch_button_clicked(self) -> None:
        self.branch_requested.emit(self._data.message_id, +1)
