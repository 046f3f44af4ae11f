"""The model host: the one owner of the loaded model, with one request queue.

The window's engine worker, the local API server and the tutor's samples all
reach the model through one `ModelHost`. It loads, swaps and unloads the
model, and hands out turns: one reply (or one load) at a time, because a
llama.cpp context is not thread-safe.

Fairness: waiting turns are served by priority, then in arrival order. The
window's requests (INTERACTIVE) go before queued background requests (API
clients, extra samples), but never more than `MAX_INTERACTIVE_STREAK` turns in
a row while a background request waits, so an API client is never starved by
a busy window. A running turn is never pre-empted; a cancelled request leaves
the queue at once.
"""

from __future__ import annotations

import enum
import itertools
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from app.chat.reply import ReplyPolicy, ReplySetup, SourceUsage
from app.core.errors import BackendError
from app.core.types import (
    BackendInfo,
    ChatMessage,
    GenerateOptions,
    GenerationControl,
    PromptMeasure,
    StopReason,
    StreamEvent,
)
from app.services.loading import FallbackCallback, LoadedModel, ModelLoader, ModelSource
from app.store.settings import Settings

MAX_INTERACTIVE_STREAK = 2
"""Interactive turns in a row while a background request waits."""

NO_MODEL_MESSAGE = "No model is loaded. Open a GGUF file or download a model first."


class Priority(enum.IntEnum):
    """Who is asking for a turn."""

    INTERACTIVE = 0
    """The person at the window."""
    BACKGROUND = 1
    """API clients and extra samples."""


@dataclass(order=True)
class _Ticket:
    priority: int
    number: int
    control: GenerationControl | None = field(default=None, compare=False)


class ModelHost:
    """Owns the loaded model; thread-safe.

    Args:
        loader: how models are loaded (a recording loader in tests).
    """

    def __init__(self, loader: ModelLoader | None = None) -> None:
        self._loader = loader or ModelLoader()
        self._loaded: LoadedModel | None = None
        self._cond = threading.Condition()
        self._measuring = threading.Lock()
        self._queue: list[_Ticket] = []
        self._is_busy = False
        self._streak = 0
        self._numbers = itertools.count()
        self.turns_served: list[Priority] = []
        """Priorities of the turns granted so far, oldest first (for tests)."""

    # -- the model -----------------------------------------------------------

    @property
    def loaded(self) -> LoadedModel | None:
        """The loaded model and how it was loaded, or None."""
        return self._loaded

    @property
    def info(self) -> BackendInfo | None:
        """What the status bar shows about the loaded model, or None."""
        return self._loaded.backend.info if self._loaded is not None else None

    def load(
        self,
        source: ModelSource,
        settings: Settings,
        on_fallback: FallbackCallback | None = None,
    ) -> LoadedModel:
        """Swap in a model: waits for the running reply, frees the old model, loads.

        Raises:
            PonderError: the model cannot be loaded (the old one is gone then).
        """
        with self.turn(Priority.INTERACTIVE):
            self._close_loaded()
            self._loaded = self._loader.load(source, settings, on_fallback)
            return self._loaded

    def adopt(self, loaded: LoadedModel) -> None:
        """Take a model loaded elsewhere (e.g. by the wizard's first answer)."""
        with self.turn(Priority.INTERACTIVE):
            self._close_loaded()
            self._loaded = loaded

    def unload(self) -> None:
        """Free the model after the running reply."""
        with self.turn(Priority.INTERACTIVE):
            self._close_loaded()

    def _close_loaded(self) -> None:
        if self._loaded is not None:
            # A measure running on another thread finishes before the model is freed.
            with self._measuring:
                loaded, self._loaded = self._loaded, None
            loaded.backend.close()

    # -- turns ---------------------------------------------------------------

    @contextmanager
    def turn(
        self, priority: Priority = Priority.INTERACTIVE, control: GenerationControl | None = None
    ) -> Iterator[bool]:
        """Hold the model for one job; yields False when cancelled while waiting."""
        granted = self._acquire(priority, control)
        try:
            yield granted
        finally:
            if granted:
                self._release()

    def _acquire(self, priority: Priority, control: GenerationControl | None) -> bool:
        ticket = _Ticket(int(priority), next(self._numbers), control)
        with self._cond:
            self._queue.append(ticket)
            if control is not None:
                control.call_on_cancel(self._wake)
            while True:
                if control is not None and control.is_cancelled:
                    self._queue.remove(ticket)
                    self._cond.notify_all()
                    return False
                if not self._is_busy and self._next_ticket() is ticket:
                    self._queue.remove(ticket)
                    self._is_busy = True
                    is_interactive = ticket.priority == Priority.INTERACTIVE
                    self._streak = self._streak + 1 if is_interactive else 0
                    self.turns_served.append(Priority(ticket.priority))
                    return True
                self._cond.wait(timeout=0.5)

    def _next_ticket(self) -> _Ticket:
        interactive = [t for t in self._queue if t.priority == Priority.INTERACTIVE]
        background = [t for t in self._queue if t.priority != Priority.INTERACTIVE]
        if background and (not interactive or self._streak >= MAX_INTERACTIVE_STREAK):
            return min(background)
        return min(interactive or background)

    def _release(self) -> None:
        with self._cond:
            self._is_busy = False
            self._cond.notify_all()

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    @property
    def waiting(self) -> int:
        """Requests waiting for a turn."""
        with self._cond:
            return len(self._queue)

    # -- replies -------------------------------------------------------------

    def stream(
        self,
        messages: Sequence[ChatMessage],
        options: GenerateOptions,
        control: GenerationControl,
        priority: Priority = Priority.INTERACTIVE,
    ) -> Iterator[StreamEvent]:
        """One reply through the reply loop, in its turn; see Backend.generate.

        The turn starts at the first `next()` and ends when the stream ends
        or is closed. Cancelled while waiting, it yields only a cancelled
        Finished.
        """
        with self.turn(priority, control) as granted:
            if not granted:
                yield from _cancelled(options)
                return
            if self._loaded is None:
                raise BackendError(NO_MODEL_MESSAGE)
            yield from self._loaded.backend.generate(messages, options, control)

    def measure(self, messages: Sequence[ChatMessage], options: GenerateOptions
                ) -> PromptMeasure | None:
        """The context the prompt for `messages` takes, or None without a model.

        Does not wait for a turn: measuring only tokenizes, so the context
        meter can update while a reply streams.
        """
        with self._measuring:  # the model is not freed under a running measure
            loaded = self._loaded
            if loaded is None:
                return None
            return loaded.backend.measure_prompt(messages, options)

    def with_backend(self, job: Callable[[LoadedModel], object],
                     priority: Priority = Priority.INTERACTIVE) -> object:
        """Run `job` on the loaded model in a turn (speed measurement, counting)."""
        with self.turn(priority):
            if self._loaded is None:
                raise BackendError(NO_MODEL_MESSAGE)
            return job(self._loaded)


def _cancelled(options: GenerateOptions) -> Iterator[StreamEvent]:
    """The events of a reply cancelled before it started."""
    policy = ReplyPolicy(ReplySetup(), options)
    yield from policy.finish(StopReason.CANCELLED, SourceUsage())
