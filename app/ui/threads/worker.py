"""The engine worker: one long-lived QObject in a QThread that owns the window's ModelHost.

The model is loaded, used and closed only through the host (app.services.host),
from the worker thread; the host's queue also serves the API server when it
shares the host. The GUI talks to the worker only through signals; cancel and
"answer now" go through a GenerationControl that the GUI sets directly,
because a queued slot would never run while the worker is busy.

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
    Notice,
    TextDelta,
)
from app.services.host import ModelHost, Priority
from app.services.loading import LoadedModel, ModelSource
from app.store.settings import Settings

log = logging.getLogger(__name__)

ModelMaker = Callable[[], LoadedModel]
"""Builds a model elsewhere for the host to adopt; called on the worker thread."""


@dataclass(frozen=True)
class LoadRequest:
    """A model to load through the host's loader.

    Attributes:
        source: the file or the server.
        settings: the settings and the saved plan the load honours.
    """

    source: ModelSource
    settings: Settings


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
    """Owns the window's ModelHost on its thread and streams replies as signals.

    Signals:
        token_batch_ready(int, str, str): request id, new reasoning text, new
            answer text since the last batch.
        progress(int, int, float): request id, tokens so far, live tokens/s.
        notice(int, str, str): request id, NoticeKind value, message.
        finished(int, object): request id, the Finished event.
        failed(int, str): request id, a message for the user.
        model_loaded(object): the BackendInfo of the new backend.
        load_failed(str): a message for the user.
        fallback_noted(str): the one-sentence reason a GPU load is retried.
    """

    token_batch_ready = Signal(int, str, str)
    progress = Signal(int, int, float)
    notice = Signal(int, str, str)
    finished = Signal(int, object)
    failed = Signal(int, str)
    model_loaded = Signal(object)
    load_failed = Signal(str)
    fallback_noted = Signal(str)

    def __init__(self, host: ModelHost, batch_interval_s: float = 0.04) -> None:
        super().__init__()
        self.host = host
        self._batch_interval_s = batch_interval_s

    @property
    def has_backend(self) -> bool:
        """Whether a model is loaded."""
        return self.host.loaded is not None

    @Slot(object)
    def load(self, request: LoadRequest) -> None:
        """Swap in the model `request` names, as its settings and the plan say."""
        self._swap(lambda: self.host.load(request.source, request.settings,
                                          self.fallback_noted.emit))

    @Slot(object)
    def adopt(self, make: ModelMaker) -> None:
        """Swap in a model built by `make` (a model loaded elsewhere, a test's fake)."""

        def adopt() -> LoadedModel:
            self.host.unload()
            loaded = make()
            self.host.adopt(loaded)
            return loaded

        self._swap(adopt)

    def _swap(self, job: Callable[[], LoadedModel]) -> None:
        try:
            loaded = job()
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
        self.model_loaded.emit(loaded.backend.info)

    @Slot()
    def unload(self) -> None:
        """Free the model (also run before the thread quits)."""
        try:
            self.host.unload()
        except Exception:
            log.exception("closing the model failed")

    @Slot(object)
    def generate(self, request: GenerateRequest) -> None:
        """Stream one reply; emits batches, notices and finished or failed."""
        rid = request.request_id
        reasoning: list[str] = []
        answer: list[str] = []
        tokens = 0
        start = time.perf_counter()
        last_emit = start
        try:
            for event in self.host.stream(request.messages, request.options, request.control,
                                          Priority.INTERACTIVE):
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


class EngineClient(QObject):
    """The GUI side: starts the worker thread and forwards requests to it.

    The worker's signals are relayed through slots of this object, which
    lives on the GUI thread, so whoever connects here runs on the GUI thread
    (even with a plain function or lambda as the slot).

    Signals:
        token_batch_ready(int, str, str), progress(int, int, float),
        notice(int, str, str), finished(int, object), failed(int, str),
        model_loaded(object), load_failed(str), fallback_noted(str): as
            EngineWorker's, on the GUI thread.
        load_requested(object): a LoadRequest for the worker (internal).
        adopt_requested(object): a ModelMaker for the worker (internal).
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
    fallback_noted = Signal(str)
    load_requested = Signal(object)
    adopt_requested = Signal(object)
    generate_requested = Signal(object)
    unload_requested = Signal()

    def __init__(self, parent: QObject | None = None, batch_interval_s: float = 0.04,
                 host: ModelHost | None = None) -> None:
        super().__init__(parent)
        self.host = host or ModelHost()
        """The window's model host (the API server may share it)."""
        self.engine_thread = QThread()
        self.engine_thread.setObjectName("ponder-engine")
        self.worker = EngineWorker(self.host, batch_interval_s)
        self.worker.moveToThread(self.engine_thread)
        queued = Qt.ConnectionType.QueuedConnection
        self.load_requested.connect(self.worker.load, queued)
        self.adopt_requested.connect(self.worker.adopt, queued)
        self.generate_requested.connect(self.worker.generate, queued)
        self.unload_requested.connect(self.worker.unload, queued)
        self.worker.token_batch_ready.connect(self._on_worker_token_batch_ready, queued)
        self.worker.progress.connect(self._on_worker_progress, queued)
        self.worker.notice.connect(self._on_worker_notice, queued)
        self.worker.finished.connect(self._on_worker_finished, queued)
        self.worker.failed.connect(self._on_worker_failed, queued)
        self.worker.model_loaded.connect(self._on_worker_model_loaded, queued)
        self.worker.load_failed.connect(self._on_worker_load_failed, queued)
        self.worker.fallback_noted.connect(self._on_worker_fallback_noted, queued)
        self._busy_id = 0
        self._next_id = 0
        self._control: GenerationControl | None = None
        self.engine_thread.start()

    def load(self, source: ModelSource, settings: Settings) -> None:
        """Ask the worker to load `source`; answered by model_loaded/load_failed."""
        self.load_requested.emit(LoadRequest(source, settings))

    def adopt(self, make: ModelMaker) -> None:
        """Ask the worker to take the model `make` builds; answered like load()."""
        self.adopt_requested.emit(make)

    @property
    def loaded(self) -> LoadedModel | None:
        """The model in use and how it was loaded, or None."""
        return self.host.loaded

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

    @Slot(str)
    def _on_worker_fallback_noted(self, reason: str) -> None:
        self.fallback_noted.emit(reason)


def backend_info_text(info: BackendInfo) -> str:
    """A one-line description of a loaded backend for logs."""
    return f"{info.model_name} on {info.backend}, ctx {info.n_ctx}"
