"""The engine's own decode loop: k sequences from one prompt, in one batch per round."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.types import (
    Channel,
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    LoadParams,
    Notice,
    NoticeKind,
    Role,
    SamplingParams,
    StopReason,
    StreamEvent,
    TextDelta,
)
from app.engine.decode_loop import MAX_SEQUENCES
from app.engine.local import LocalBackend
from app.engine.parallel import run_parallel
from tests.support.gpu import gpu_layers

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True, params=["0", "1"], ids=["in-turn", "prefetch"])
def prefetch(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Every test runs with decodes launched in turn and launched ahead (the GPU's way)."""
    monkeypatch.setenv("PONDER_PREFETCH", request.param)
    return bool(request.param == "1")


def _user(text: str) -> ChatMessage:
    return ChatMessage(Role.USER, text)


@pytest.fixture(scope="module")
def smol(smollm2_path: Path) -> Iterator[LocalBackend]:
    backend = LocalBackend(LoadParams(model_path=smollm2_path, n_ctx=1024, n_threads=1,
                                      n_gpu_layers=gpu_layers()))
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def r1(tiny_r1_gguf: Path) -> Iterator[LocalBackend]:
    backend = LocalBackend(LoadParams(model_path=tiny_r1_gguf, n_ctx=1024, n_threads=1,
                                      n_gpu_layers=gpu_layers()))
    yield backend
    backend.close()


def _parallel(backend: LocalBackend, messages: list[ChatMessage], options: GenerateOptions,
              k: int, control: GenerationControl | None = None,
              ) -> dict[int, list[StreamEvent]]:
    control = control or GenerationControl()
    sources = backend.open_sources(messages, options, control, k)
    events: dict[int, list[StreamEvent]] = {i: [] for i in range(k)}
    for index, event in run_parallel(sources, options, control):
        events[index].append(event)
    return events


def _text(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def test_three_sequences_evaluate_the_prompt_once_and_each_finishes(smol: LocalBackend,
                                                                   prefetch: bool) -> None:
    # the mode in the text: the other mode's run must not leave this prompt cached
    messages = [_user(f"Name three colours of the rainbow, please. (parallel test {prefetch})")]
    prompt = smol.prompts.build(messages).tokens
    options = GenerateOptions(sampling=SamplingParams(temperature=1.0, max_tokens=16, seed=4))
    events = _parallel(smol, messages, options, 3)
    batches = smol.eval_batches
    prompt_batches = batches[: smol.prompt_batch_count]
    # every uncached prompt token was decoded exactly once, shared by the three sequences
    # (the other mode's run may have left the template's system part cached)
    evaluated = sum(prompt_batches)
    assert len(prompt) - 40 <= evaluated <= len(prompt)
    steps = batches[smol.prompt_batch_count :]
    assert steps and max(steps) == 3 and set(steps) <= {1, 2, 3}
    finished = []
    for index in range(3):
        assert sum(isinstance(e, Finished) for e in events[index]) == 1
        fin = events[index][-1]
        assert isinstance(fin, Finished)
        assert fin.answer == _text(events[index])
        assert fin.stats.evaluated_tokens == evaluated
        assert fin.stats.stop_reason in (StopReason.MAX_TOKENS, StopReason.EOS)
        finished.append(fin)
    # generated tokens = one step row each, after the first token (sampled from the prompt);
    # prefetching launches at most one batch that nobody reads (the last round's)
    expected = sum(f.stats.completion_tokens for f in finished) - 3 + sum(
        f.stats.stop_reason is StopReason.EOS for f in finished)
    assert expected <= sum(steps) <= expected + (3 if prefetch else 0)
    # seeds 4, 5, 6: the samples differ
    assert len({f.answer for f in finished}) >= 2


def test_greedy_sequences_match_the_single_reply(smol: LocalBackend) -> None:
    messages = [_user("What is the capital of France?")]
    options = GenerateOptions(sampling=SamplingParams(temperature=0.0, max_tokens=12))
    single = list(smol.generate(messages, options, GenerationControl()))[-1]
    assert isinstance(single, Finished)
    events = _parallel(smol, messages, options, 3)
    answers = [events[i][-1] for i in range(3)]
    assert all(isinstance(f, Finished) and f.answer == single.answer for f in answers)


def test_first_sequence_stays_in_the_cache_for_the_next_turn(smol: LocalBackend) -> None:
    messages = [_user("Tell me about the moon in one sentence.")]
    options = GenerateOptions(sampling=SamplingParams(temperature=0.7, max_tokens=10, seed=9))
    events = _parallel(smol, messages, options, 2)
    first = events[0][-1]
    assert isinstance(first, Finished)
    prompt = smol.prompts.build(messages).tokens
    cached = smol.context_tokens
    assert cached[: len(prompt)] == prompt
    assert smol.count_tokens(first.answer) - 1 <= len(cached) - len(prompt) <= 10
    turn2 = [*messages, ChatMessage(Role.ASSISTANT, first.answer), _user("And the sun?")]
    fin2 = list(smol.generate(turn2, options, GenerationControl()))[-1]
    assert isinstance(fin2, Finished)
    assert fin2.stats.evaluated_tokens < fin2.stats.prompt_tokens - len(prompt) // 2


def test_cancel_stops_every_sequence_within_one_token(smol: LocalBackend,
                                                      prefetch: bool) -> None:
    control = GenerationControl()
    options = GenerateOptions(sampling=SamplingParams(temperature=0.0, max_tokens=200))
    sources = smol.open_sources([_user("Write a long poem about rivers.")], options, control, 3)
    events: dict[int, list[StreamEvent]] = {0: [], 1: [], 2: []}
    deltas = 0
    for index, event in run_parallel(sources, options, control):
        events[index].append(event)
        if isinstance(event, TextDelta):
            deltas += 1
            if deltas == 5:
                control.cancel()
    rounds_after_prompt = len(smol.eval_batches) - smol.prompt_batch_count
    for index in range(3):
        fin = events[index][-1]
        assert isinstance(fin, Finished)
        assert fin.stats.stop_reason is StopReason.CANCELLED
        assert fin.stats.completion_tokens <= 3
    assert rounds_after_prompt <= (3 if prefetch else 2)


def test_answer_now_closes_each_think_block(r1: LocalBackend) -> None:
    control = GenerationControl()
    options = GenerateOptions(sampling=SamplingParams(temperature=0.8, max_tokens=24, seed=3))
    sources = r1.open_sources([_user("Think about cats.")], options, control, 2)
    events: dict[int, list[StreamEvent]] = {0: [], 1: []}
    for index, event in run_parallel(sources, options, control):
        events[index].append(event)
        if isinstance(event, TextDelta) and len(r1.eval_batches) - r1.prompt_batch_count == 4:
            control.answer_now()
    close = r1.tokenize("\n</think>\n\n")
    # each sequence's closing tag went in with its pending token (in turn), or alone
    # after it (prefetched: the token was launched before the close was asked for)
    c = len(close)
    assert {c, 1 + c, 2 * c, 1 + 2 * c, 2 + 2 * c} & set(r1.eval_batches)
    for index in range(2):
        notices = [e for e in events[index] if isinstance(e, Notice)]
        assert [n.kind for n in notices] == [NoticeKind.ANSWER_NOW]
        after = events[index][events[index].index(notices[0]) + 1 :]
        assert all(e.channel is Channel.ANSWER for e in after if isinstance(e, TextDelta))
        fin = events[index][-1]
        assert isinstance(fin, Finished)
        # the random tiny model may end right after the tag (prefetched, no token was
        # drawn and dropped at the close, so its draws differ from the in-turn run)
        assert fin.stats.completion_tokens >= fin.stats.reasoning_tokens >= 3
        assert fin.stats.stop_reason in (StopReason.EOS, StopReason.MAX_TOKENS)


def test_thinking_budget_per_sequence(r1: LocalBackend) -> None:
    options = GenerateOptions(sampling=SamplingParams(temperature=0.8, max_tokens=20, seed=2),
                              thinking_budget=5)
    events = _parallel(r1, [_user("Think hard.")], options, 3)
    for index in range(3):
        notices = [e for e in events[index] if isinstance(e, Notice)]
        assert [n.kind for n in notices] == [NoticeKind.BUDGET_REACHED]
        fin = events[index][-1]
        assert isinstance(fin, Finished)
        assert fin.stats.reasoning_tokens == 5


def test_k_out_of_range_is_refused(r1: LocalBackend) -> None:
    options = GenerateOptions()
    with pytest.raises(ValueError, match="between 1 and"):
        r1.open_sources([_user("x")], options, GenerationControl(), MAX_SEQUENCES + 1)


def test_a_new_request_ends_the_previous_sequences(r1: LocalBackend) -> None:
    options = GenerateOptions(sampling=SamplingParams(temperature=0.8, max_tokens=8, seed=1))
    old = r1.open_sources([_user("one")], options, GenerationControl(), 2)
    assert old[1].next_piece() is not None
    fin = list(r1.generate([_user("two")], options, GenerationControl()))[-1]
    assert isinstance(fin, Finished) and fin.stats.completion_tokens == 8
    assert old[1].next_piece() is None or old[1].next_piece() is None
    for source in old:
        source.close()


def test_prefetch_launches_the_next_decode_before_the_piece_is_read(
        smol: LocalBackend, prefetch: bool) -> None:
    options = GenerateOptions(sampling=SamplingParams(temperature=0.0, max_tokens=8))
    control = GenerationControl()
    (source,) = smol.open_sources([_user("Count from one to ten.")], options, control, 1)
    first = source.next_piece()
    assert first is not None
    # the first token is never launched ahead (its graph rebuild would count in the TTFT)
    assert len(smol.eval_batches) - smol.prompt_batch_count == 0
    second = source.next_piece()
    assert second is not None
    after_second = len(smol.eval_batches) - smol.prompt_batch_count
    # launched ahead: token 2 is already being decoded; in turn: not until token 3 is asked for
    assert after_second == (2 if prefetch else 1)
    source.close()


def test_prefetched_and_in_turn_replies_are_the_same(smol: LocalBackend,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    messages = [_user("Write two sentences about tea.")]
    replies = {}
    for mode in ("0", "1"):
        monkeypatch.setenv("PONDER_PREFETCH", mode)
        options = GenerateOptions(sampling=SamplingParams(temperature=0.8, max_tokens=24,
                                                          seed=11))
        single = list(smol.generate(messages, options, GenerationControl()))[-1]
        events = _parallel(smol, messages, options, 3)
        assert isinstance(single, Finished)
        replies[mode] = (single.answer, [_text(events[i]) for i in range(3)])
    assert replies["0"] == replies["1"]


def test_closing_in_place_decoded_ahead_or_in_turn_gives_the_same_replies(
        r1: LocalBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    """The thinking budget closes each think block; decoded ahead, the token sampled
    in the think block is taken back out of the cache: the replies and the kept
    cache are those of the in-turn loop (greedy, so draws cannot differ)."""
    messages = [_user("Think about dogs, then answer.")]
    results = {}
    for mode in ("0", "1"):
        monkeypatch.setenv("PONDER_PREFETCH", mode)
        options = GenerateOptions(sampling=SamplingParams(temperature=0.0, max_tokens=18),
                                  thinking_budget=5)
        single = list(r1.generate(messages, options, GenerationControl()))[-1]
        assert isinstance(single, Finished)
        kept = r1.context_tokens
        events = _parallel(r1, messages, options, 3)
        finals = [events[i][-1] for i in range(3)]
        assert all(isinstance(f, Finished) for f in finals)
        results[mode] = (single.reasoning, single.answer, kept,
                         [(f.reasoning, f.answer) for f in finals if isinstance(f, Finished)],
                         r1.context_tokens)
    assert results["0"] == results["1"]
