"""The raw token stream of one local reply (a TokenSource for the reply loop).

Evaluates the part of the prompt that is not already in the KV cache in
chunks (so cancel works during a long prompt), then drives llama-cpp-python's
`Llama.generate` token by token. Closing the think block ("Answer now", the
thinking budget) evaluates the tokens of "\\n</think>\\n\\n" after what is
already in the context and restarts generation from there, so the answer
comes from the same context. Everything the user sees (the split, notices,
stats) is decided by app.chat.reply, not here.
"""

from __future__ import annotations

import random
import time
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import llama_cpp

from app.chat.reply import Piece, ReplySetup, SourceUsage
from app.core.errors import BackendError
from app.core.types import GenerationControl, SamplingParams, StopReason
from app.engine.detok import TokenTextDecoder
from app.engine.prompt_builder import FittedPrompt

if TYPE_CHECKING:
    from app.engine.local import LocalBackend

PREFILL_FIRST_CHUNK = 256
"""Prompt tokens evaluated before the first cancel check."""

PREFILL_CHUNK_SECONDS = 1.0
"""Prompt chunks grow (up to n_batch) while one takes less than this."""


class LocalSource:
    """One reply's tokens from a loaded LocalBackend.

    Args:
        backend: the loaded model (its KV cache is reused and changed).
        fitted: the prompt, fitted to the context.
        sampling: the sampler settings.
        control: checked during the prompt evaluation.
    """

    def __init__(
        self,
        backend: LocalBackend,
        fitted: FittedPrompt,
        sampling: SamplingParams,
        control: GenerationControl,
    ) -> None:
        self._backend = backend
        self._llama = backend.llama
        self._sampling = sampling
        self._control = control
        self._context = list(fitted.prompt.tokens)
        self._decoder = TokenTextDecoder(backend.token_bytes)
        self._generator: Generator[int, Any, None] | None = None
        self._restarts = 0
        self._stop = StopReason.EOS
        self._evaluated = 0
        self._has_first = False
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
            requested_max_tokens=sampling.max_tokens,
        )

    @property
    def setup(self) -> ReplySetup:
        return self._setup

    @property
    def stop_reason(self) -> StopReason:
        return self._stop

    def usage(self) -> SourceUsage:
        return SourceUsage(evaluated_tokens=self._evaluated)

    def close(self) -> None:
        if self._generator is not None:
            self._generator.close()
            self._generator = None

    def close_reasoning(self) -> str:
        """Evaluate the closing tag after the context; return the decoder's held text."""
        self.close()
        tail = self._decoder.flush()
        self._context += self._backend.tokenize(self._close_text)
        self._restarts += 1
        return tail

    def next_piece(self) -> Piece | None:
        try:
            return self._next()
        except StopIteration:
            self._stop = StopReason.EOS
            return None
        except (RuntimeError, ValueError, OSError) as exc:
            raise BackendError(
                f"The model failed while writing its reply ({exc}). Try again; if it "
                "keeps failing, reload the model with a smaller context."
            ) from exc

    def _next(self) -> Piece | None:
        if self._is_done:
            return None
        n_ctx = self._setup.n_ctx
        if len(self._context) >= n_ctx:
            self._stop = StopReason.CONTEXT_FULL
            return self._end()
        if self._generator is None:
            if not self._prefill():
                self._stop = StopReason.CANCELLED
                return self._end()
            self._generator = self._start()
        token = next(self._generator)
        if not self._has_first:
            self._has_first = True
            batches = self._backend.eval_batches
            self._evaluated = sum(batches)
            self._backend.prompt_batch_count = len(batches)
        if llama_cpp.llama_vocab_is_eog(self._backend.vocab, token):
            self._stop = StopReason.EOS
            return self._end()
        self._context.append(token)
        text = self._decoder.push(token)
        return Piece(text)

    def _end(self) -> Piece | None:
        """The end of the sequence: hand over what the decoder still holds."""
        self._is_done = True
        tail = self._decoder.flush()
        if tail:
            # Counts no token: the tokens were counted when they came.
            return Piece(tail, tokens=0)
        return None

    def _prefill(self) -> bool:
        """Evaluate the uncached prompt in chunks so that cancel works during it.

        Llama.generate evaluates a whole prompt in one go (seconds on a CPU);
        here everything but the last token goes in first, chunk by chunk, and
        generate then finds it in the cache. Chunks start small and double
        while one takes less than PREFILL_CHUNK_SECONDS: small chunks cost
        llama.cpp throughput (measured on the busy 2-core machine: 64-token
        chunks ran a 1k prompt at 40% of the speed, 256-token ones at ~85%),
        big ones delay a cancel. Returns False when cancelled.
        """
        llama = self._llama
        tokens = self._context
        control = self._control
        common = 0
        limit = min(llama.n_tokens, len(tokens) - 1)
        ids = llama.input_ids
        while common < limit and ids[common] == tokens[common]:
            common += 1
        end = len(tokens) - 1
        chunk = PREFILL_FIRST_CHUNK
        if end - common <= chunk:
            return not control.is_cancelled
        llama.n_tokens = common  # eval() drops the KV cache from here on
        start = common
        max_chunk = self._backend.max_chunk
        while start < end:
            if control.is_cancelled:
                return False
            began = time.perf_counter()
            llama.eval(tokens[start : min(end, start + chunk)])
            start += chunk
            if time.perf_counter() - began < PREFILL_CHUNK_SECONDS:
                chunk = min(chunk * 2, max_chunk)
        return not control.is_cancelled

    def _start(self) -> Generator[int, Any, None]:
        sampling = self._sampling
        # After "Answer now" the sampler starts again; a shifted seed keeps a
        # fixed-seed reply reproducible without replaying the same draws.
        if sampling.seed is not None:
            seed = sampling.seed + self._restarts
        else:
            seed = random.randrange(2**31)
        self._llama.set_seed(seed)
        return self._llama.generate(
            self._context,
            top_k=sampling.top_k,
            top_p=sampling.top_p,
            min_p=sampling.min_p,
            temp=sampling.temperature,
            repeat_penalty=sampling.repeat_penalty,
            reset=True,
        )
