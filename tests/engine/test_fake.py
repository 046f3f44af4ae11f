"""The scripted backend: event shape, cancel, answer-now, budget, errors."""

from __future__ import annotations

import threading

import pytest

from app.core.errors import BackendError
from app.core.types import (
    Channel,
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    Notice,
    NoticeKind,
    Role,
    SamplingParams,
    StopReason,
    StreamEvent,
    TextDelta,
)
from app.engine.fake import FakeBackend

USER = [ChatMessage(Role.USER, "What is 2+2?")]


def _run(backend: FakeBackend, options: GenerateOptions | None = None,
         control: GenerationControl | None = None) -> list[StreamEvent]:
    stream = backend.generate(USER, options or GenerateOptions(), control or GenerationControl())
    return list(stream)


def test_streams_reasoning_then_answer_and_ends_with_one_finished() -> None:
    backend = FakeBackend(
        reasoning="Let me add 2 and 2.", answer="It is \\boxed{4}.", chunk_chars=3
    )
    events = _run(backend)
    assert isinstance(events[-1], Finished)
    assert sum(isinstance(e, Finished) for e in events) == 1
    deltas = [e for e in events if isinstance(e, TextDelta)]
    channels = [d.channel for d in deltas]
    # all reasoning first, then all answer
    assert channels == sorted(channels, key=lambda c: c is Channel.ANSWER)
    assert all(len(d.text) <= 3 for d in deltas)
    fin = events[-1]
    assert fin.reasoning == "Let me add 2 and 2."
    assert fin.answer == "It is \\boxed{4}."
    assert fin.boxed == "4"
    assert fin.stats.stop_reason is StopReason.EOS
    assert fin.stats.completion_tokens == len(deltas)
    assert fin.stats.reasoning_tokens == sum(c is Channel.REASONING for c in channels)
    assert backend.calls == [USER]


def test_cancel_stops_within_one_chunk_and_keeps_partial_text() -> None:
    backend = FakeBackend(reasoning="r" * 40, answer="a" * 40, chunk_chars=4)
    control = GenerationControl()
    seen: list[StreamEvent] = []
    for event in backend.generate(USER, GenerateOptions(), control):
        seen.append(event)
        if isinstance(event, TextDelta) and len(seen) == 3:
            control.cancel()
    fin = seen[-1]
    assert isinstance(fin, Finished)
    assert fin.stats.stop_reason is StopReason.CANCELLED
    assert fin.reasoning == "r" * 12
    assert fin.answer == ""


def test_answer_now_skips_the_rest_of_the_reasoning_with_a_notice() -> None:
    backend = FakeBackend(reasoning="think " * 20, answer="done", chunk_chars=5)
    control = GenerationControl()
    events: list[StreamEvent] = []
    for event in backend.generate(USER, GenerateOptions(), control):
        events.append(event)
        if isinstance(event, TextDelta) and event.channel is Channel.REASONING:
            control.answer_now()
    notices = [e for e in events if isinstance(e, Notice)]
    assert [n.kind for n in notices] == [NoticeKind.ANSWER_NOW]
    fin = events[-1]
    assert isinstance(fin, Finished)
    assert fin.reasoning == "think"
    assert fin.answer == "done"
    assert fin.stats.stop_reason is StopReason.EOS
    # the notice comes right before the first answer chunk
    idx = events.index(notices[0])
    nxt = events[idx + 1]
    assert isinstance(nxt, TextDelta) and nxt.channel is Channel.ANSWER


def test_thinking_budget_moves_on_by_itself() -> None:
    backend = FakeBackend(reasoning="x" * 100, answer="ok", chunk_chars=10)
    events = _run(backend, GenerateOptions(thinking_budget=3))
    kinds = [e.kind for e in events if isinstance(e, Notice)]
    assert kinds == [NoticeKind.BUDGET_REACHED]
    fin = events[-1]
    assert isinstance(fin, Finished)
    assert fin.stats.reasoning_tokens == 3
    assert fin.answer == "ok"


def test_max_tokens_ends_the_reply() -> None:
    backend = FakeBackend(reasoning="abcdefgh", answer="ijkl", chunk_chars=2)
    events = _run(backend, GenerateOptions(sampling=SamplingParams(max_tokens=3)))
    fin = events[-1]
    assert isinstance(fin, Finished)
    assert fin.stats.stop_reason is StopReason.MAX_TOKENS
    assert fin.reasoning == "abcdef"


def test_a_repeating_script_gets_the_shared_loop_notice() -> None:
    # The notice comes from the one reply policy (app.chat.reply), not a script.
    backend = FakeBackend(reasoning="Let me check again. " * 60, answer="ok", chunk_chars=5)
    events = _run(backend, GenerateOptions())
    kinds = [e.kind for e in events if isinstance(e, Notice)]
    assert kinds == [NoticeKind.REASONING_LOOP]
    quiet = _run(FakeBackend(reasoning="Let me check again. " * 60, answer="ok", chunk_chars=5),
                 GenerateOptions(detect_loops=False))
    assert not [e for e in quiet if isinstance(e, Notice)]


def test_error_is_raised_after_the_given_chunks() -> None:
    backend = FakeBackend(answer="hello world", chunk_chars=2,
                          error=BackendError("The server went away."), error_after_chunks=2)
    got: list[StreamEvent] = []
    with pytest.raises(BackendError, match="went away"):
        for event in backend.generate(USER, GenerateOptions(), GenerationControl()):
            got.append(event)
    assert [e.text for e in got if isinstance(e, TextDelta)] == ["he", "ll"]


def test_delay_lets_another_thread_cancel() -> None:
    backend = FakeBackend(answer="z" * 1000, chunk_chars=1, delay_s=0.002)
    control = GenerationControl()
    timer = threading.Timer(0.05, control.cancel)
    timer.start()
    events = _run(backend, control=control)
    timer.join()
    fin = events[-1]
    assert isinstance(fin, Finished)
    assert fin.stats.stop_reason is StopReason.CANCELLED
    assert 0 < len(fin.answer) < 1000
    assert fin.stats.ttft_s >= 0.002


def test_info_count_and_close() -> None:
    backend = FakeBackend(chunk_chars=4, model_name="Tiny", n_ctx=512)
    assert backend.info.model_name == "Tiny"
    assert backend.info.n_ctx == 512
    assert backend.count_tokens("abcdefgh") == 2
    assert backend.count_tokens("abcdefghi") == 3
    backend.close()
    with pytest.raises(RuntimeError):
        backend.generate(USER, GenerateOptions(), GenerationControl())
