"""Hints mode in the window: which answers are hints, Reveal answer, Next hint.

A reply started in hints mode (the "Hints" preset, or a "Next hint" turn; the
instruction itself is put on the prompt by app.services) is remembered as a
hint answer in its conversation's settings (app.services.hints); "Reveal
answer" is remembered there too, per message. The chat's hint bars
(app.ui.chat.hint_bar) read the HintBook this object fills, and their
requests come back here.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject

from app.core.errors import PonderError
from app.services.hints import NEXT_HINT_TEXT, asks_for_hints, hint_state, mark_hint_answer, reveal
from app.services.replies import conversation_messages
from app.ui.chat.hint_bar import HintBook
from app.ui.shell.controller import ChatController
from app.ui.shell.settings_dialog import SettingsBinder

log = logging.getLogger(__name__)


class HintsMode(QObject):
    """Keeps the HintBook in step with the open conversation.

    Args:
        binder: the SettingsBinder (its `generate_options()` says whether hints mode is on).
        controller: the window's ChatController.
    """

    def __init__(self, binder: SettingsBinder, controller: ChatController) -> None:
        super().__init__(controller)
        self.binder = binder
        self.controller = controller
        self.book = HintBook(controller.window)
        self.book.latest = self._latest
        self.book.is_busy = lambda: controller.is_streaming
        self.book.reveal_requested.connect(self._on_book_reveal_requested)
        self.book.next_hint_requested.connect(self._on_book_next_hint_requested)
        controller.reply_started.connect(self._on_controller_reply_started)
        controller.reply_finished.connect(self._on_controller_reply_finished)
        controller.conversation_opened.connect(self._on_controller_conversation_opened)
        if controller.conversation_id is not None:
            self._on_controller_conversation_opened(controller.conversation_id)

    def refresh(self) -> None:
        """Show every hint answer of the open chat as the book says now."""
        view = self.controller.window.chat_view
        for data in view.messages:
            if self.book.is_hint(data.message_id):
                view.update_message(data)

    def _latest(self) -> int | None:
        messages = self.controller.window.chat_view.messages
        return messages[-1].message_id if messages else None

    def _on_controller_reply_started(self, message_id: int) -> None:
        store = self.controller.store
        try:
            message = store.get_message(message_id)
            if message.content or message.reasoning:
                self.refresh()  # Continue: the answer keeps what it was
                return
            path = store.active_path(message.conversation_id)
            ids = [m.id for m in path]
            before = path[:ids.index(message_id)] if message_id in ids else path
            is_hint = asks_for_hints(conversation_messages(before),
                                     self.binder.generate_options().hints)
            self.book.set_state(mark_hint_answer(store, message.conversation_id, message_id,
                                                 is_hint))
        except PonderError as exc:
            log.warning("hint answer not recorded: %s", exc)
            return
        self.refresh()

    def _on_controller_reply_finished(self, _message_id: int) -> None:
        self.refresh()

    def _on_controller_conversation_opened(self, conversation_id: int) -> None:
        try:
            self.book.set_state(hint_state(self.controller.store, conversation_id))
        except PonderError as exc:
            log.warning("hints state not read: %s", exc)
        self.refresh()

    def _on_book_reveal_requested(self, message_id: int) -> None:
        conversation_id = self.controller.conversation_id
        if conversation_id is None:
            return
        self.book.revealed.add(message_id)
        try:
            self.book.set_state(reveal(self.controller.store, conversation_id, message_id))
        except PonderError as exc:
            log.warning("reveal not saved: %s", exc)  # shown now, not remembered
        self.refresh()

    def _on_book_next_hint_requested(self, _message_id: int) -> None:
        if not self.controller.is_streaming:
            self.controller.send(NEXT_HINT_TEXT)
