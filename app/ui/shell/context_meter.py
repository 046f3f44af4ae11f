"""The live context meter: how much of the model's context the open chat takes.

It counts what the model really reads (ModelHost.measure: the chat template,
the family's rules, history answers without their reasoning, fitted to the
context), and updates

- right after a chat opens and after a reply ends (the next prompt: the
  history plus an empty user turn),
- when a reply's prompt is built (the messages sent, exactly as the
  controller sends them),
- while the reply streams (that prompt plus the reply's tokens so far).

Measuring only tokenizes, but a long chat is rendered and tokenized again on
every measure (more when it must be trimmed), so it runs on a measuring
thread; only the newest request's result is shown. When the oldest turns are
dropped to fit, the chat view shows a divider above the first message the
model still reads.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal

from app.core.types import ChatMessage, GenerateOptions, PromptMeasure, Role
from app.store.records import StoredMessage
from app.ui.shell.controller import ChatController

log = logging.getLogger(__name__)

MeasureFn = Callable[[Sequence[ChatMessage], GenerateOptions], PromptMeasure | None]
"""(messages, options) -> the prompt's measure, or None without a model."""


class ContextMeter(QObject):
    """Keeps the status bar's context figure and the trim divider current.

    Args:
        controller: the window's ChatController (its store, client and signals).
        options: the options the next reply uses (the settings binder's).
        measure: how to measure a prompt (default: the worker's ModelHost).

    Signals:
        measured(object): a PromptMeasure of the open chat is on screen.
    """

    measured = Signal(object)
    _result_ready = Signal(int, object, float)  # ticket, PromptMeasure | None, ms (any thread)

    def __init__(self, controller: ChatController, options: Callable[[], GenerateOptions],
                 measure: MeasureFn | None = None) -> None:
        super().__init__(controller)
        self.controller = controller
        self._options = options
        self._measure = measure or controller.client.host.measure
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ponder-measure")
        self._ticket = 0
        self._ids: list[int] = []  # store ids of the measured messages, in prompt order
        self._reply_rid = 0  # the request whose prompt was measured last (0: none)
        self._base: PromptMeasure | None = None
        self._reply_tokens = 0
        self.last: PromptMeasure | None = None
        """The measure shown last."""
        self.last_ms = 0.0
        """How long the last measure took, in milliseconds."""
        self._result_ready.connect(self._on_result_ready)
        controller.conversation_opened.connect(self._on_controller_conversation_opened)
        controller.reply_started.connect(self._on_controller_reply_started)
        controller.reply_finished.connect(self._on_controller_reply_finished)
        controller.model_changed.connect(self._on_controller_model_changed)
        controller.client.progress.connect(self._on_client_progress)

    def refresh(self) -> None:
        """Measure the open chat as the next prompt will see it."""
        controller = self.controller
        if controller.reply is not None:
            return  # the streaming reply's prompt is what the model reads now
        path = self._path()
        messages = [_chat_message(m) for m in path]
        messages.append(ChatMessage(Role.USER, ""))  # the turn the user writes next
        self._start([m.id for m in path], messages, rid=0)

    def shutdown(self) -> None:
        """Stop the measuring thread (a running measure finishes first)."""
        self._ticket += 1
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _path(self) -> list[StoredMessage]:
        cid = self.controller.conversation_id
        return self.controller.store.active_path(cid) if cid is not None else []

    def _start(self, ids: list[int], messages: list[ChatMessage], rid: int) -> None:
        self._ticket += 1
        self._ids = ids
        self._reply_rid = rid
        self._base = None
        self._reply_tokens = 0
        if self.controller.backend_info is None:
            self._show(None)
            return
        ticket, options, measure = self._ticket, self._options(), self._measure

        def job() -> None:
            started = time.perf_counter()
            try:
                result: PromptMeasure | None = measure(messages, options)
            except Exception:  # a backend being swapped, a template error: no figure
                log.exception("measuring the prompt failed")
                result = None
            with contextlib.suppress(RuntimeError):  # RuntimeError: the window is gone
                self._result_ready.emit(ticket, result, (time.perf_counter() - started) * 1e3)

        with contextlib.suppress(RuntimeError):  # RuntimeError: shut down
            self._pool.submit(job)

    def _on_result_ready(self, ticket: int, result: object, ms: float) -> None:
        if ticket != self._ticket:
            return  # an older request: the chat or the reply changed since
        self.last_ms = ms
        log.debug("context measured in %.1f ms", ms)
        self._show(result if isinstance(result, PromptMeasure) else None)

    def _show(self, measure: PromptMeasure | None) -> None:
        self.last = measure
        self._base = measure
        status = self.controller.window.status
        view = self.controller.window.chat_view
        if measure is None:
            status.set_context_used(0)
            view.set_trimmed_before(None)
            return
        status.set_context_used(measure.tokens + self._reply_tokens, measure.n_ctx or None)
        first_kept = measure.dropped_messages
        if first_kept and self._ids and self._is_system_first():
            first_kept += 1  # a leading system message is always kept
        if measure.dropped_messages and first_kept < len(self._ids):
            view.set_trimmed_before(self._ids[first_kept], measure.dropped_messages)
        else:
            view.set_trimmed_before(None)
        self.measured.emit(measure)

    def _is_system_first(self) -> bool:
        path = self._path()
        return bool(path) and path[0].role == Role.SYSTEM.value

    # -- controller and client events -------------------------------------------

    def _on_controller_conversation_opened(self, _conversation_id: int) -> None:
        self.refresh()

    def _on_controller_model_changed(self, _info: object) -> None:
        self.refresh()

    def _on_controller_reply_finished(self, _message_id: int) -> None:
        self.refresh()

    def _on_controller_reply_started(self, message_id: int) -> None:
        reply = self.controller.reply
        if reply is None:
            return
        ids: list[int] = []
        messages: list[ChatMessage] = []
        for m in self._path():
            if m.id == message_id and not (m.content or m.reasoning):
                break  # a new reply: the prompt ends with the turn before it
            ids.append(m.id)
            messages.append(_chat_message(m))
            if m.id == message_id:
                break  # a continuation: the stopped text is part of the prompt
        self._start(ids, messages, rid=reply.request_id)

    def _on_client_progress(self, rid: int, tokens: int, _tps: float) -> None:
        if rid != self._reply_rid or rid == 0:
            return
        self._reply_tokens = tokens
        base = self._base
        if base is not None:
            self.controller.window.status.set_context_used(base.tokens + tokens,
                                                           base.n_ctx or None)


def _chat_message(message: StoredMessage) -> ChatMessage:
    return ChatMessage(Role(message.role), message.content, message.reasoning)
