"""The one interface every inference backend implements."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from app.core.types import (
    BackendInfo,
    ChatMessage,
    GenerateOptions,
    GenerationControl,
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

    def count_tokens(self, text: str) -> int:
        """Tokens in `text` (an estimate for remote backends)."""
        ...

    def close(self) -> None:
        """Free the model. The backend is unusable afterwards."""
        ...
