"""The raw token stream of one local reply (a TokenSource for the reply loop).

A LocalSource reads one sequence of a `DecodeSession` (app.engine.decode_loop):
the engine's own loop over llama_decode, which evaluates the uncached part of
the prompt once, in cancellable chunks, and then steps every sequence of the
request in one batch. Closing the think block ("Answer now", the thinking
budget) queues the tokens of "\\n</think>\\n\\n" after what the sequence
already holds, so the answer comes from the same context. Everything the user
sees (the split, notices, stats) is decided by app.chat.reply, not here.
"""

from __future__ import annotations

from typing import Any, Protocol

import llama_cpp

from app.chat.profile import ModelProfile
from app.chat.reply import Piece, ReplySetup, SourceUsage
from app.core.errors import BackendError
from app.core.types import BackendInfo, GenerationControl, StopReason
from app.engine.decode_loop import (
    PREFILL_CHUNK_SECONDS,
    PREFILL_FIRST_CHUNK,
    DecodeError,
    DecodeSession,
    KvFullError,
)
from app.engine.detok import TokenTextDecoder
from app.engine.kv_state import ConversationMemory
from app.engine.prompt_builder import FittedPrompt


class LocalModel(Protocol):
    """What a LocalSource needs of the loaded model (LocalBackend provides it).

    A protocol rather than an import of LocalBackend, which imports this module.
    """

    prompt_batch_count: int
    memory: ConversationMemory

    @property
    def info(self) -> BackendInfo: ...

    @property
    def profile(self) -> ModelProfile: ...

    @property
    def vocab(self) -> Any: ...

    def token_bytes(self, token: int) -> bytes: ...

    def tokenize(self, text: str, add_bos: bool = False) -> list[int]: ...

__all__ = ["PREFILL_CHUNK_SECONDS", "PREFILL_FIRST_CHUNK", "LocalSource"]


class LocalSource:
    """One sequence's tokens from a loaded LocalBackend.

    Args:
        backend: the loaded model (its KV cache is reused and changed).
        session: the request's decode session (shared by its sequences).
        index: which of the session's sequences this source reads.
        fitted: the prompt, fitted to the context.
        requested_max_tokens: the reply length the caller asked for.
        started_at: when the request began (`time.perf_counter()`).
        control: the request's control (cancel is checked between prompt chunks).
    """

    def __init__(
        self,
        backend: LocalModel,
        session: DecodeSession,
        index: int,
        fitted: FittedPrompt,
        requested_max_tokens: int,
        started_at: float,
        control: GenerationControl,
    ) -> None:
        self._backend = backend
        self._session = session
        self._index = index
        self._control = control
        self._decoder = TokenTextDecoder(backend.token_bytes)
        self._stop = StopReason.EOS
        self._is_done = False
        profile = backend.profile
        self._close_text = f"\n{profile.think_close}\n\n"
        self._setup = ReplySetup(
            prompt_tokens=len(fitted.prompt.tokens),
            n_ctx=backend.info.n_ctx,
            dropped_messages=fitted.dropped_messages,
            starts_in_reasoning=fitted.prompt.starts_in_reasoning,
            think_open=profile.think_open,
            think_close=profile.think_close,
            max_tokens=fitted.max_tokens,
            requested_max_tokens=requested_max_tokens,
            started_at=started_at,
        )

    @property
    def setup(self) -> ReplySetup:
        return self._setup

    @property
    def stop_reason(self) -> StopReason:
        return self._stop

    def usage(self) -> SourceUsage:
        return SourceUsage(evaluated_tokens=self._session.evaluated)

    def close(self) -> None:
        self._session.finish(self._index)
        self._backend.memory.after()  # keeps the conversation's state once all are done

    def close_reasoning(self) -> str:
        """Queue the closing tag after the sequence; return the decoder's held text."""
        tail = self._decoder.flush()
        self._session.close_reasoning(self._index, self._backend.tokenize(self._close_text))
        return tail

    def next_piece(self) -> Piece | None:
        try:
            return self._next()
        except KvFullError:
            self._stop = StopReason.CONTEXT_FULL
            return self._end()
        except (DecodeError, RuntimeError, ValueError, OSError) as exc:
            raise BackendError(
                f"The model failed while writing its reply ({exc}). Try again; if it "
                "keeps failing, reload the model with a smaller context."
            ) from exc

    def _next(self) -> Piece | None:
        if self._is_done:
            return None
        session = self._session
        if not session.prefill():
            self._stop = StopReason.CANCELLED
            return self._end()
        self._backend.prompt_batch_count = session.prompt_batches
        if session.is_full:
            self._stop = StopReason.CONTEXT_FULL
            return self._end()
        if session.seqs[self._index].length >= self._setup.n_ctx:
            self._stop = StopReason.CONTEXT_FULL
            return self._end()
        token = session.take(self._index)
        if token is None:
            return self._end()
        if llama_cpp.llama_vocab_is_eog(self._backend.vocab, token):
            session.unread(self._index)
            self._stop = StopReason.EOS
            return self._end()
        return Piece(self._decoder.push(token))

    def _end(self) -> Piece | None:
        """The end of the sequence: hand over what the decoder still holds."""
        self._is_done = True
        tail = self._decoder.flush()
        if tail:
            # Counts no token: the tokens were counted when they came.
            return Piece(tail, tokens=0)
        return None
