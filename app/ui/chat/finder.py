"""Find in the open conversation: highlight every match, step through them, jump to a message.

Matches are found in what the message widgets show (their browsers'
documents), so rendered math and markup never produce false hits. Messages
whose text matches but that have no widget yet (older than the first page)
are given one first. Every match gets a soft highlight and the current one a
strong one; the view scrolls to the current match.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextBrowser, QTextEdit, QWidget

from app.ui.chat.chat_view import ChatView
from app.ui.chat.message_widget import MessageWidget
from app.ui.common import theme


@dataclass
class Match:
    """One occurrence of the text.

    Attributes:
        message_id: the message it is in.
        browser: the browser showing it.
        cursor: its selection in the browser's document.
    """

    message_id: int
    browser: QTextBrowser
    cursor: QTextCursor


def _colors() -> tuple[QColor, QColor]:
    if theme.current().is_dark:
        return QColor("#5c4a12"), QColor("#b8860b")
    return QColor("#fff1a8"), QColor("#ffb347")


class ConversationFinder(QObject):
    """Finds text in a ChatView and highlights it.

    Signals:
        matches_changed(int, int): the current match (from 1; 0: none) and the total.
    """

    matches_changed = Signal(int, int)

    def __init__(self, view: ChatView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._view = view
        self._text = ""
        self._matches: list[Match] = []
        self._index = -1
        self._painted: list[QTextBrowser] = []

    @property
    def matches(self) -> list[Match]:
        """The matches found by the last search, in reading order."""
        return list(self._matches)

    @property
    def current(self) -> Match | None:
        """The match shown as current."""
        return self._matches[self._index] if 0 <= self._index < len(self._matches) else None

    def search(self, text: str) -> int:
        """Find `text` (case-insensitive); the newest match becomes current.

        Returns:
            How many matches there are.
        """
        self._text = text
        self._collect(text)
        self._index = len(self._matches) - 1
        self._show()
        return len(self._matches)

    def next(self) -> None:
        """Make the next match current (wrapping around)."""
        if self._matches:
            self._index = (self._index + 1) % len(self._matches)
            self._show()

    def previous(self) -> None:
        """Make the previous match current (wrapping around)."""
        if self._matches:
            self._index = (self._index - 1) % len(self._matches)
            self._show()

    def jump_to(self, message_id: int, text: str) -> bool:
        """Scroll to a message and highlight `text` in it (a chat-search hit).

        Returns:
            False when the message is not on the conversation's shown path.
        """
        widget = self._ensure_shown(message_id)
        if widget is None:
            return False
        self._text = text
        self._collect(text)
        inside = [i for i, match in enumerate(self._matches) if match.message_id == message_id]
        self._index = inside[0] if inside else -1
        self._show()
        if not inside:
            self._scroll_to_widget(widget)
        return True

    def clear(self) -> None:
        """Remove every highlight."""
        self._text = ""
        self._matches = []
        self._index = -1
        self._paint()
        self.matches_changed.emit(0, 0)

    def refresh(self) -> None:
        """Search again for the same text (the conversation changed)."""
        if self._text:
            self.search(self._text)

    def _ensure_shown(self, message_id: int) -> MessageWidget | None:
        view = self._view
        if all(m.message_id != message_id for m in view.messages):
            return None
        while view.widget_for(message_id) is None and view.more_button.isVisible():
            view.more_button.click()
        return view.widget_for(message_id)

    def _collect(self, text: str) -> None:
        self._matches = []
        if not text:
            return
        folded = text.casefold()
        for data in self._view.messages:
            if folded in data.content.casefold():
                self._ensure_shown(data.message_id)
                break
        for widget in self._view.message_widgets:
            for browser in widget.findChildren(QTextBrowser):
                if not browser.isVisibleTo(widget):
                    continue
                document = browser.document()
                cursor = document.find(text, 0)
                while not cursor.isNull():
                    self._matches.append(Match(widget.message_id, browser, cursor))
                    cursor = document.find(text, cursor)

    def _show(self) -> None:
        self._paint()
        self.matches_changed.emit(self._index + 1 if self._matches else 0, len(self._matches))
        current = self.current
        if current is not None:
            # After the layout settles: new widgets have no geometry yet.
            QTimer.singleShot(0, lambda: self._scroll_to(current))

    def _paint(self) -> None:
        soft, strong = _colors()
        by_browser: dict[int, list[QTextEdit.ExtraSelection]] = {}
        browsers: dict[int, QTextBrowser] = {}
        for index, match in enumerate(self._matches):
            selection = QTextEdit.ExtraSelection()
            selection.cursor = match.cursor
            fmt = QTextCharFormat()
            fmt.setBackground(strong if index == self._index else soft)
            selection.format = fmt
            by_browser.setdefault(id(match.browser), []).append(selection)
            browsers[id(match.browser)] = match.browser
        for browser in self._painted:
            if id(browser) not in browsers:
                with contextlib.suppress(RuntimeError):  # the widget may be deleted
                    browser.setExtraSelections([])
        for key, browser in browsers.items():
            browser.setExtraSelections(by_browser[key])
        self._painted = list(browsers.values())

    def _scroll_to(self, match: Match) -> None:
        try:
            rect = match.browser.cursorRect(match.cursor)
            container = self._view.widget()
            if container is None:
                return
            point = match.browser.viewport().mapTo(container, rect.center())
        except RuntimeError:  # the widget was deleted meanwhile
            return
        margin = max(40, self._view.viewport().height() // 3)
        self._view.ensureVisible(point.x(), point.y(), 20, margin)

    def _scroll_to_widget(self, widget: QWidget) -> None:
        QTimer.singleShot(0, lambda: self._view.ensureWidgetVisible(widget, 20, 40))
