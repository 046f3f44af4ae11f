"""A raw-text completion: the prompt goes to the model as written, no chat template.

This serves the legacy completions endpoint of the local API (as OpenAI's
and vLLM's `/v1/completions` do): the text is tokenized as is (special tokens
parsed, BOS added when the model wants one) and the model continues it. No
reasoning split happens, because a continuation of free text has no think
block of its own; the output is one stream of answer text. It runs on the
host's model in a turn, like every other reply, so it waits its turn in the
one queue and frees the model when done or cancelled.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from app.chat.reply import TokenSource, decode_rate
from app.core.errors import BackendError, ContextOverflowError
from app.core.types import (
    Channel,
    Finished,
    GenerateOptions,
    GenerationControl,
    GenerationStats,
    StopReason,
    StreamEvent,
    TextDelta,
)
from app.services.host import NO_MODEL_MESSAGE, ModelHost, Priority

if TYPE_CHECKING:
    from app.engine.backend import Backend

NOT_LOCAL_MESSAGE = (
    "Raw text completions need a model on this computer; the loaded model runs on a "
    "server. Use /v1/chat/completions instead."
)


def stream_raw(
    host: ModelHost,
    prompt: str,
    options: GenerateOptions,
    control: GenerationControl,
    priority: Priority = Priority.BACKGROUND,
) -> Iterator[StreamEvent]:
    """Continue `prompt` on the host's model, in its turn.

    Yields answer TextDeltas and ends with exactly one Finished (also when
    cancelled, waiting or running). The reply ends at the end-of-sequence
    token, at `options.sampling.max_tokens` (MAX_TOKENS) or when the context
    is full (CONTEXT_FULL).

    Raises:
        BackendError: no model is loaded, or it is not a local one.
        ContextOverflowError: the prompt alone fills the context.
    """
    with host.turn(priority, control) as granted:
        if not granted:
            yield _finished("", GenerationStats(stop_reason=StopReason.CANCELLED))
            return
        loaded = host.loaded
        if loaded is None:
            raise BackendError(NO_MODEL_MESSAGE)
        source = open_raw_source(loaded.backend, prompt, options, control)
        yield from _drain(source, options.sampling.max_tokens, control)


def open_raw_source(
    backend: Backend, prompt: str, options: GenerateOptions, control: GenerationControl
) -> TokenSource:
    """The token stream that continues `prompt` on a local backend.

    A backend with its own `open_raw_source` is asked directly. Otherwise the
    backend's chat path is used with the prompt builder swapped, for this one
    call, for one that returns the raw tokens: `open_source` then sets up the
    source (the KV-cache reuse, the decode loop) exactly as for a chat reply.
    """
    from app.engine.local import LocalBackend
    from app.engine.prompt_builder import BuiltPrompt, FittedPrompt

    own = getattr(backend, "open_raw_source", None)
    if callable(own):
        source: TokenSource = own(prompt, options, control)
        return source
    if not isinstance(backend, LocalBackend):
        raise BackendError(NOT_LOCAL_MESSAGE)
    tokens = backend.tokenize(prompt, add_bos=True)
    n_ctx = backend.info.n_ctx
    if len(tokens) >= n_ctx:
        raise ContextOverflowError(
            f"The prompt has {len(tokens):,} tokens but the model's context holds "
            f"{n_ctx:,}. Shorten the prompt or load the model with a larger context."
        )
    room = min(options.sampling.max_tokens, n_ctx - len(tokens))
    fitted = FittedPrompt(BuiltPrompt(prompt, tokens, False), room, 0)
    real = backend.prompts
    backend.prompts = _RawPrompts(real, fitted)  # type: ignore[assignment]
    try:
        return backend.open_source([], options, control)
    finally:
        backend.prompts = real


class _RawPrompts:
    """Stands in for a PromptBuilder: `fit` returns the raw prompt as it is."""

    def __init__(self, real: object, fitted: object) -> None:
        self._real = real
        self._fitted = fitted

    def fit(self, *args: object, **kwargs: object) -> object:
        return self._fitted

    def __getattr__(self, name: str) -> object:
        return getattr(self._real, name)


def _drain(
    source: TokenSource, requested: int, control: GenerationControl
) -> Iterator[StreamEvent]:
    """Pull the source to its end as answer text; enforce the length limit."""
    began = time.perf_counter()
    first_at: float | None = None
    produced = 0
    texts: list[str] = []
    room = source.setup.max_tokens if source.setup.max_tokens is not None else requested
    reason = StopReason.EOS
    try:
        while not control.is_cancelled and produced < room:
            piece = source.next_piece()
            if piece is None:
                reason = source.stop_reason
                break
            if first_at is None and piece.tokens:
                first_at = time.perf_counter()
            produced += piece.tokens
            if piece.text:
                texts.append(piece.text)
                yield TextDelta(Channel.ANSWER, piece.text)
        else:
            if control.is_cancelled:
                reason = StopReason.CANCELLED
            else:
                reason = StopReason.MAX_TOKENS if room >= requested else StopReason.CONTEXT_FULL
        evaluated = source.usage().evaluated_tokens
    finally:
        source.close()
    ended = time.perf_counter()
    first = first_at if first_at is not None else ended
    stats = GenerationStats(
        prompt_tokens=source.setup.prompt_tokens,
        evaluated_tokens=evaluated,
        completion_tokens=produced,
        ttft_s=first - began,
        decode_tps=decode_rate(produced, ended - first),
        total_s=ended - began,
        stop_reason=reason,
    )
    yield _finished("".join(texts), stats)


def _finished(text: str, stats: GenerationStats) -> Finished:
    return Finished(answer=text, reasoning="", stats=stats)
