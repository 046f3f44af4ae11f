"""The engine worker: one long-lived QObject in a QThread that owns the model.

The backend is created, used and closed only on the worker thread (llama.cpp
contexts are not thread-safe). The GUI talks to the worker only through
signals; cancel and "answer now" go through a GenerationControl that the GUI
sets directly, because a queued slot would never run while the worker is busy.

Output is coalesced: text is emitted every `batch_interval_s` (~40 ms), never
per token, so the GUI thread re-renders at most ~25 times a second.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from app.core.errors import PonderError
from app.core.types import (
    BackendInfo,
    Channel,
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    LoadParams,
    Notice,
    TextDelta,
)
from app.engine.backend import Backend

log = logging.getLogger(__name__)

BackendFactory = Callable[[], Backend]
"""Builds a backend; called on the worker thread."""


def local_backend_factory(params: LoadParams) -> BackendFactory:
    """A factory that loads a GGUF through llama.cpp (imported lazily).

    Args:
        params: how to load the model.

    Returns:
        A zero-argument callable to run on the worker thread.
    """

    def build() -> Backend:
        from app.engine.local import LocalBackend  # heavy: llama_cpp

        return LocalBackend(params)

    return build


@dataclass(frozen=True)
class GenerateRequest:
    """One reply to produce.

    Attributes:
        request_id: unique per request; the GUI ignores stale ids.
        messages: the conversation up to the user's turn.
        options: sampling and reasoning options.
        control: flags the GUI sets (cancel, answer now).
    """

    request_id: int
    messages: Sequence[ChatMessage]
    options: GenerateOptions
    control: GenerationControl


class EngineWorker(QObject):
    """Owns the backend on its thread and streams replies as signals.

    Signals:
        token_batch_ready(int, str, str): request id, new reasoning text, new
            answer text since the last batch.
        progress(int, int, float): request id, tokens so far, live tokens/s.
        notice(int, str, str): request id, NoticeKind value, message.
        finished(int, object): request id, the Finished event.
        failed(int, str): request id, a message for the user.
        model_loaded(object): the BackendInfo of the new backend.
        load_failed(str): a message for the user.
    """

    token_batch_ready = Signal(int, str, str)
    progress = Signal(int, int, float)
    notice = Signal(int, str, str)
    finished = Signal(int, object)
    failed = Signal(int, str)
    model_loaded = Signal(object)
    load_failed = Signal(str)

    def __init__(self, batch_interval_s: float = 0.04) -> None:
        super().__init__()
        self._backend: Backend | None = None
        self._batch_interval_s = batch_interval_s

    @property
    def has_backend(self) -> bool:
        """Whether a model is loaded (read it only on the worker thread)."""
        return self._backend is not None

    @Slot(object)
    def load(self, factory: BackendFactory) -> None:
        """Close the current backend and build a new one with `factory`."""
        self._close_backend()
        try:
            backend = factory()
        except PonderError as exc:
            log.warning("model load failed: %s", exc)
            self.load_failed.emit(str(exc))
            return
        except Exception as exc:  # llama.cpp and friends raise assorted errors
            log.exception("model load crashed")
            self.load_failed.emit(
                f"The model could not be loaded ({type(exc).__name__}: {exc}). "
                "Check that the file is a complete GGUF model and try again."
            )
            return
        self._backend = backend
        self.model_loaded.emit(backend.info)

    @Slot()
    def unload(self) -> None:
        """Free the model (also run before the thread quits)."""
        self._close_backend()

    @Slot(object)
    def generate(self, request: GenerateRequest) -> None:
        """Stream one reply; emits batches, notices and finished or failed."""
        rid = request.request_id
        if self._backend is None:
            self.failed.emit(rid, "No model is loaded. Open a GGUF file or download a model first.")
            return
        reasoning: list[str] = []
        answer: list[str] = []
        tokens = 0
        start = time.perf_counter()
        last_emit = start
        try:
            for event in self._backend.generate(request.messages, request.options, request.control):
                if isinstance(event, TextDelta):
                    tokens += 1
                    (reasoning if event.channel is Channel.REASONING else answer).append(event.text)
                    now = time.perf_counter()
                    if now - last_emit >= self._batch_interval_s:
                        self._flush(rid, reasoning, answer, tokens, now - start)
                        last_emit = now
                elif isinstance(event, Notice):
                    self._flush(rid, reasoning, answer, tokens, time.perf_counter() - start)
                    self.notice.emit(rid, event.kind.value, event.message)
                elif isinstance(event, Finished):
                    self._flush(rid, reasoning, answer, tokens, time.perf_counter() - start)
                    self.finished.emit(rid, event)
                    return
        except PonderError as exc:
            log.warning("generation failed: %s", exc)
            self._flush(rid, reasoning, answer, tokens, time.perf_counter() - start)
            self.failed.emit(rid, str(exc))
            return
        except Exception as exc:
            log.exception("generation crashed")
            self._flush(rid, reasoning, answer, tokens, time.perf_counter() - start)
            self.failed.emit(rid, f"The model stopped with an error ({type(exc).__name__}). "
                             "The partial answer is kept; try Regenerate.")
            return
        self.failed.emit(rid, "The model ended without finishing the reply. Try Regenerate.")

    def _flush(self, rid: int, reasoning: list[str], answer: list[str],
               tokens: int, elapsed: float) -> None:
        if reasoning or answer:
            self.token_batch_ready.emit(rid, "".join(reasoning), "".join(answer))
            reasoning.clear()
            answer.clear()
        self.progress.emit(rid, tokens, tokens / elapsed if elapsed > 0 else 0.0)

    def _close_backend(self) -> None:
        if self._backend is not None:
            try:
                self._backend.close()
            except Exception:
                log.exception("closing the backend failed")
            self._backend = None


class EngineClient(QObject):
    """The GUI side: starts the worker thread and forwards requests to it.

    The worker's signals are relayed through slots of this object, which
    lives on the GUI thread, so whoever connects here runs on the GUI thread
    (even with a plain function or lambda as the slot).

    Signals:
        token_batch_ready(int, str, str), progress(int, int, float),
        notice(int, str, str), finished(int, object), failed(int, str),
        model_loaded(object), load_failed(str): as EngineWorker's, on the
            GUI thread.
        load_requested(object): a BackendFactory for the worker (internal).
        generate_requested(object): a GenerateRequest for the worker (internal).
        unload_requested(): free the model (internal).
    """

    token_batch_ready = Signal(int, str, str)
    progress = Signal(int, int, float)
    notice = Signal(int, str, str)
    finished = Signal(int, object)
    failed = Signal(int, str)
    model_loaded = Signal(object)
    load_failed = Signal(str)
    load_requested = Signal(object)
    generate_requested = Signal(object)
    unload_requested = Signal()

    def __init__(self, parent: QObject | None = None, batch_interval_s: float = 0.04) -> None:
        super().__init__(parent)
        self.engine_thread = QThread()
        self.engine_thread.setObjectName("ponder-engine")
        self.worker = EngineWorker(batch_interval_s)
        self.worker.moveToThread(self.engine_thread)
        queued = Qt.ConnectionType.QueuedConnection
        self.load_requested.connect(self.worker.load, queued)
        self.generate_requested.connect(self.worker.generate, queued)
        self.unload_requested.connect(self.worker.unload, queued)
        self.worker.token_batch_ready.connect(self._on_worker_token_batch_ready, queued)
        self.worker.progress.connect(self._on_worker_progress, queued)
        self.worker.notice.connect(self._on_worker_notice, queued)
        self.worker.finished.connect(self._on_worker_finished, queued)
        self.worker.failed.connect(self._on_worker_failed, queued)
        self.worker.model_loaded.connect(self._on_worker_model_loaded, queued)
        self.worker.load_failed.connect(self._on_worker_load_failed, queued)
        self._busy_id = 0
        self._next_id = 0
        self._control: GenerationControl | None = None
        self.engine_thread.start()

    def load(self, factory: BackendFactory) -> None:
        """Ask the worker to (re)load a model; answered by model_loaded/load_failed."""
        self.load_requested.emit(factory)

    def generate(self, messages: Sequence[ChatMessage], options: GenerateOptions) -> int:
        """Start a reply and return its request id (any earlier one is cancelled)."""
        self.cancel()
        self._next_id += 1
        self._busy_id = self._next_id
        self._control = GenerationControl()
        self.generate_requested.emit(
            GenerateRequest(self._next_id, tuple(messages), options, self._control)
        )
        return self._next_id

    @property
    def is_busy(self) -> bool:
        """Whether a reply is being generated."""
        return self._busy_id != 0

    @property
    def current_request_id(self) -> int:
        """The id of the newest request (0 before the first)."""
        return self._next_id

    def cancel(self) -> None:
        """Stop the current reply now (thread-safe flag, no queued slot)."""
        if self._control is not None:
            self._control.cancel()

    def answer_now(self) -> None:
        """Close the think block of the current reply and move to the answer."""
        if self._control is not None:
            self._control.answer_now()

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Cancel, free the model on its thread and stop the thread."""
        self.cancel()
        if not self.engine_thread.isRunning():
            return
        self.unload_requested.emit()
        self.engine_thread.quit()
        if not self.engine_thread.wait(timeout_ms):
            # A model load or a prompt chunk cannot be interrupted. Destroying a
            # running QThread aborts the process, so wait for the worker: it
            # stops at its next check of the (already set) cancel flag.
            log.warning("engine worker still busy after %d ms; waiting for it", timeout_ms)
            self.engine_thread.wait()


    @Slot(int, str, str)
    def _on_worker_token_batch_ready(self, rid: int, reasoning: str, answer: str) -> None:
        self.token_batch_ready.emit(rid, reasoning, answer)

    @Slot(int, int, float)
    def _on_worker_progress(self, rid: int, tokens: int, tps: float) -> None:
        self.progress.emit(rid, tokens, tps)

    @Slot(int, str, str)
    def _on_worker_notice(self, rid: int, kind: str, message: str) -> None:
        self.notice.emit(rid, kind, message)

    @Slot(int, object)
    def _on_worker_finished(self, rid: int, result: object) -> None:
        if rid == self._busy_id:
            self._busy_id = 0
        self.finished.emit(rid, result)

    @Slot(int, str)
    def _on_worker_failed(self, rid: int, message: str) -> None:
        if rid == self._busy_id:
            self._busy_id = 0
        self.failed.emit(rid, message)

    @Slot(object)
    def _on_worker_model_loaded(self, info: object) -> None:
        self.model_loaded.emit(info)

    @Slot(str)
    def _on_worker_load_failed(self, message: str) -> None:
        self.load_failed.emit(message)


def backend_info_text(info: BackendInfo) -> str:
    """A one-line description of a loaded backend for logs."""
    return f"{info.model_name} on {info.backend}, ctx {info.n_ctx}"
