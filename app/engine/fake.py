"""A scripted backend for fast GUI and controller tests.

It streams a fixed reasoning and answer text in small chunks through the
same reply loop as the real backends (app.chat.reply), so notices, Answer
now, the thinking budget, max_tokens and the final Finished event come from
the one shared policy, not from a copy of it. A reasoning script that repeats
itself triggers the real loop notice.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

from app.chat.prompt import estimate_prompt_tokens
from app.chat.reply import Piece, ReplySetup, SourceUsage, run_reply
from app.core.errors import PonderError
from app.core.types import (
    BackendInfo,
    Channel,
    ChatMessage,
    GenerateOptions,
    GenerationControl,
    PromptMeasure,
    StopReason,
    StreamEvent,
)


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


class FakeBackend:
    """A backend that replays a script instead of running a model.

    Each chunk of `chunk_chars` characters counts as one token for the stats,
    the thinking budget and `max_tokens`.

    Attributes:
        calls: the message lists passed to `generate`, oldest first, so tests
            can check what the controller sent.
        is_closed: whether `close` was called.
    """

    def __init__(
        self,
        reasoning: str = "",
        answer: str = "",
        chunk_chars: int = 4,
        delay_s: float = 0.0,
        *,
        error: PonderError | None = None,
        error_after_chunks: int = 0,
        model_name: str = "Fake model",
        n_ctx: int = 4096,
    ) -> None:
        """Build the script.

        Args:
            reasoning: think-block text to stream first ("" for none).
            answer: answer text streamed after the reasoning.
            chunk_chars: characters per streamed chunk (one "token").
            delay_s: sleep before each chunk, to mimic decode speed.
            error: raised from `generate` after `error_after_chunks` chunks,
                to test error paths.
            error_after_chunks: how many chunks stream before `error`.
            model_name: shown in `info`.
            n_ctx: shown in `info`.
        """
        if chunk_chars < 1:
            raise ValueError("chunk_chars must be at least 1")
        self._reasoning = reasoning
        self._answer = answer
        self._chunk_chars = chunk_chars
        self._delay_s = delay_s
        self._error = error
        self._error_after = error_after_chunks
        self._info = BackendInfo(model_name=model_name, backend="fake", n_ctx=n_ctx)
        self.calls: list[list[ChatMessage]] = []
        self.is_closed = False

    @property
    def info(self) -> BackendInfo:
        """Model name "Fake model" (or as given), backend "fake"."""
        return self._info

    def measure_prompt(
        self, messages: Sequence[ChatMessage], options: GenerateOptions
    ) -> PromptMeasure:
        """An estimate of the prompt's tokens (see Backend)."""
        tokens = estimate_prompt_tokens(list(messages), self.count_tokens)
        return PromptMeasure(tokens, self._info.n_ctx, is_estimate=True)

    def count_tokens(self, text: str) -> int:
        """Estimate: one token per `chunk_chars` characters."""
        return -(-len(text) // self._chunk_chars)

    def close(self) -> None:
        """Mark the backend closed; later `generate` calls fail."""
        self.is_closed = True

    def generate(
        self,
        messages: Sequence[ChatMessage],
        options: GenerateOptions,
        control: GenerationControl,
    ) -> Iterator[StreamEvent]:
        """Replay the script through the shared reply loop; see Backend.generate."""
        return run_reply(self.open_source(messages, options, control), options, control)

    def open_source(
        self,
        messages: Sequence[ChatMessage],
        options: GenerateOptions,
        control: GenerationControl,
    ) -> _ScriptSource:
        """The raw script for one request, for the reply loop."""
        if self.is_closed:
            raise RuntimeError("FakeBackend.generate called after close()")
        self.calls.append(list(messages))
        prompt_tokens = sum(self.count_tokens(m.content) for m in messages)
        setup = ReplySetup(
            prompt_tokens=prompt_tokens,
            n_ctx=self._info.n_ctx,
            max_tokens=options.sampling.max_tokens,
            requested_max_tokens=options.sampling.max_tokens,
        )
        return _ScriptSource(self, setup)


class _ScriptSource:
    """The fake's TokenSource: reasoning chunks (tagged), then answer chunks."""

    def __init__(self, backend: FakeBackend, setup: ReplySetup) -> None:
        size = backend._chunk_chars
        self._reasoning = _chunks(backend._reasoning, size)
        self._answer = _chunks(backend._answer, size)
        self._backend = backend
        self._setup = setup
        self._index = 0

    @property
    def setup(self) -> ReplySetup:
        return self._setup

    @property
    def stop_reason(self) -> StopReason:
        return StopReason.EOS

    def next_piece(self) -> Piece | None:
        backend = self._backend
        if backend._error is not None and self._index >= backend._error_after:
            raise backend._error
        index = self._index
        if index >= len(self._reasoning) + len(self._answer):
            return None
        if backend._delay_s > 0:
            time.sleep(backend._delay_s)
        self._index += 1
        if index < len(self._reasoning):
            return Piece(self._reasoning[index], channel=Channel.REASONING)
        return Piece(self._answer[index - len(self._reasoning)])

    def close_reasoning(self) -> str:
        # Jump to the answer, as the real engine does after closing the
        # think block in place.
        self._index = max(self._index, len(self._reasoning))
        return ""

    def usage(self) -> SourceUsage:
        prompt = self._setup.prompt_tokens
        return SourceUsage(prompt_tokens=prompt, evaluated_tokens=prompt)

    def close(self) -> None:
        pass
