"""Check this answer with a real GGUF: one batch of samples, the prompt once, KV freed.

SmolLM2 (the real 135M model) writes the samples; a fake judge of our own
compares numbers (the answers here are plain integers). The server path runs
against the stdlib stub's scripted R1 reply.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import llama_cpp
import pytest

from app.core.types import ChatMessage, GenerateOptions, GenerationControl, LoadParams, Role
from app.core.types import SamplingParams as Sampling
from app.engine.local import LocalBackend
from app.engine.remote import RemoteBackend
from app.services.host import ModelHost
from app.services.loading import LoadedModel, ModelSource
from app.services.tutor import plan_check, run_check
from app.tutor.vote import (
    EQUIVALENT,
    CheckEvent,
    CheckPlan,
    SampleDone,
    SampleProgress,
    VoteFinished,
    VoteUpdate,
)
from tests.support.openai_stub import R1_SCRIPT_MODEL, Handler, serve_stub

pytestmark = pytest.mark.slow


class NumberJudge:
    """Equal as numbers, else not (enough for integer answers)."""

    def __init__(self) -> None:
        self.calls = 0

    def compare(self, gold: str, answer: str) -> str:
        self.calls += 1
        try:
            return EQUIVALENT if float(gold) == float(answer) else "not_equivalent"
        except ValueError:
            return "cant_tell"


@pytest.fixture(scope="module")
def smol(smollm2_path: Path) -> Iterator[tuple[ModelHost, LocalBackend]]:
    params = LoadParams(model_path=smollm2_path, n_ctx=2048, n_threads=1)
    backend = LocalBackend(params)
    host = ModelHost()
    host.adopt(LoadedModel(backend, ModelSource(path=smollm2_path), params))
    yield host, backend
    host.unload()


def _events(host: ModelHost, messages: list[ChatMessage], options: GenerateOptions,
            original: str, plan: CheckPlan, control: GenerationControl | None = None,
            stop_after: type | None = None) -> list[CheckEvent]:
    control = control or GenerationControl()
    out: list[CheckEvent] = []
    for event in run_check(host, messages, options, original, plan, control, NumberJudge()):
        out.append(event)
        if stop_after is not None and isinstance(event, stop_after):
            control.cancel()
    return out


def _seq_cells(backend: LocalBackend, seq: int) -> int:
    """The highest position sequence `seq` holds in the KV cache (-1: none)."""
    memory = llama_cpp.llama_get_memory(backend.llama.ctx)
    return int(llama_cpp.llama_memory_seq_pos_max(memory, seq))


def _common(a: list[int], b: list[int]) -> int:
    n = 0
    while n < min(len(a), len(b)) - 1 and a[n] == b[n]:
        n += 1
    return n


def test_samples_are_distinct_sequences_of_one_batch_with_the_prompt_once(
        smol: tuple[ModelHost, LocalBackend]) -> None:
    host, backend = smol
    messages = [ChatMessage(Role.USER, "Tell me something about rivers. (vote test 1)")]
    options = GenerateOptions(sampling=Sampling(temperature=1.0, max_tokens=24, seed=11))
    prompt = backend.prompts.build(messages).tokens
    cached_before = _common(backend.context_tokens, prompt)
    plan = CheckPlan(samples=4, max_tokens=24, seconds=1.0)
    events = _events(host, messages, options, "So it is \\boxed{4}.", plan)
    done = [e.sample for e in events if isinstance(e, SampleDone)]
    assert sorted(s.index for s in done) == [1, 2, 3]
    assert len({s.text for s in done}) == 3  # seeds 12, 13, 14: three different texts
    assert all(0 < s.tokens <= 24 for s in done)
    # The prompt was evaluated once for all three; every later step is one batch.
    prompt_batches = backend.eval_batches[: backend.prompt_batch_count]
    assert sum(prompt_batches) == len(prompt) - cached_before
    steps = backend.eval_batches[backend.prompt_batch_count:]
    assert max(steps) == 3 and set(steps) <= {1, 2, 3}
    assert sum(steps) >= max(s.tokens for s in done) - 1
    progress = [e for e in events if isinstance(e, SampleProgress)]
    assert progress and {e.index for e in progress} <= {1, 2, 3}
    final = events[-1]
    assert isinstance(final, VoteFinished)
    assert sum(isinstance(e, VoteFinished) for e in events) == 1
    result = final.result
    assert (result.total, result.done, result.cancelled) == (4, 4, False)
    assert result.samples[0].answer == "4" and result.samples[0].stop == "original"
    assert [g.answer for g in result.groups][:1] == ["4"]
    assert result.tokens == sum(s.tokens for s in done)
    for seq in (1, 2, 3):
        assert _seq_cells(backend, seq) == -1


def test_early_stop_closes_the_running_sequences_and_frees_their_kv(
        smol: tuple[ModelHost, LocalBackend]) -> None:
    host, backend = smol
    # Two examples make SmolLM2 answer "\\boxed{7}" every time (controlled answers).
    say, box = ChatMessage(Role.USER, "Say \\boxed{7}"), ChatMessage(Role.ASSISTANT, "\\boxed{7}")
    messages = [say, box, say, box, say]
    options = GenerateOptions(sampling=Sampling(temperature=0.0, max_tokens=48))
    plan = CheckPlan(samples=5, max_tokens=48, seconds=1.0)
    events = _events(host, messages, options, "The answer is \\boxed{7}.", plan)
    done = [e.sample for e in events if isinstance(e, SampleDone)]
    assert all(s.answer == "7" for s in done), [s.text for s in done]
    final = events[-1]
    assert isinstance(final, VoteFinished)
    result = final.result
    # 0, 1 and 2 agree: the last two cannot change the leader, so they were cut.
    assert result.stopped_early and not result.cancelled
    assert result.done == 3 and len(done) == 2
    assert result.summary() == "3 of 3 agree: 7"
    updates = [e for e in events if isinstance(e, VoteUpdate)]
    assert [u.result.done for u in updates] == [2, 3]
    for seq in (1, 2, 3):
        assert _seq_cells(backend, seq) == -1
    assert _seq_cells(backend, 0) >= 0  # sequence 0 stays for the next turn's prefix


def test_cancel_mid_way_stops_all_and_frees_every_sequence(
        smol: tuple[ModelHost, LocalBackend]) -> None:
    host, backend = smol
    messages = [ChatMessage(Role.USER, "Write a long story about a cat. (vote test 3)")]
    options = GenerateOptions(sampling=Sampling(temperature=1.0, max_tokens=400, seed=3))
    plan = CheckPlan(samples=4, max_tokens=400, seconds=1.0)
    events = _events(host, messages, options, "\\boxed{1}", plan, stop_after=SampleProgress)
    final = events[-1]
    assert isinstance(final, VoteFinished)
    assert final.result.cancelled and not final.result.stopped_early
    assert final.result.done == 1  # partial samples do not vote
    assert not any(isinstance(e, SampleDone) for e in events)
    steps = backend.eval_batches[backend.prompt_batch_count:]
    assert max(steps) == 3 and len(steps) < 40  # stopped soon after the 8th piece, not at 400
    for seq in (1, 2, 3):
        assert _seq_cells(backend, seq) == -1
    # The turn was given back: the host serves the next request at once.
    after = list(host.stream(messages, GenerateOptions(sampling=Sampling(max_tokens=2)),
                             GenerationControl()))
    assert after and host.waiting == 0


def test_plan_check_reads_the_loaded_model(smol: tuple[ModelHost, LocalBackend]) -> None:
    host, _ = smol
    loaded = host.loaded
    assert loaded is not None
    plan = plan_check(loaded, prompt_tokens=100, wanted=None, max_tokens=256, decode_tps=20.0)
    assert plan.samples == 3  # one thread: a batch of 2
    assert plan.note is None and plan.max_tokens == 256
    assert plan.seconds == pytest.approx(2 * 256 / (20.0 * 1.29), rel=0.01)
    small = plan_check(loaded, prompt_tokens=100, wanted=5, max_tokens=1024)
    assert small.samples < 5 and small.note is not None and "2,048" in small.note
    assert 100 + (small.samples - 1) * small.max_tokens <= 2048
    assert small.seconds > 0  # estimated from the file and the CPU


def test_a_server_gets_one_request_per_sample_and_stops_early() -> None:
    with serve_stub() as url:
        backend = RemoteBackend(f"{url}/v1", R1_SCRIPT_MODEL)
        source = ModelSource(remote_url=f"{url}/v1", remote_model=R1_SCRIPT_MODEL)
        host = ModelHost()
        host.adopt(LoadedModel(backend, source))
        plan = plan_check(host.loaded, prompt_tokens=17, wanted=5,  # type: ignore[arg-type]
                          max_tokens=64)
        assert (plan.samples, plan.max_tokens, plan.note) == (5, 64, None)
        seen = len(Handler.requests_seen)
        messages = [ChatMessage(Role.USER, "What is 2 + 2?")]
        options = GenerateOptions(sampling=Sampling(max_tokens=4096, seed=5))
        events = _events(host, messages, options, "It is \\boxed{4}.", plan)
        requests = Handler.requests_seen[seen:]
    final = events[-1]
    assert isinstance(final, VoteFinished)
    # the original and two samples say 4: the last two requests were never sent
    assert len(requests) == 2
    assert [r["body"]["seed"] for r in requests] == [6, 7]  # type: ignore[index]
    assert all(r["body"]["max_tokens"] == 64 for r in requests)  # type: ignore[index]
    assert final.result.stopped_early and final.result.done == 3
    assert final.result.summary() == "3 of 3 agree: 4"
