"""The one reply loop: the policy every backend's stream goes through.

A backend only produces raw output for one sequence (a `TokenSource`): text
pieces, each worth some tokens, and a hook that closes the think block in
place. Everything the user sees about a reply is decided here, once:

- the reasoning/answer split (`ReasoningSplitter`), or the channel the source
  already knows (a server's separate reasoning field);
- "Answer now" and the thinking budget (ask the source to close the think
  block; a source that cannot gets one notice instead);
- the reasoning-loop notice, the trimmed-history notice;
- the reply-length limit, the numbers (`GenerationStats`) and the final
  `Finished` event with the boxed answer.

The policy (`ReplyPolicy`) is push-based and holds the state of ONE sequence,
so a driver for several sequences in one batch (the tutor's parallel
samples) keeps one policy per sequence and feeds each its pieces; and a
sampler that runs inside the backend (on the GPU) changes nothing here,
because the policy only sees text and token counts. `run_reply` is the driver
for a single sequence used by every backend today.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from app.chat.answer import extract_boxed
from app.chat.loops import LoopDetector
from app.chat.reasoning import ReasoningSplitter
from app.core.types import (
    Channel,
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

LOOP_CHECK_EVERY = 16
"""Feed the loop detector every this many reasoning pieces (not per token)."""

LOOP_MESSAGE = (
    "The reasoning repeats itself. Press Answer now to get an answer from what it has so far."
)
CANNOT_CLOSE_MESSAGE = (
    "A model on a server cannot be told to stop thinking; press Stop to end the reply."
)


def close_message(kind: NoticeKind, budget: int | None) -> str:
    """The notice text for Answer now (ANSWER_NOW) or a spent thinking budget."""
    if kind is NoticeKind.BUDGET_REACHED:
        return f"The thinking budget of {budget or 0:,} tokens ran out; the answer follows."
    return "Stopped thinking on request; the answer follows."


def trimmed_message(dropped: int, n_ctx: int) -> str:
    """The notice text when the oldest turns were left out to fit the context."""
    return (
        f"The {dropped} oldest messages were left out so the conversation fits the "
        f"model's context of {n_ctx:,} tokens."
    )


@dataclass(frozen=True)
class Piece:
    """Raw output of one step of a sequence.

    Attributes:
        text: decoded text ("" while a multi-byte character is incomplete).
        tokens: tokens this step produced (a server chunk counts as one).
        channel: the channel when the source knows it (a server's separate
            reasoning field); None lets the policy split by the think tags.
    """

    text: str
    tokens: int = 1
    channel: Channel | None = None


@dataclass(frozen=True)
class ReplySetup:
    """What a source knows once its prompt is built.

    Attributes:
        prompt_tokens: tokens in the prompt (0 when unknown).
        n_ctx: the context length (0 when unknown).
        dropped_messages: oldest messages left out to fit the context.
        starts_in_reasoning: the prompt already opened the think block.
        think_open: the tag that opens the think block.
        think_close: the tag that closes it.
        max_tokens: the reply room the policy enforces, or None when the
            source enforces its own limit (a server).
        requested_max_tokens: the reply length the caller asked for.
        started_at: when the request began (`time.perf_counter()`), so that
            the time to the first token and the total count building the
            prompt and waiting for a server; None: when the reply loop starts.
    """

    prompt_tokens: int = 0
    n_ctx: int = 0
    dropped_messages: int = 0
    starts_in_reasoning: bool = False
    think_open: str = "<think>"
    think_close: str = "</think>"
    max_tokens: int | None = None
    requested_max_tokens: int = 0
    started_at: float | None = None


@dataclass(frozen=True)
class SourceUsage:
    """Numbers only the source knows, read when the reply ends.

    Attributes:
        prompt_tokens: tokens in the prompt (overrides the setup's if > 0).
        evaluated_tokens: prompt tokens actually evaluated (the rest was cached).
        completion_tokens: generated tokens as the source counts them (a
            server's usage), or 0 to use the policy's count.
    """

    prompt_tokens: int = 0
    evaluated_tokens: int = 0
    completion_tokens: int = 0


class TokenSource(Protocol):
    """One sequence's raw output, pulled by the reply loop.

    A source is made by a backend for one request; the loop calls
    `next_piece` until it returns None, may call `close_reasoning` in
    between, and always calls `close` at the end.
    """

    @property
    def setup(self) -> ReplySetup:
        """The prompt's facts (available before the first piece)."""
        ...

    @property
    def stop_reason(self) -> StopReason:
        """Why the source ended (read after `next_piece` returned None)."""
        ...

    def next_piece(self) -> Piece | None:
        """The next piece of output, or None when the sequence ended."""
        ...

    def close_reasoning(self) -> str | None:
        """Close the think block in place and continue with the answer.

        Returns the text still held back by the source's decoder (to count
        as reasoning), or None when this source cannot close the think block
        (a server). After a successful close `next_piece` may return None
        with stop_reason CONTEXT_FULL when the closing tag filled the context.
        """
        ...

    def usage(self) -> SourceUsage:
        """Numbers the source measured (read when the reply ends)."""
        ...

    def close(self) -> None:
        """Free what the source holds (a connection, a generator)."""
        ...


class ReplyPolicy:
    """The reply rules for one sequence; push pieces in, get events out.

    Args:
        setup: the source's prompt facts.
        options: the request's options (budget, loop detection, max tokens).
    """

    def __init__(self, setup: ReplySetup, options: GenerateOptions) -> None:
        self.setup = setup
        self._budget = options.thinking_budget
        self._loops = LoopDetector() if options.detect_loops else None
        self._loop_text: list[str] = []
        self._splitter: ReasoningSplitter | None = None
        self._field_reasoning: list[str] = []  # text a source tagged as reasoning
        self._has_closed = False
        self.completion_tokens = 0
        self.reasoning_tokens = 0
        started = setup.started_at
        self.started = started if started is not None else time.perf_counter()
        self.first_token_at: float | None = None

    # -- events --------------------------------------------------------------

    def start(self) -> list[StreamEvent]:
        """Events before the first piece (the trimmed-history notice)."""
        if self.setup.dropped_messages:
            text = trimmed_message(self.setup.dropped_messages, self.setup.n_ctx)
            return [Notice(NoticeKind.TRIMMED, text)]
        return []

    @property
    def in_reasoning(self) -> bool:
        """Whether the reply is still in its think block."""
        if self._splitter is None:
            return bool(self._field_reasoning) or self.setup.starts_in_reasoning
        return self._splitter.in_reasoning

    def close_wanted(self, control: GenerationControl) -> NoticeKind | None:
        """Why the think block should be closed now (Answer now, budget), if so."""
        if self._has_closed or not self.in_reasoning:
            return None
        if control.is_answer_now_requested:
            return NoticeKind.ANSWER_NOW
        if self._budget is not None and self.reasoning_tokens >= self._budget:
            return NoticeKind.BUDGET_REACHED
        return None

    def closed(self, kind: NoticeKind, held_text: str | None) -> list[StreamEvent]:
        """The source was asked to close the think block; `held_text` is its answer."""
        self._has_closed = True
        if held_text is None:
            return [Notice(kind, CANNOT_CLOSE_MESSAGE)]
        splitter = self._ensure_splitter()
        events: list[StreamEvent] = list(splitter.feed(held_text)) if held_text else []
        splitter.close_reasoning()
        events += splitter.feed("")
        events.append(Notice(kind, close_message(kind, self._budget)))
        return events

    def feed(self, piece: Piece) -> list[StreamEvent]:
        """Take one piece of output; return the events it settles."""
        if piece.tokens and self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        self.completion_tokens += piece.tokens
        if piece.channel is Channel.REASONING:
            self.reasoning_tokens += piece.tokens
            if not piece.text:
                return []
            self._field_reasoning.append(piece.text)
            return [TextDelta(Channel.REASONING, piece.text), *self._check_loop(piece.text)]
        splitter = self._ensure_splitter()
        was_reasoning = splitter.in_reasoning
        events: list[StreamEvent] = list(splitter.feed(piece.text)) if piece.text else []
        if was_reasoning:
            self.reasoning_tokens += piece.tokens
            events += self._check_loop(piece.text)
        return events

    def is_full(self) -> StopReason | None:
        """MAX_TOKENS (or CONTEXT_FULL for a room shrunk to fit) once the reply is long enough."""
        limit = self.setup.max_tokens
        if limit is None or self.completion_tokens < limit:
            return None
        is_shrunk = limit < self.setup.requested_max_tokens
        return StopReason.CONTEXT_FULL if is_shrunk else StopReason.MAX_TOKENS

    def finish(self, stop: StopReason, usage: SourceUsage) -> list[StreamEvent]:
        """The last events: held-back text, then exactly one Finished."""
        splitter = self._ensure_splitter()
        events: list[StreamEvent] = list(splitter.flush())
        ended = time.perf_counter()
        first = self.first_token_at if self.first_token_at is not None else ended
        completion = usage.completion_tokens or self.completion_tokens
        decode_s = ended - first
        answer = splitter.answer
        stats = GenerationStats(
            prompt_tokens=usage.prompt_tokens or self.setup.prompt_tokens,
            evaluated_tokens=usage.evaluated_tokens,
            completion_tokens=completion,
            reasoning_tokens=self.reasoning_tokens,
            ttft_s=first - self.started,
            decode_tps=decode_rate(completion, decode_s),
            total_s=ended - self.started,
            stop_reason=stop,
            trimmed_messages=self.setup.dropped_messages,
        )
        reasoning = "".join(self._field_reasoning) + splitter.reasoning
        events.append(
            Finished(answer=answer, reasoning=reasoning, stats=stats, boxed=extract_boxed(answer))
        )
        return events

    # -- helpers -------------------------------------------------------------

    def _ensure_splitter(self) -> ReasoningSplitter:
        if self._splitter is None:
            # Text tagged as reasoning came first: the source separates the
            # think block itself, so untagged text is the answer.
            starts = self.setup.starts_in_reasoning and not self._field_reasoning
            self._splitter = ReasoningSplitter(self.setup.think_open, self.setup.think_close,
                                               starts)
        return self._splitter

    def _check_loop(self, text: str) -> list[StreamEvent]:
        loops = self._loops
        if loops is None or loops.has_fired:
            return []
        self._loop_text.append(text)
        if len(self._loop_text) < LOOP_CHECK_EVERY:
            return []
        joined = "".join(self._loop_text)
        self._loop_text.clear()
        if loops.feed(joined):
            return [Notice(NoticeKind.REASONING_LOOP, LOOP_MESSAGE)]
        return []


def decode_rate(tokens: int, seconds: float) -> float:
    """Tokens per second after the first token (0.0 when not measurable)."""
    if tokens < 2 or seconds <= 0:
        return 0.0
    return (tokens - 1) / seconds


def run_reply(
    source: TokenSource, options: GenerateOptions, control: GenerationControl
) -> Iterator[StreamEvent]:
    """Drive one sequence through the reply policy; see Backend.generate.

    Yields TextDelta and Notice events and ends with exactly one Finished,
    also when cancelled. Errors of the source propagate after it is closed.
    """
    try:
        policy = ReplyPolicy(source.setup, options)
        yield from policy.start()
        stop = StopReason.EOS
        while True:
            if control.is_cancelled:
                stop = StopReason.CANCELLED
                break
            kind = policy.close_wanted(control)
            if kind is not None:
                yield from policy.closed(kind, source.close_reasoning())
            piece = source.next_piece()
            if piece is None:
                stop = StopReason.CANCELLED if control.is_cancelled else source.stop_reason
                break
            yield from policy.feed(piece)
            full = policy.is_full()
            if full is not None:
                stop = full
                break
        usage = source.usage()
    finally:
        source.close()
    yield from policy.finish(stop, usage)
