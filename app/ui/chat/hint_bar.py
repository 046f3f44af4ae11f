"""Hints mode under an answer: the hidden final answer, "Reveal answer" and "Next hint".

What is hidden is decided in app.services.hints (`hint_view`); this module
only shows it. `HintBook` (one per window) knows which
answers were written in hints mode, which were revealed and which message is
the newest; the window's HintsMode (app.ui.shell.hints_mode) fills it from the
store and answers its requests. A message widget calls `hints_shown` with the
data it is about to show and gets the data with the answer hidden, and the bar
mounted under its text when the message is a hint answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from app.services.hints import HintState, hint_view
from app.ui.chat.message_data import MessageData


class HintBook(QObject):
    """Which answers are hints, which are revealed; requests from the bars.

    One per window, as its direct child (`book_of` finds it from any message).

    Signals:
        reveal_requested(int): show the hidden answer of this message.
        next_hint_requested(int): send "Next hint" after this message.
    """

    reveal_requested = Signal(int)
    next_hint_requested = Signal(int)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.answers: set[int] = set()
        self.revealed: set[int] = set()
        self.latest: Callable[[], int | None] = lambda: None
        """The newest message of the open chat (set by the window's HintsMode)."""
        self.is_busy: Callable[[], bool] = lambda: False
        """Whether a reply is being written (no "Next hint" meanwhile)."""

    def set_state(self, state: HintState) -> None:
        """Hold the open conversation's stored state (only its messages are on screen)."""
        self.answers = set(state.answers)
        self.revealed = set(state.revealed)

    def is_hint(self, message_id: int) -> bool:
        """Whether this answer was written in hints mode."""
        return message_id in self.answers

    def is_revealed(self, message_id: int) -> bool:
        """Whether the user revealed this answer."""
        return message_id in self.revealed


def book_of(widget: QWidget) -> HintBook | None:
    """The HintBook of the window `widget` is in (None: hints mode is not wired there)."""
    return widget.window().findChild(HintBook, options=Qt.FindChildOption.FindDirectChildrenOnly)


class HintBar(QWidget):
    """The row under a hint answer: a note, "Reveal answer" and "Next hint"."""

    def __init__(self, book: HintBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hintBar")
        self.book = book
        self.message_id = 0
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 2, 0, 2)
        row.setSpacing(6)
        self.note = QLabel(self)
        self.note.setObjectName("hintNote")
        self.note.setWordWrap(True)
        self.reveal_button = QPushButton(self)
        self.reveal_button.clicked.connect(self._on_reveal_button_clicked)
        self.next_button = QPushButton(self)
        self.next_button.clicked.connect(self._on_next_button_clicked)
        row.addWidget(self.note, 1)
        row.addWidget(self.reveal_button)
        row.addWidget(self.next_button)
        self._has_hidden = False
        self.retranslate()

    def show_state(self, message_id: int, *, has_hidden: bool, can_continue: bool) -> None:
        """Show the buttons that apply to this answer now."""
        self.message_id = message_id
        self._has_hidden = has_hidden
        self.reveal_button.setVisible(has_hidden)
        self.next_button.setVisible(can_continue)
        self.retranslate()
        self.setVisible(True)

    def reasoning_placeholder(self) -> str:
        """Stands for the hidden reasoning (it holds the whole solution)."""
        return self.tr("The reasoning holds the whole solution, so it stays hidden until "
                       "you reveal the answer.")

    def retranslate(self) -> None:
        """Set the user-visible texts in the current language."""
        self.note.setText(self.tr("Hint. The answer is hidden.") if self._has_hidden
                          else self.tr("Hint."))
        self.reveal_button.setText(self.tr("Reveal answer"))
        self.reveal_button.setAccessibleName(self.tr("Reveal the hidden answer and reasoning"))
        self.next_button.setText(self.tr("Next hint"))
        self.next_button.setAccessibleName(self.tr("Ask for the next hint"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _on_reveal_button_clicked(self) -> None:
        self.book.reveal_requested.emit(self.message_id)

    def _on_next_button_clicked(self) -> None:
        self.book.next_hint_requested.emit(self.message_id)


def hint_bar_of(message: QWidget) -> HintBar | None:
    """The hint bar mounted on a message widget, if any."""
    return message.findChild(HintBar, options=Qt.FindChildOption.FindDirectChildrenOnly)


def hints_shown(message: QWidget, body: QWidget, data: MessageData) -> MessageData:
    """What `message` shows of `data`: in a hint answer the answer and reasoning hidden.

    Mounts the hint bar under `body` the first time a message is a hint answer.
    """
    bar = hint_bar_of(message)
    book = book_of(message) if data.role == "assistant" else None
    if book is None or not book.is_hint(data.message_id):
        if bar is not None:
            bar.setVisible(False)
        return data
    revealed = book.is_revealed(data.message_id)
    view = hint_view(data.content, data.reasoning, revealed)
    if bar is None:
        bar = HintBar(book, message)
        layout = message.layout()
        if isinstance(layout, QBoxLayout):
            layout.insertWidget(layout.indexOf(body) + 1, bar)
    can_continue = (not data.is_streaming and not book.is_busy()
                    and book.latest() == data.message_id)
    bar.show_state(data.message_id, has_hidden=view.has_hidden, can_continue=can_continue)
    if revealed:
        return data
    reasoning = bar.reasoning_placeholder() if view.reasoning_hidden else data.reasoning
    return replace(data, content=view.content, reasoning=reasoning, boxed=None)
