"""The reply policy itself (app.chat.reply), fed pieces directly by a scripted source.

The contract test (tests/engine/test_reply_contract.py) runs the policy
behind every backend; here each rule is pinned down on its own: the split by
channel and by tags, closing the think block (held text, a source that
cannot close), the budget in tokens, the reply limits, the numbers, the
notices and the source's lifetime.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

import app.chat.reply as reply
from app.chat.reply import (
    CANNOT_CLOSE_MESSAGE,
    Piece,
    ReplyPolicy,
    ReplySetup,
    SourceUsage,
    close_message,
    decode_rate,
    run_reply,
)
from app.core.errors import BackendError
from app.core.types import (
    Channel,
    Finished,
    GenerateOptions,
    GenerationControl,
    Notice,
    NoticeKind,
    StopReason,
    StreamEvent,
    TextDelta,
)

R = Channel.REASONING
A = Channel.ANSWER


def reasoning(text: str, tokens: int = 1) -> Piece:
    """A piece the source tagged as reasoning (a server's separate field)."""
    return Piece(text, tokens, Channel.REASONING)


@dataclass
class Script:
    """A TokenSource that replays pieces.

    `after_close` replaces what is left once the think block is closed (as a
    model that continues after "</think>"); None means the source cannot
    close it (a server). `held` is what its decoder still holds at a close.
    """

    pieces: list[Piece]
    setup: ReplySetup = field(default_factory=ReplySetup)
    after_close: list[Piece] | None = None
    held: str = ""
    stop_reason: StopReason = StopReason.EOS
    source_usage: SourceUsage = field(default_factory=SourceUsage)
    error_after: int | None = None
    cancel_inside: GenerationControl | None = None
    pulled: int = 0
    closes: int = 0
    closed_reasoning: int = 0

    def next_piece(self) -> Piece | None:
        if self.error_after is not None and self.pulled >= self.error_after:
            raise BackendError("The model failed.")
        if not self.pieces:
            if self.cancel_inside is not None:
                # Stop arrived while the source was blocked (a socket shut)
                self.cancel_inside.cancel()
            return None
        self.pulled += 1
        return self.pieces.pop(0)

    def close_reasoning(self) -> str | None:
        self.closed_reasoning += 1
        if self.after_close is None:
            return None
        self.pieces = list(self.after_close)
        return self.held

    def usage(self) -> SourceUsage:
        return self.source_usage

    def close(self) -> None:
        self.closes += 1


def run(
    source: Script,
    options: GenerateOptions | None = None,
    control: GenerationControl | None = None,
) -> list[StreamEvent]:
    events = list(run_reply(source, options or GenerateOptions(), control or GenerationControl()))
    assert source.closes == 1
    return events


def finished(events: list[StreamEvent]) -> Finished:
    assert sum(isinstance(e, Finished) for e in events) == 1
    last = events[-1]
    assert isinstance(last, Finished)
    return last


def deltas(events: list[StreamEvent]) -> list[tuple[Channel, str]]:
    return [(e.channel, e.text) for e in events if isinstance(e, TextDelta)]


def notices(events: list[StreamEvent]) -> list[Notice]:
    return [e for e in events if isinstance(e, Notice)]


# -- the split ---------------------------------------------------------------


def test_reasoning_tagged_by_the_source_then_untagged_answer() -> None:
    # an R1 server with a reasoning field: the prompt opened the think block,
    # but the untagged text after tagged reasoning is the answer
    source = Script(
        [reasoning("Hidden "), reasoning("thoughts"), Piece("Answer"), Piece(" only")],
        ReplySetup(starts_in_reasoning=True),
    )
    events = run(source)
    assert deltas(events) == [(R, "Hidden "), (R, "thoughts"), (A, "Answer"), (A, " only")]
    fin = finished(events)
    assert (fin.reasoning, fin.answer) == ("Hidden thoughts", "Answer only")
    assert fin.stats.reasoning_tokens == 2
    assert fin.stats.completion_tokens == 4


def test_tags_in_untagged_text_after_tagged_reasoning_are_plain_answer_text() -> None:
    source = Script([reasoning("why"), Piece("Use </think> to close, "), Piece("like so.")],
                    ReplySetup(starts_in_reasoning=True))
    fin = finished(run(source))
    assert fin.reasoning == "why"
    assert fin.answer == "Use </think> to close, like so."


def test_a_reasoning_piece_without_text_counts_its_tokens() -> None:
    source = Script([reasoning("", tokens=2), reasoning("a"), Piece("b")])
    events = run(source)
    assert deltas(events) == [(R, "a"), (A, "b")]
    assert finished(events).stats.reasoning_tokens == 3


def test_inline_think_tags_split_across_pieces() -> None:
    source = Script([Piece("<thi"), Piece("nk>\nLet me"), Piece(" add.</th"),
                     Piece("ink>\n\nIt is "),
                     Piece("\\boxed{4}"), Piece(".")])
    events = run(source)
    fin = finished(events)
    assert (fin.reasoning, fin.answer) == ("Let me add.", "It is \\boxed{4}.")
    assert fin.boxed == "4"
    assert "".join(t for c, t in deltas(events) if c is A) == fin.answer


def test_prompt_that_opened_the_think_block_makes_the_reply_reasoning_first() -> None:
    source = Script([Piece("Reasoning"), Piece(" here.</think>"), Piece("\n\nThe answer.")],
                    ReplySetup(starts_in_reasoning=True))
    fin = finished(run(source))
    assert (fin.reasoning, fin.answer) == ("Reasoning here.", "The answer.")
    assert fin.stats.reasoning_tokens == 2  # the piece with the closing tag is reasoning


# -- closing the think block -------------------------------------------------


class AnswerNowAfter(GenerationControl):
    """Answer now, pressed once `source` has handed out `pieces` pieces."""

    def __init__(self, source: Script, pieces: int) -> None:
        super().__init__()
        self._source = source
        self._pieces = pieces

    @property
    def is_answer_now_requested(self) -> bool:
        return self._source.pulled >= self._pieces


def test_answer_now_closes_with_the_sources_held_text_as_reasoning() -> None:
    # the splitter holds "</th" (it may be the closing tag); the source's
    # decoder holds "é": both belong to the reasoning once the block is closed
    source = Script([Piece("abc"), Piece("</th")], ReplySetup(starts_in_reasoning=True),
                    after_close=[Piece("\n\nAnswer"), Piece(".")], held="é")
    events = run(source, control=AnswerNowAfter(source, 2))
    fin = finished(events)
    assert (fin.reasoning, fin.answer) == ("abc</thé", "Answer.")
    assert source.closed_reasoning == 1
    (notice,) = notices(events)
    assert notice == Notice(NoticeKind.ANSWER_NOW, close_message(NoticeKind.ANSWER_NOW, None))
    # the held text comes out before the notice, the answer after it
    at = events.index(notice)
    assert deltas(events[:at]) == [(R, "abc"), (R, "</thé")]
    assert deltas(events[at:]) == [(A, "Answer"), (A, ".")]
    assert fin.stats.reasoning_tokens == 2


def test_close_flushes_what_the_splitter_held_when_the_source_holds_nothing() -> None:
    policy = ReplyPolicy(ReplySetup(starts_in_reasoning=True), GenerateOptions())
    assert policy.feed(Piece("x </thi")) == [TextDelta(R, "x ")]
    events = policy.closed(NoticeKind.BUDGET_REACHED, "")
    assert events[0] == TextDelta(R, "</thi")
    assert isinstance(events[-1], Notice) and events[-1].kind is NoticeKind.BUDGET_REACHED
    assert not policy.in_reasoning
    assert policy.feed(Piece("done")) == [TextDelta(A, "done")]


def test_budget_counts_tokens_not_pieces() -> None:
    source = Script([Piece("one ", tokens=2), Piece("two ", tokens=3), Piece("three", tokens=3)],
                    ReplySetup(starts_in_reasoning=True), after_close=[Piece("Answer")])
    events = run(source, GenerateOptions(thinking_budget=5))
    fin = finished(events)
    assert fin.reasoning == "one two "  # closed at 5 tokens (2 pieces), not after 5 pieces
    assert fin.answer == "Answer"
    assert fin.stats.reasoning_tokens == 5
    assert fin.stats.completion_tokens == 6
    (notice,) = notices(events)
    assert notice.kind is NoticeKind.BUDGET_REACHED
    assert "5 tokens" in notice.message


def test_a_source_that_cannot_close_gives_one_notice_and_the_reply_goes_on() -> None:
    control = GenerationControl()
    pieces = [Piece(f"r{i} ") for i in range(6)] + [Piece("</think>ok")]
    source = Script(pieces, ReplySetup(starts_in_reasoning=True), after_close=None)
    events: list[StreamEvent] = []
    for event in run_reply(source, GenerateOptions(thinking_budget=2), control):
        events.append(event)
        if source.pulled == 4:
            control.answer_now()  # a second reason to close: still one notice
    assert [(n.kind, n.message) for n in notices(events)] == [
        (NoticeKind.BUDGET_REACHED, CANNOT_CLOSE_MESSAGE)
    ]
    assert source.closed_reasoning == 1
    fin = finished(events)
    assert fin.reasoning == "r0 r1 r2 r3 r4 r5 "
    assert fin.answer == "ok"
    assert fin.stats.reasoning_tokens == 7


def test_no_think_block_nothing_to_close() -> None:
    control = GenerationControl()
    control.answer_now()
    source = Script([Piece("Plain"), Piece(" answer")], after_close=[])
    events = run(source, GenerateOptions(thinking_budget=0), control)
    assert notices(events) == []
    assert source.closed_reasoning == 0
    assert finished(events).answer == "Plain answer"


# -- limits ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_tokens", "requested", "expected"),
    [
        (3, 10, StopReason.CONTEXT_FULL),  # the room was shrunk to fit the context
        (3, 3, StopReason.MAX_TOKENS),
    ],
)
def test_is_full_tells_a_shrunk_room_from_the_requested_limit(
    max_tokens: int, requested: int, expected: StopReason
) -> None:
    setup = ReplySetup(max_tokens=max_tokens, requested_max_tokens=requested)
    policy = ReplyPolicy(setup, GenerateOptions())
    policy.feed(Piece("a", tokens=2))
    assert policy.is_full() is None
    policy.feed(Piece("b"))
    assert policy.is_full() is expected
    source = Script([Piece("x")] * 5, setup)
    fin = finished(run(source))
    assert fin.stats.stop_reason is expected
    assert fin.stats.completion_tokens == max_tokens
    assert source.pulled == max_tokens  # no piece pulled past the limit


def test_no_limit_when_the_source_enforces_its_own() -> None:
    policy = ReplyPolicy(ReplySetup(max_tokens=None, requested_max_tokens=4), GenerateOptions())
    policy.feed(Piece("many", tokens=1000))
    assert policy.is_full() is None


def test_the_sources_stop_reason_ends_the_reply() -> None:
    fin = finished(run(Script([Piece("a")], stop_reason=StopReason.CONTEXT_FULL)))
    assert fin.stats.stop_reason is StopReason.CONTEXT_FULL


# -- numbers -----------------------------------------------------------------


def test_decode_rate() -> None:
    assert decode_rate(0, 1.0) == 0.0
    assert decode_rate(1, 1.0) == 0.0  # one token has no rate after the first
    assert decode_rate(11, 2.0) == 5.0
    assert decode_rate(5, 0.0) == 0.0
    assert decode_rate(5, -1.0) == 0.0


@dataclass
class Clock:
    times: list[float]

    def __call__(self) -> float:
        return self.times.pop(0)


def test_stats_from_the_clock_and_the_sources_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    # started 10.0, first token 11.0, ended 13.0
    monkeypatch.setattr(reply, "time", SimpleNamespace(perf_counter=Clock([10.0, 11.0, 13.0])))
    usage = SourceUsage(prompt_tokens=40, evaluated_tokens=12, completion_tokens=9)
    source = Script([Piece("a", 2), Piece("b", 3)], ReplySetup(prompt_tokens=33),
                    source_usage=usage)
    stats = finished(run(source)).stats
    assert (stats.ttft_s, stats.total_s) == (1.0, 3.0)
    assert stats.prompt_tokens == 40  # the source's count wins over the setup's
    assert stats.evaluated_tokens == 12
    assert stats.completion_tokens == 9  # the server's usage wins over counted pieces
    assert stats.decode_tps == decode_rate(9, 2.0) == 4.0


def test_stats_count_pieces_when_the_source_reports_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reply, "time", SimpleNamespace(perf_counter=Clock([0.0, 0.5, 2.5])))
    source = Script([Piece("<think>r"), Piece("</think>"), Piece("a", 3)],
                    ReplySetup(prompt_tokens=7))
    stats = finished(run(source)).stats
    assert stats.prompt_tokens == 7
    assert stats.completion_tokens == 5
    assert stats.decode_tps == 2.0  # (5 - 1) / (2.5 - 0.5)


def test_time_counts_from_the_request_when_the_source_knows_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the request began at 4.0 (then the prompt was built and sent); the
    # first token came at 11.0, the end at 12.0
    monkeypatch.setattr(reply, "time", SimpleNamespace(perf_counter=Clock([11.0, 12.0])))
    source = Script([Piece("a"), Piece("b")], ReplySetup(started_at=4.0))
    stats = finished(run(source)).stats
    assert (stats.ttft_s, stats.total_s) == (7.0, 8.0)


def test_no_token_no_rate_and_ttft_is_the_total(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reply, "time", SimpleNamespace(perf_counter=Clock([1.0, 3.0])))
    stats = finished(run(Script([]))).stats
    assert stats.completion_tokens == 0
    assert stats.decode_tps == 0.0
    assert stats.ttft_s == stats.total_s == 2.0


# -- notices -----------------------------------------------------------------


def test_trimmed_history_is_said_first() -> None:
    source = Script([Piece("Hi")], ReplySetup(dropped_messages=4, n_ctx=2048))
    events = run(source)
    first = events[0]
    assert isinstance(first, Notice) and first.kind is NoticeKind.TRIMMED
    assert "The 4 oldest messages" in first.message and "2,048 tokens" in first.message
    assert finished(events).stats.trimmed_messages == 4


def looping(n: int) -> list[Piece]:
    sentence = "Wait, let me add the two numbers again from the very start. "
    return [Piece(word + " ") for word in (sentence * n).split()]


def test_a_reasoning_loop_is_said_once() -> None:
    setup = ReplySetup(starts_in_reasoning=True)
    events = run(Script(looping(12), setup))
    assert [n.kind for n in notices(events)] == [NoticeKind.REASONING_LOOP]
    quiet = run(Script(looping(12), setup), GenerateOptions(detect_loops=False))
    assert notices(quiet) == []


def test_a_loop_in_the_answer_is_not_reasoning() -> None:
    assert notices(run(Script(looping(12)))) == []


# -- the source's lifetime ---------------------------------------------------


def test_stop_before_the_first_piece_pulls_nothing() -> None:
    control = GenerationControl()
    control.cancel()
    source = Script([Piece("a")])
    events = run(source, control=control)
    assert events == [finished(events)]
    assert finished(events).stats.stop_reason is StopReason.CANCELLED
    assert source.pulled == 0


def test_stop_while_the_source_was_blocked_is_cancelled_not_its_end() -> None:
    control = GenerationControl()
    source = Script([Piece("partial")], stop_reason=StopReason.EOS, cancel_inside=control)
    fin = finished(run(source, control=control))
    assert fin.stats.stop_reason is StopReason.CANCELLED
    assert fin.answer == "partial"


def test_a_failing_source_is_closed_and_its_error_propagates() -> None:
    source = Script([Piece("a"), Piece("b")], error_after=1)
    seen: list[StreamEvent] = []
    with pytest.raises(BackendError, match="failed"):
        for event in run_reply(source, GenerateOptions(), GenerationControl()):
            seen.append(event)
    assert deltas(seen) == [(A, "a")]
    assert not any(isinstance(e, Finished) for e in seen)
    assert source.closes == 1


def test_closing_the_stream_early_closes_the_source() -> None:
    source = Script([Piece("a"), Piece("b"), Piece("c")])
    stream: Iterator[StreamEvent] = run_reply(source, GenerateOptions(), GenerationControl())
    assert next(stream) == TextDelta(A, "a")
    stream.close()  # type: ignore[attr-defined]
    assert source.closes == 1
