"""LocalBackend on the real SmolLM2-135M GGUF through real llama.cpp."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import ContextOverflowError, ModelFileError
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
from app.engine.local import LocalBackend
from tests.support.gpu import expected_backend, gpu_layers

pytestmark = pytest.mark.slow

GREEDY = SamplingParams(temperature=0.0, max_tokens=12, seed=7)


@pytest.fixture(scope="module")
def smol(smollm2_path: Path) -> Iterator[LocalBackend]:
    backend = LocalBackend(LoadParams(model_path=smollm2_path, n_ctx=1024, n_threads=1,
                                     n_gpu_layers=gpu_layers()))
    yield backend
    backend.close()


def _run(backend: LocalBackend, messages: list[ChatMessage],
         options: GenerateOptions, control: GenerationControl | None = None) -> list[StreamEvent]:
    return list(backend.generate(messages, options, control or GenerationControl()))


def _user(text: str) -> ChatMessage:
    return ChatMessage(Role.USER, text)


def test_info_profile_and_template(smol: LocalBackend) -> None:
    assert smol.info.backend == expected_backend()
    assert smol.info.n_gpu_layers == gpu_layers()
    assert smol.info.n_ctx == 1024
    assert smol.profile.name == "generic"
    assert smol.header.architecture == "llama"
    text = smol.prompts.build([_user("Hi")]).text
    assert text.endswith("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")


def test_streams_tokens_with_stats(smol: LocalBackend) -> None:
    events = _run(smol, [_user("Name three colours.")], GenerateOptions(sampling=GREEDY))
    fin = events[-1]
    assert isinstance(fin, Finished)
    deltas = [e for e in events[:-1] if isinstance(e, TextDelta)]
    assert len(deltas) >= 5  # streamed token by token, not in one piece
    assert "".join(d.text for d in deltas if d.channel is Channel.ANSWER) == fin.answer
    assert fin.answer.strip()
    stats = fin.stats
    prompt = smol.prompts.build([_user("Name three colours.")])
    assert stats.prompt_tokens == len(prompt.tokens)
    assert stats.completion_tokens <= GREEDY.max_tokens
    if stats.stop_reason is StopReason.MAX_TOKENS:
        assert stats.completion_tokens == GREEDY.max_tokens
    assert 0 < stats.evaluated_tokens <= stats.prompt_tokens
    assert stats.ttft_s > 0 and stats.decode_tps > 0 and stats.total_s >= stats.ttft_s
    # llama.cpp evaluated the prompt part once, then exactly one token per step
    prompt_batches = smol.eval_batches[: smol.prompt_batch_count]
    assert sum(prompt_batches) == stats.evaluated_tokens
    assert max(prompt_batches) <= 512  # chunked, so cancel works during the prompt
    assert set(smol.eval_batches[smol.prompt_batch_count :]) <= {1}


def test_same_seed_same_text_and_greedy_is_deterministic(smol: LocalBackend) -> None:
    options = GenerateOptions(sampling=SamplingParams(temperature=0.8, max_tokens=10, seed=3))
    first = _run(smol, [_user("Tell me a story.")], options)[-1]
    second = _run(smol, [_user("Tell me a story.")], options)[-1]
    assert isinstance(first, Finished) and isinstance(second, Finished)
    assert first.answer == second.answer
    # the whole prompt was in the KV cache the second time: one token replayed
    assert second.stats.evaluated_tokens == 1


def test_cancel_stops_within_one_token_and_keeps_text(smol: LocalBackend) -> None:
    control = GenerationControl()
    events: list[StreamEvent] = []
    options = GenerateOptions(sampling=SamplingParams(temperature=0.0, max_tokens=200))
    for event in smol.generate([_user("Write a long poem about the sea.")], options, control):
        events.append(event)
        if isinstance(event, TextDelta) and sum(isinstance(e, TextDelta) for e in events) == 4:
            control.cancel()
    fin = events[-1]
    assert isinstance(fin, Finished)
    assert fin.stats.stop_reason is StopReason.CANCELLED
    streamed = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert fin.answer == streamed
    # cancel was set right after the 4th delta: no further token was sampled
    assert fin.stats.completion_tokens <= 4
    assert len(smol.eval_batches) - smol.prompt_batch_count == fin.stats.completion_tokens - 1


def test_second_turn_reuses_the_kv_cache(smol: LocalBackend) -> None:
    options = GenerateOptions(sampling=GREEDY)
    turn1 = [_user("What is the capital of France? Answer in one word, please.")]
    fin1 = _run(smol, turn1, options)[-1]
    assert isinstance(fin1, Finished)
    cached = smol.context_tokens
    turn2 = [*turn1, ChatMessage(Role.ASSISTANT, fin1.answer), _user("And of Italy?")]
    fin2 = _run(smol, turn2, options)[-1]
    assert isinstance(fin2, Finished)
    prompt2 = smol.prompts.build(turn2).tokens
    common = 0
    for a, b in zip(cached, prompt2, strict=False):
        if a != b:
            break
        common += 1
    assert common > 30
    assert fin2.stats.prompt_tokens == len(prompt2)
    assert fin2.stats.evaluated_tokens == len(prompt2) - common
    assert fin2.stats.evaluated_tokens < fin2.stats.prompt_tokens / 2


@pytest.fixture(scope="module")
def smol_small(smollm2_path: Path) -> Iterator[LocalBackend]:
    backend = LocalBackend(LoadParams(model_path=smollm2_path, n_ctx=256, n_threads=1,
                                     n_gpu_layers=gpu_layers()))
    yield backend
    backend.close()


def test_long_history_is_trimmed_with_a_notice(smol_small: LocalBackend) -> None:
    history: list[ChatMessage] = []
    for i in range(8):
        history.append(_user(f"Question {i}: please describe the number {i} in a few words."))
        history.append(ChatMessage(Role.ASSISTANT, f"The number {i} is a small whole number."))
    history.append(_user("Thanks, and what is 2+2?"))
    options = GenerateOptions(sampling=SamplingParams(temperature=0.0, max_tokens=16))
    events = _run(smol_small, history, options)
    notices = [e for e in events if isinstance(e, Notice)]
    assert [n.kind for n in notices] == [NoticeKind.TRIMMED]
    fin = events[-1]
    assert isinstance(fin, Finished)
    assert fin.stats.trimmed_messages > 0
    assert fin.stats.trimmed_messages % 2 == 0  # whole turns
    assert f"{fin.stats.trimmed_messages} oldest" in notices[0].message
    assert fin.stats.prompt_tokens + 16 <= 256


def test_too_large_max_tokens_shrinks_and_ends_as_context_full(smol_small: LocalBackend) -> None:
    options = GenerateOptions(sampling=SamplingParams(temperature=1.5, max_tokens=5000, seed=1))
    fin = _run(smol_small, [_user("Count from one to one thousand in words.")], options)[-1]
    assert isinstance(fin, Finished)
    assert fin.stats.prompt_tokens + fin.stats.completion_tokens <= 256
    if fin.stats.stop_reason is not StopReason.EOS:
        assert fin.stats.stop_reason is StopReason.CONTEXT_FULL
        assert fin.stats.prompt_tokens + fin.stats.completion_tokens == 256


def test_message_longer_than_context_is_a_clear_error(smol_small: LocalBackend) -> None:
    with pytest.raises(ContextOverflowError, match="too long"):
        _run(smol_small, [_user("word " * 400)], GenerateOptions(sampling=GREEDY))


def test_truncated_copy_of_the_real_model_is_refused(smollm2_path: Path, tmp_path: Path) -> None:
    cut = tmp_path / "smol-partial.gguf"
    with smollm2_path.open("rb") as src, cut.open("wb") as dst:
        dst.write(src.read(smollm2_path.stat().st_size // 3))
    with pytest.raises(ModelFileError, match=r"incomplete: .*\(33%\)"):
        LocalBackend(LoadParams(model_path=cut))
    renamed = tmp_path / "copy.gguf"
    shutil.copyfile(smollm2_path, renamed)
    LocalBackend(LoadParams(model_path=renamed, n_ctx=128, n_threads=1)).close()


def test_cancel_during_a_long_prompt(smol: LocalBackend) -> None:
    control = GenerationControl()
    long_text = " ".join(f"Sentence number {i} talks about the weather." for i in range(80))
    options = GenerateOptions(sampling=GREEDY)
    timer = threading.Timer(0.3, control.cancel)
    timer.start()
    started = time.perf_counter()
    events = _run(smol, [_user(long_text)], options, control)
    elapsed = time.perf_counter() - started
    timer.join()
    fin = events[-1]
    assert isinstance(fin, Finished)
    assert fin.stats.stop_reason is StopReason.CANCELLED
    assert fin.stats.completion_tokens == 0
    prompt_tokens = len(smol.prompts.build([_user(long_text)]).tokens)
    assert prompt_tokens > 700
    # stopped after a chunk or two, not after the whole prompt
    assert sum(smol.eval_batches) < prompt_tokens - 64
    assert smol.eval_batches[0] == 256
    assert elapsed < 30
    # the cache is consistent: the next turn reuses what was evaluated
    cached = smol.context_tokens
    assert cached == smol.prompts.build([_user(long_text)]).tokens[: len(cached)]
    fin2 = _run(smol, [_user(long_text)], options)[-1]
    assert isinstance(fin2, Finished)
    assert fin2.stats.evaluated_tokens == prompt_tokens - len(cached)
