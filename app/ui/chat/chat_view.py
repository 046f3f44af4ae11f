"""The message list: one widget per message in a scroll area.

Long conversations open fast because only the newest `page_size` messages
(a screenful or two) get widgets; "Show earlier messages" adds the next page
above them.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QPushButton, QScrollArea, QVBoxLayout, QWidget

from app.ui.chat.message_data import MessageData
from app.ui.chat.message_widget import MessageWidget
from app.ui.chat.trim_divider import TrimDivider


class ChatView(QScrollArea):
    """Shows the active path of one conversation.

    Signals:
        copy_requested(int), edit_requested(int), regenerate_requested(int),
        continue_requested(int), delete_requested(int),
        branch_requested(int, int), reasoning_toggled(int, bool),
        answer_now_requested(int): forwarded from the message widgets.
        widget_created(object): a MessageWidget was built (the tutor wires it).
    """

    copy_requested = Signal(int)
    edit_requested = Signal(int)
    regenerate_requested = Signal(int)
    continue_requested = Signal(int)
    delete_requested = Signal(int)
    branch_requested = Signal(int, int)
    reasoning_toggled = Signal(int, bool)
    answer_now_requested = Signal(int)
    widget_created = Signal(object)

    def __init__(self, parent: QWidget | None = None, page_size: int = 12) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._page_size = page_size
        self._container = QWidget(self)
        self._layout = QVBoxLayout(self._container)
        self._layout.setContentsMargins(16, 12, 16, 12)
        self._layout.setSpacing(10)
        self.more_button = QPushButton(self._container)
        self.more_button.clicked.connect(self._on_more_button_clicked)
        self._layout.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self._layout.addStretch(1)
        self.setWidget(self._container)
        self.trim_divider = TrimDivider(self._container)
        self.trim_divider.hide()
        self._trimmed_before: int | None = None
        self._all: list[MessageData] = []
        self._widgets: dict[int, MessageWidget] = {}
        self._first_shown = 0
        self._is_following = True
        self.verticalScrollBar().rangeChanged.connect(self._on_scrollbar_range_changed)
        self.verticalScrollBar().valueChanged.connect(self._on_scrollbar_value_changed)
        self.retranslate()

    @property
    def message_widgets(self) -> list[MessageWidget]:
        """The widgets shown, oldest first."""
        return [self._widgets[m.message_id] for m in self._all[self._first_shown:]
                if m.message_id in self._widgets]

    @property
    def messages(self) -> list[MessageData]:
        """All messages of the path, shown or not."""
        return list(self._all)

    def widget_for(self, message_id: int) -> MessageWidget | None:
        """The widget of a message, if it is shown."""
        return self._widgets.get(message_id)

    def set_messages(self, messages: Sequence[MessageData]) -> None:
        """Replace the list, reusing widgets of unchanged messages."""
        old = self._widgets
        self._widgets = {}
        self._all = list(messages)
        self._first_shown = max(0, len(self._all) - self._page_size)
        for widget in old.values():
            self._layout.removeWidget(widget)
        for index, data in enumerate(self._all[self._first_shown:]):
            if data.message_id in old:
                widget = old.pop(data.message_id)
                if widget.data != data:
                    widget.set_data(data)
            else:
                widget = self._make_widget(data)
            self._widgets[data.message_id] = widget
            self._layout.insertWidget(1 + index, widget)
        for widget in old.values():
            widget.deleteLater()
        self.more_button.setVisible(self._first_shown > 0)
        self._place_trim_divider()
        self._is_following = True
        self.scroll_to_bottom()

    def set_trimmed_before(self, message_id: int | None, dropped: int = 0) -> None:
        """Show the divider above `message_id` (None: the model sees every message)."""
        self._trimmed_before = message_id
        self.trim_divider.set_dropped(dropped)
        self._place_trim_divider()

    def _place_trim_divider(self) -> None:
        self._layout.removeWidget(self.trim_divider)
        widget = self._widgets.get(self._trimmed_before or 0)
        if widget is None:
            self.trim_divider.hide()
            return
        self._layout.insertWidget(self._layout.indexOf(widget), self.trim_divider)
        self.trim_divider.show()

    def set_text_size(self, points: int) -> None:
        """Show messages in a `points`-sized font (formulas are re-rendered to match)."""
        # A style sheet, not setFont: widgets the app's style sheet polishes do not
        # inherit a parent's font. font-size alone keeps each family (code stays fixed).
        sheet = (f"QWidget {{ font-size: {points}pt; }} "
                 f"QLabel#codeLanguage {{ font-size: {max(6, points - 2)}pt; }}")
        if self._container.styleSheet() == sheet:
            return
        self._container.setStyleSheet(sheet)
        old, self._widgets = self._widgets, {}
        for widget in old.values():
            self._layout.removeWidget(widget)
            widget.deleteLater()
        self.set_messages(self._all)

    def append(self, data: MessageData) -> MessageWidget:
        """Add one message at the end and follow it."""
        self._all.append(data)
        widget = self._make_widget(data)
        self._widgets[data.message_id] = widget
        self._layout.insertWidget(self._layout.count() - 1, widget)
        self._is_following = True
        self.scroll_to_bottom()
        return widget

    def update_message(self, data: MessageData) -> None:
        """Show new data for a message already in the list."""
        for index, old in enumerate(self._all):
            if old.message_id == data.message_id:
                self._all[index] = data
                break
        widget = self._widgets.get(data.message_id)
        if widget is not None:
            widget.set_data(data)

    def replace_id(self, old_id: int, data: MessageData) -> None:
        """Give a message its final id (after the store saved it)."""
        for index, old in enumerate(self._all):
            if old.message_id == old_id:
                self._all[index] = data
        widget = self._widgets.pop(old_id, None)
        if widget is not None:
            self._widgets[data.message_id] = widget
            widget.set_data(data)

    def scroll_to_bottom(self) -> None:
        """Scroll to the newest message (after layout settles)."""
        QTimer.singleShot(0, self._on_scroll_timer_timeout)

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        self.more_button.setText(self.tr("Show earlier messages"))
        self.more_button.setAccessibleName(self.tr("Show earlier messages"))
        self.setAccessibleName(self.tr("Conversation"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _make_widget(self, data: MessageData) -> MessageWidget:
        widget = MessageWidget(data, self._container)
        widget.copy_requested.connect(self.copy_requested)
        widget.edit_requested.connect(self.edit_requested)
        widget.regenerate_requested.connect(self.regenerate_requested)
        widget.continue_requested.connect(self.continue_requested)
        widget.delete_requested.connect(self.delete_requested)
        widget.branch_requested.connect(self.branch_requested)
        widget.reasoning_toggled.connect(self.reasoning_toggled)
        widget.answer_now_requested.connect(self.answer_now_requested)
        self.widget_created.emit(widget)
        return widget

    def _on_more_button_clicked(self) -> None:
        start = max(0, self._first_shown - self._page_size)
        for offset, data in enumerate(self._all[start:self._first_shown]):
            widget = self._make_widget(data)
            self._widgets[data.message_id] = widget
            self._layout.insertWidget(1 + offset, widget)
        self._first_shown = start
        self.more_button.setVisible(start > 0)
        self._place_trim_divider()
        self._is_following = False

    def _on_scroll_timer_timeout(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _on_scrollbar_range_changed(self, _low: int, high: int) -> None:
        if self._is_following:
            self.verticalScrollBar().setValue(high)

    def _on_scrollbar_value_changed(self, value: int) -> None:
        self._is_following = value >= self.verticalScrollBar().maximum() - 8
