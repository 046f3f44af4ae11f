"""The one interface every inference backend implements.

A backend only produces raw output (a TokenSource: text pieces and a hook
that closes the think block); the reply policy the user sees lives once, in
app.chat.reply, and every backend's `generate` runs through it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from app.chat.reply import TokenSource
from app.core.types import (
    BackendInfo,
    ChatMessage,
    GenerateOptions,
    GenerationControl,
    PromptMeasure,
    StreamEvent,
)


class Backend(Protocol):
    """A loaded model (local or remote) that streams replies.

    A backend is used from one thread at a time (the engine worker). The
    `control` flags may be set from any thread while `generate` runs.
    """

    @property
    def info(self) -> BackendInfo:
        """What the status bar shows: model name, backend kind, context."""
        ...

    def generate(
        self,
        messages: Sequence[ChatMessage],
        options: GenerateOptions,
        control: GenerationControl,
    ) -> Iterator[StreamEvent]:
        """Stream the reply to `messages` (the last one is the user's turn).

        Yields TextDelta and Notice events and ends with exactly one Finished
        event, also when cancelled (stop_reason CANCELLED, partial text kept).
        Raises PonderError subclasses for problems the user can act on.
        """
        ...

    def open_source(
        self,
        messages: Sequence[ChatMessage],
        options: GenerateOptions,
        control: GenerationControl,
    ) -> TokenSource:
        """The raw output of the reply to `messages`, for a reply loop.

        `generate` is `run_reply(open_source(...))`; callers that drive the
        reply policy themselves (several sequences, the API server) use this.
        """
        ...

    def measure_prompt(
        self, messages: Sequence[ChatMessage], options: GenerateOptions
    ) -> PromptMeasure:
        """How much context the prompt for `messages` takes (for the context meter).

        Safe to call from another thread while a reply streams (it only
        tokenizes).
        """
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens in `text` (an estimate for remote backends)."""
        ...

    def close(self) -> None:
        """Free the model. The backend is unusable afterwards."""
        ...
