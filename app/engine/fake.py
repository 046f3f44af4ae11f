"""A scripted backend for fast GUI and controller tests.

It streams a fixed reasoning and answer text in small chunks, with the same
event shape as the real backends: TextDelta events (reasoning first, then the
answer), Notice events where the real engine would send them, and exactly one
Finished at the end. It honours cancel, "Answer now" and the thinking budget
between chunks, so tests of those paths need no model.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

from app.chat.answer import extract_boxed
from app.core.errors import PonderError
from app.core.types import (
    BackendInfo,
    Channel,
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    GenerationStats,
    Notice,
    NoticeKind,
    StopReason,
    StreamEvent,
    TextDelta,
)
from app.engine.notices import close_message
from app.engine.timing import decode_rate


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
        notices: Sequence[tuple[int, Notice]] = (),
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
            notices: (chunk index, notice) pairs emitted before that chunk
                (index over reasoning and answer chunks together).
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
        self._notices = sorted(notices, key=lambda pair: pair[0])
        self._error = error
        self._error_after = error_after_chunks
        self._info = BackendInfo(model_name=model_name, backend="fake", n_ctx=n_ctx)
        self.calls: list[list[ChatMessage]] = []
        self.is_closed = False

    @property
    def info(self) -> BackendInfo:
        """Model name "Fake model" (or as given), backend "fake"."""
        return self._info

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
        """Replay the script; see Backend.generate for the contract."""
        if self.is_closed:
            raise RuntimeError("FakeBackend.generate called after close()")
        self.calls.append(list(messages))
        return self._stream(messages, options, control)

    def _stream(
        self,
        messages: Sequence[ChatMessage],
        options: GenerateOptions,
        control: GenerationControl,
    ) -> Iterator[StreamEvent]:
        start = time.perf_counter()
        first_token_at: float | None = None
        reasoning_parts: list[str] = []
        answer_parts: list[str] = []
        tokens = 0
        reasoning_tokens = 0
        stop = StopReason.EOS
        pending_notices = list(self._notices)
        budget = options.thinking_budget
        max_tokens = options.sampling.max_tokens

        plan = [(Channel.REASONING, c) for c in _chunks(self._reasoning, self._chunk_chars)]
        answer_plan = [(Channel.ANSWER, c) for c in _chunks(self._answer, self._chunk_chars)]
        plan.extend(answer_plan)
        index = 0
        while index < len(plan):
            if control.is_cancelled:
                stop = StopReason.CANCELLED
                break
            if tokens >= max_tokens:
                stop = StopReason.MAX_TOKENS
                break
            if self._error is not None and tokens >= self._error_after:
                raise self._error
            channel, text = plan[index]
            if channel is Channel.REASONING:
                skip_reason: NoticeKind | None = None
                if control.is_answer_now_requested:
                    skip_reason = NoticeKind.ANSWER_NOW
                elif budget is not None and reasoning_tokens >= budget:
                    skip_reason = NoticeKind.BUDGET_REACHED
                if skip_reason is not None:
                    yield Notice(skip_reason, close_message(skip_reason, budget))
                    # Jump to the answer, as the real engine does after
                    # closing the think block in place.
                    index = len(plan) - len(answer_plan)
                    continue
            while pending_notices and pending_notices[0][0] <= index:
                yield pending_notices.pop(0)[1]
            if self._delay_s > 0:
                time.sleep(self._delay_s)
            if first_token_at is None:
                first_token_at = time.perf_counter()
            tokens += 1
            if channel is Channel.REASONING:
                reasoning_tokens += 1
                reasoning_parts.append(text)
            else:
                answer_parts.append(text)
            yield TextDelta(channel, text)
            index += 1

        end = time.perf_counter()
        ttft = (first_token_at - start) if first_token_at is not None else 0.0
        decode_time = end - first_token_at if first_token_at is not None else 0.0
        prompt_tokens = sum(self.count_tokens(m.content) for m in messages)
        answer = "".join(answer_parts)
        stats = GenerationStats(
            prompt_tokens=prompt_tokens,
            evaluated_tokens=prompt_tokens,
            completion_tokens=tokens,
            reasoning_tokens=reasoning_tokens,
            ttft_s=ttft,
            decode_tps=decode_rate(tokens, decode_time),
            total_s=end - start,
            stop_reason=stop,
        )
        yield Finished(
            answer=answer,
            reasoning="".join(reasoning_parts),
            stats=stats,
            boxed=extract_boxed(answer),
        )
