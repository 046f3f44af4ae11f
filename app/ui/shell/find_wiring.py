"""Connects the find bar, the conversation finder and chat-search hits.

Ctrl+F opens the find bar over the open conversation; a hit of the chat
search (Ctrl+Shift+F, the sidebar) opens its conversation scrolled to the
message, with the searched words highlighted.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from app.ui.chat.chat_view import ChatView
from app.ui.chat.find_bar import FindBar
from app.ui.chat.finder import ConversationFinder
from app.ui.shell.sidebar import Sidebar


class FindController(QObject):
    """Wires FindBar ↔ ConversationFinder, and sidebar search hits to jumps.

    Attributes:
        finder: the finder over the chat view.
        last_jump: the message id of the last chat-search hit shown (tests).
    """

    def __init__(self, bar: FindBar, view: ChatView, sidebar: Sidebar) -> None:
        super().__init__(bar)
        self._bar = bar
        self._sidebar = sidebar
        self.finder = ConversationFinder(view, self)
        self.last_jump: int | None = None
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(0)
        self._refresh.timeout.connect(self.finder.refresh)
        bar.search_changed.connect(self.finder.search)
        bar.next_requested.connect(self.finder.next)
        bar.previous_requested.connect(self.finder.previous)
        bar.closed.connect(self.finder.clear)
        self.finder.matches_changed.connect(bar.set_count)
        sidebar.hit_selected.connect(self._on_sidebar_hit_selected)
        sidebar.conversation_selected.connect(self._on_sidebar_conversation_selected)

    def _on_sidebar_hit_selected(self, _conversation_id: int, message_id: int) -> None:
        # The controller opened the conversation on conversation_selected, just before.
        self._refresh.stop()  # the hit, not the find bar's text, decides what is shown
        query = self._sidebar.search_box.text().strip()
        self.last_jump = message_id if self.finder.jump_to(message_id, query) else None

    def _on_sidebar_conversation_selected(self, _conversation_id: int) -> None:
        if self._bar.isVisible() and self._bar.text:
            self._refresh.start()  # search the newly opened conversation once it shows
