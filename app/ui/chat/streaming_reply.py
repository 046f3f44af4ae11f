"""The reply being written: its text so far, saved in batches, shown through a throttle.

One StreamingReply lives from the start of a reply to its end. It owns what
the stream needs to know (request id, message id, reasoning and answer so
far, the latest notice, the thinking time), writes streamed text into the
store (which commits at most every ~250 ms) and re-renders the growing tail
of the message in the chat view at most once per STREAM_RENDER_INTERVAL_S.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from app.core.errors import PonderError
from app.core.types import GenerationStats
from app.store.chat_store import ChatStore
from app.store.records import MessageStatus, StoredMessage
from app.ui.chat.chat_view import ChatView
from app.ui.chat.message_data import MessageData, message_data
from app.ui.chat.throttle import Throttle

log = logging.getLogger(__name__)

STREAM_RENDER_INTERVAL_S = 0.03
"""At most one re-render of the streaming reply per this many seconds: batches
that arrive closer together (a busy GUI thread drains several at once) are
shown by one render."""


class StreamingReply(QObject):
    """One reply from its first batch to its saved end.

    Signals:
        updated(int): new text of the reply is on screen (message id).
    """

    updated = Signal(int)

    def __init__(self, store: ChatStore, view: ChatView, message: StoredMessage,
                 request_id: int, *, is_continuation: bool = False,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._view = view
        self.request_id = request_id
        """The engine request that feeds this reply; batches of other ids are stale."""
        self.message_id = message.id
        self.reasoning = message.reasoning if is_continuation else ""
        self.answer = message.content if is_continuation else ""
        self.notice = ""
        """The latest line about the reply (a loop warning, an error)."""
        self.thinking_s: float | None = message.thinking_s if is_continuation else None
        self._started = time.perf_counter()
        self._throttle = Throttle(STREAM_RENDER_INTERVAL_S, self._show, self)

    def add(self, reasoning: str, answer: str) -> None:
        """Take one batch of streamed text: save it and show it (throttled)."""
        if answer and not self.answer and self.thinking_s is None and self.reasoning:
            self.thinking_s = time.perf_counter() - self._started
        self.reasoning += reasoning
        self.answer += answer
        try:
            self._store.append_stream(self.message_id, reasoning, answer)
        except PonderError as exc:
            # The store keeps the text buffered and retries; finish_stream reports it.
            log.warning("streamed text not saved yet: %s", exc)
        self._throttle.request()

    def set_notice(self, text: str) -> None:
        """Show a line under the reply at once."""
        self.notice = text
        self._throttle.run_now()

    def view_data(self, message: StoredMessage) -> MessageData:
        """What the view shows for the stored reply while it streams."""
        return replace(message_data(message, self.notice), reasoning=self.reasoning,
                       content=self.answer, status=MessageStatus.STREAMING)

    def save_end(self, status: MessageStatus, *, stats: GenerationStats | None = None,
                 boxed: str | None = None) -> tuple[MessageData, str]:
        """Write the final text and status; returns what to show and an error ("" if saved).

        When the store fails the reply still ends (it stays `streaming` on disk
        and is marked interrupted at the next start), so the user can go on.
        """
        self._throttle.cancel()  # the final update shows everything
        if self.thinking_s is None and self.reasoning:
            self.thinking_s = time.perf_counter() - self._started
        try:
            self._store.finish_stream(self.message_id, status, stats=stats,
                                      thinking_s=self.thinking_s, boxed=boxed)
            if self.reasoning:
                self._store.set_reasoning_collapsed(self.message_id, True)
            return message_data(self._store.get_message(self.message_id), self.notice), ""
        except PonderError as exc:
            widget = self._view.widget_for(self.message_id)
            base = widget.data if widget else MessageData(self.message_id, "assistant", "")
            data = replace(base, content=self.answer, reasoning=self.reasoning,
                           thinking_s=self.thinking_s, status=MessageStatus.ERROR,
                           notice=self.notice)
            return data, str(exc)

    def _show(self) -> None:
        widget = self._view.widget_for(self.message_id)
        if widget is None:
            return
        self._view.update_message(replace(widget.data, reasoning=self.reasoning,
                                          content=self.answer,
                                          status=MessageStatus.STREAMING, notice=self.notice))
        self.updated.emit(self.message_id)
