"""ChatController: the conversation actions of the main window.

It wires the window's widgets to the store and the engine worker: send,
regenerate, edit, continue, branches, delete, the sidebar list and search,
export and import, model loads. One reply runs at a time; while it streams,
a StreamingReply (app.ui.chat.streaming_reply) owns its text, its store
writes and its throttled re-rendering, and batches of any other request id
are stale and ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QInputDialog

from app.core.errors import PonderError
from app.core.types import (
    BackendInfo,
    Finished,
    GenerateOptions,
    GenerationStats,
    StopReason,
)
from app.services.replies import conversation_prompt
from app.services.states import conversation_key, forget_deleted
from app.store.chat_store import ChatStore
from app.store.records import MessageStatus, StoredMessage
from app.ui.chat.math_queue import warm_up_renderer
from app.ui.chat.message_data import MessageData, message_data
from app.ui.chat.streaming_reply import StreamingReply
from app.ui.shell.conversation_files import export_file, import_file, sidebar_entries
from app.ui.shell.main_window import MainWindow
from app.ui.threads.worker import EngineClient, ModelMaker

log = logging.getLogger(__name__)

_STOP_TO_STATUS = {
    StopReason.EOS: MessageStatus.COMPLETE,
    StopReason.MAX_TOKENS: MessageStatus.COMPLETE,
    StopReason.CONTEXT_FULL: MessageStatus.COMPLETE,
    StopReason.CANCELLED: MessageStatus.CANCELLED,
    StopReason.ERROR: MessageStatus.ERROR,
}


class ChatController(QObject):
    """Runs conversations: send, stream, stop, regenerate, edit, branches.

    Signals:
        reply_started(int): a reply began streaming into this message id.
        reply_updated(int): new text of the streaming reply is on screen.
        reply_finished(int): the reply ended (any status) and is saved.
        conversation_opened(int): the view shows this conversation.
        model_changed(object): the BackendInfo of the loaded model (or None).
        error_shown(str): a message for the user was shown.
    """

    reply_started = Signal(int)
    reply_updated = Signal(int)
    reply_finished = Signal(int)
    conversation_opened = Signal(int)
    model_changed = Signal(object)
    error_shown = Signal(str)

    def __init__(self, store: ChatStore, client: EngineClient, window: MainWindow,
                 options: Callable[[], GenerateOptions] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.client = client
        self.window = window
        self._options = options or GenerateOptions
        self.conversation_id: int | None = None
        self.backend_info: BackendInfo | None = None
        self.reply: StreamingReply | None = None
        """The reply being written, if any."""
        self._search_text = ""
        self.show_dialogs = True
        """Tests turn message boxes off; errors still go to error_shown."""
        self._connect()
        self.refresh_sidebar()
        self._update_stack()

    # ----------------------------------------------------------------- wiring

    def _connect(self) -> None:
        w = self.window
        w.composer.send_requested.connect(self._on_composer_send_requested)
        w.stop_requested.connect(self.stop)
        w.export_requested.connect(self._on_window_export_requested)
        w.import_requested.connect(self._on_window_import_requested)
        w.copy_last_answer_requested.connect(self.copy_last_answer)
        w.sidebar.new_requested.connect(self.new_conversation)
        w.sidebar.conversation_selected.connect(self.open_conversation)
        w.sidebar.rename_requested.connect(self._on_sidebar_rename_requested)
        w.sidebar.delete_requested.connect(self.delete_conversation)
        w.sidebar.undo_delete_requested.connect(self._on_sidebar_undo_delete_requested)
        w.sidebar.search_changed.connect(self._on_sidebar_search_changed)
        v = w.chat_view
        v.regenerate_requested.connect(self.regenerate)
        v.edit_requested.connect(self._on_view_edit_requested)
        v.continue_requested.connect(self.continue_reply)
        v.delete_requested.connect(self.delete_message)
        v.branch_requested.connect(self.switch_branch)
        v.reasoning_toggled.connect(self._on_view_reasoning_toggled)
        v.answer_now_requested.connect(self._on_view_answer_now_requested)
        c = self.client
        c.token_batch_ready.connect(self._on_client_token_batch_ready)
        c.progress.connect(self._on_client_progress)
        c.notice.connect(self._on_client_notice)
        c.finished.connect(self._on_client_finished)
        c.failed.connect(self._on_client_failed)
        c.model_loaded.connect(self._on_client_model_loaded)
        c.load_failed.connect(self._on_client_load_failed)

    def start(self) -> None:
        """After the window shows: open the newest conversation, warm up the renderer."""
        warm_up_renderer()
        conversations = self.store.list_conversations()
        if conversations and self.conversation_id is None:
            self.open_conversation(conversations[0].id)

    # ------------------------------------------------------------------ model

    def load_model(self, make: ModelMaker) -> None:
        """Use a model built by `make` on the worker thread (answered by model_changed).

        Files and servers load through app.ui.shell.model_loads.ModelLoads.
        """
        self.window.status.showMessage(self.tr("Loading the model…"))
        self.client.adopt(make)

    @property
    def is_streaming(self) -> bool:
        """Whether a reply is being written."""
        return self.reply is not None

    # ---------------------------------------------------------- conversations

    def refresh_sidebar(self) -> None:
        """Re-list conversations, or search hits while searching."""
        try:
            entries = sidebar_entries(self.store, self._search_text)
        except PonderError as exc:
            self._show_error(str(exc))
            return
        self.window.sidebar.set_current(self.conversation_id)
        self.window.sidebar.set_entries(entries)

    def new_conversation(self) -> int:
        """Start an empty conversation and show it."""
        if self.is_streaming:
            self.stop()
        conv = self.store.create_conversation(self.tr("New chat"))
        self.open_conversation(conv.id)
        self.refresh_sidebar()
        self.window.composer.input.setFocus()
        return conv.id

    def open_conversation(self, conversation_id: int) -> None:
        """Show a conversation's active branch."""
        if self.is_streaming and conversation_id != self.conversation_id:
            self.stop()
        self.conversation_id = conversation_id
        self.window.sidebar.set_current(conversation_id)
        self._reload_path()
        self.conversation_opened.emit(conversation_id)

    def delete_conversation(self, conversation_id: int) -> None:
        """Move a conversation to the trash and offer undo."""
        title = self.store.get_conversation(conversation_id).title
        if conversation_id == self.conversation_id:
            if self.is_streaming:
                self.stop()
            self.conversation_id = None
            self.window.chat_view.set_messages([])
        self.store.delete_conversation(conversation_id)
        forget_deleted(self.store)  # its saved model state goes with it
        self.window.sidebar.show_undo(conversation_id, title)
        self.refresh_sidebar()
        self._update_stack()

    def _reload_path(self) -> None:
        if self.conversation_id is None:
            self.window.chat_view.set_messages([])
        else:
            path = self.store.active_path(self.conversation_id)
            self.window.chat_view.set_messages([self._data_for(m) for m in path])
        self._update_stack()

    def _data_for(self, message: StoredMessage) -> MessageData:
        if self.reply is not None and message.id == self.reply.message_id:
            return self.reply.view_data(message)
        return message_data(message)

    def _update_stack(self) -> None:
        has_messages = bool(self.window.chat_view.messages)
        self.window.show_chat(has_messages or self.backend_info is not None)

    # ---------------------------------------------------------------- replies

    def send(self, text: str) -> None:
        """Save the user's message and start the reply."""
        if self.is_streaming:
            return
        try:
            if self.conversation_id is None:
                self.conversation_id = self.store.create_conversation(_title_from(text)).id
            elif not self.store.active_path(self.conversation_id):
                self.store.rename_conversation(self.conversation_id, _title_from(text))
            user = self.store.add_user_message(self.conversation_id, text)
            reply = self.store.start_reply(user.id, model=self._model_name())
        except PonderError as exc:
            # The composer was cleared on send: give the text back so it is not lost.
            if not self.window.composer.text:
                self.window.composer.set_text(text)
            self._show_error(str(exc))
            self.refresh_sidebar()
            return
        self._start_reply(reply)
        self.refresh_sidebar()

    def regenerate(self, message_id: int) -> None:
        """Write a new answer next to `message_id`; the old one stays reachable."""
        if self.is_streaming:
            return
        self._start_reply(self.store.regenerate(message_id, model=self._model_name()))

    def edit_and_resend(self, message_id: int, text: str) -> None:
        """Store an edited user message as a new branch and answer it."""
        if self.is_streaming or not text.strip():
            return
        user = self.store.edit_user_message(message_id, text.strip())
        self._start_reply(self.store.start_reply(user.id, model=self._model_name()))

    def continue_reply(self, message_id: int) -> None:
        """Continue a stopped answer from where it ended."""
        if self.is_streaming:
            return
        message = self.store.continue_reply(message_id)
        self._start_reply(message, is_continuation=True)

    def switch_branch(self, message_id: int, step: int) -> None:
        """Show the previous (-1) or next (+1) sibling of a message."""
        if self.is_streaming:
            return
        siblings = self.store.siblings(message_id)
        ids = [m.id for m in siblings]
        if message_id not in ids:
            return
        index = ids.index(message_id) + step
        if 0 <= index < len(ids):
            self.store.activate(ids[index])
            self._reload_path()

    def delete_message(self, message_id: int) -> None:
        """Delete a message and every reply below it."""
        if self.is_streaming:
            return
        self.store.delete_message(message_id)
        self._reload_path()

    def stop(self) -> None:
        """Stop the current reply; the partial text is kept."""
        if self.is_streaming:
            self.client.cancel()

    def answer_now(self) -> None:
        """Close the think block of the current reply and answer."""
        if self.is_streaming:
            self.client.answer_now()

    def copy_last_answer(self) -> str:
        """Put the newest answer on the clipboard; returns it."""
        for data in reversed(self.window.chat_view.messages):
            if data.role == "assistant" and data.content:
                QGuiApplication.clipboard().setText(data.content)
                return data.content
        return ""

    def _model_name(self) -> str:
        return self.backend_info.model_name if self.backend_info else ""

    def _start_reply(self, reply: StoredMessage, *, is_continuation: bool = False) -> None:
        assert self.conversation_id is not None or reply.conversation_id
        self.conversation_id = reply.conversation_id
        path = self.store.active_path(reply.conversation_id)
        ids = [m.id for m in path]
        end = ids.index(reply.id) + int(is_continuation) if reply.id in ids else len(path)
        options = replace(self._options(), conversation=conversation_key(reply.conversation_id))
        # The conversation's standing instructions lead as a system message; hints mode
        # puts its instruction on the latest user turn (app.services.hints).
        history = conversation_prompt(self.store, reply.conversation_id, path[:end],
                                      hints=options.hints)
        request_id = self.client.generate(history, options)
        self.reply = StreamingReply(self.store, self.window.chat_view, reply, request_id,
                                    is_continuation=is_continuation, parent=self)
        self.reply.updated.connect(self.reply_updated)
        self.window.composer.set_busy(True)
        self._reload_path()
        self.reply_started.emit(reply.id)

    def _current(self, rid: int) -> StreamingReply | None:
        """The streaming reply if `rid` is its request (else a stale one: ignore it)."""
        reply = self.reply
        return reply if reply is not None and reply.request_id == rid else None

    def _on_client_token_batch_ready(self, rid: int, reasoning: str, answer: str) -> None:
        reply = self._current(rid)
        if reply is not None:
            reply.add(reasoning, answer)

    def _on_client_progress(self, rid: int, tokens: int, tps: float) -> None:
        if self._current(rid) is not None:
            self.window.status.set_speed(tps)

    def _on_client_notice(self, rid: int, kind: str, message: str) -> None:
        reply = self._current(rid)
        if reply is not None:
            reply.set_notice(message)

    def _on_client_finished(self, rid: int, result: object) -> None:
        if self._current(rid) is None or not isinstance(result, Finished):
            return
        stats = result.stats
        status = _STOP_TO_STATUS.get(stats.stop_reason, MessageStatus.COMPLETE)
        self._end_reply(status, stats=stats, boxed=result.boxed)
        self.window.status.set_speed(stats.decode_tps or None)
        self.window.status.set_context_used(stats.prompt_tokens + stats.completion_tokens)

    def _on_client_failed(self, rid: int, message: str) -> None:
        reply = self._current(rid)
        if reply is None:
            return
        reply.notice = message
        self._end_reply(MessageStatus.ERROR, stats=None, boxed=None)
        self._show_error(message)

    def _end_reply(self, status: MessageStatus, *, stats: GenerationStats | None,
                   boxed: str | None) -> None:
        reply = self.reply
        assert reply is not None
        data, error = reply.save_end(status, stats=stats, boxed=boxed)
        self.reply = None
        reply.deleteLater()
        self.window.composer.set_busy(False)
        self.window.chat_view.update_message(data)
        self.refresh_sidebar()
        if error:
            self._show_error(error)
        self.reply_finished.emit(reply.message_id)

    def _on_client_model_loaded(self, info: object) -> None:
        if not isinstance(info, BackendInfo):
            return
        self.backend_info = info
        self.window.status.clearMessage()
        self.window.status.set_backend(info)
        self._update_stack()
        self.model_changed.emit(info)

    def _on_client_load_failed(self, message: str) -> None:
        self.window.status.clearMessage()
        self._show_error(message)

    # --------------------------------------------------------------- settings

    def _on_view_reasoning_toggled(self, message_id: int, is_collapsed: bool) -> None:
        if message_id > 0:
            self.store.set_reasoning_collapsed(message_id, is_collapsed)

    def _on_view_answer_now_requested(self, _message_id: int) -> None:
        self.answer_now()

    def _on_view_edit_requested(self, message_id: int) -> None:
        old = self.store.get_message(message_id).content
        text, ok = QInputDialog.getMultiLineText(self.window, self.tr("Edit message"),
                                                 self.tr("Your message:"), old)
        if ok:
            self.edit_and_resend(message_id, text)

    def _on_composer_send_requested(self, text: str) -> None:
        self.send(text)

    def _on_sidebar_rename_requested(self, conversation_id: int, title: str) -> None:
        self.store.rename_conversation(conversation_id, title)
        self.refresh_sidebar()

    def _on_sidebar_undo_delete_requested(self, conversation_id: int) -> None:
        self.store.restore_conversation(conversation_id)
        self.refresh_sidebar()

    def _on_sidebar_search_changed(self, text: str) -> None:
        self._search_text = text
        self.refresh_sidebar()

    # ------------------------------------------------------------ exchange

    def export_conversation(self, fmt: str, path: str) -> bool:
        """Write the open conversation as Markdown (active branch) or JSON (all)."""
        if self.conversation_id is None:
            return False
        try:
            export_file(self.store, self.conversation_id, fmt, Path(path))
        except PonderError as exc:
            self._show_error(str(exc))
            return False
        return True

    def import_conversation(self, path: str) -> int | None:
        """Read a JSON export as a new conversation and open it."""
        try:
            conv = import_file(self.store, Path(path))
        except PonderError as exc:
            self._show_error(str(exc))
            return None
        self.refresh_sidebar()
        self.open_conversation(conv.id)
        return conv.id

    def _on_window_export_requested(self, fmt: str, path: str) -> None:
        self.export_conversation(fmt, path)

    def _on_window_import_requested(self, path: str) -> None:
        self.import_conversation(path)

    def show_error(self, message: str) -> None:
        """Tell the user (a message box unless tests turned them off)."""
        self._show_error(message)

    def _show_error(self, message: str) -> None:
        log.info("shown to the user: %s", message)
        self.error_shown.emit(message)
        if self.show_dialogs:
            self.window.show_error(self.tr("Ponder"), message)


def _title_from(text: str) -> str:
    line = " ".join(text.split())
    return line[:48] + ("…" if len(line) > 48 else "")
