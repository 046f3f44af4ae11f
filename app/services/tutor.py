"""Check an answer by voting: plan the samples, draw them in one batch, tally.

`plan_check` says how many answers to compare, with what token budget, and
how long it takes on this machine (app.tutor.vote_plan holds the rules).
`run_check` draws the new samples in ONE turn of the model host: on a local
model as parallel sequences of one llama.cpp batch (the prompt evaluated
once, `LocalBackend.open_sources` + app.engine.parallel), on a server as one
request after another. Each finished sample's boxed answer joins the vote at
once (app.tutor.vote.Tally); once the leader cannot be caught, the running
sequences are closed (their KV cells freed) and the check ends early.

Priority: BACKGROUND. A check is one long turn (minutes of reasoning on a
laptop) that is never pre-empted once it runs; queued behind it or in front
of it, a chat reply the person sends meanwhile should go first, and the
host's streak rule keeps the check from waiting forever.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Generator, Iterator, Sequence
from typing import Protocol, runtime_checkable

from app.chat.answer import extract_boxed
from app.chat.reply import TokenSource
from app.core.errors import BackendError
from app.core.types import (
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    StopReason,
    StreamEvent,
    TextDelta,
)
from app.engine.parallel import run_parallel
from app.hardware.cpu import probe_cpu
from app.hardware.speed import (
    GPU_BANDWIDTH_EFFICIENCY,
    GPU_DEFAULT_BANDWIDTH,
    GPU_TOKEN_OVERHEAD_S,
    cpu_bandwidth,
)
from app.services.host import NO_MODEL_MESSAGE, ModelHost, Priority
from app.services.loading import LoadedModel
from app.tutor.vote import (
    CheckEvent,
    CheckPlan,
    Judge,
    Sample,
    SampleDone,
    SampleProgress,
    Tally,
    VoteFinished,
    VoteUpdate,
    original_sample,
)
from app.tutor.vote_plan import Machine, plan_for

LOG = logging.getLogger(__name__)

PROGRESS_EVERY = 8
"""A SampleProgress every this many streamed pieces of a sample."""

ANSWER_ROOM = 256
"""Tokens of a sample's budget kept for the answer after its reasoning."""

WEIGHTS_READ = 0.9
"""Share of the file read per token (the embedding is read one row at a time)."""


@runtime_checkable
class ParallelBackend(Protocol):
    """A backend that runs k sequences of one prompt in one batch (LocalBackend)."""

    def open_sources(self, messages: Sequence[ChatMessage], options: GenerateOptions,
                     control: GenerationControl, k: int) -> Sequence[TokenSource]: ...


def machine_of(loaded: LoadedModel, decode_tps: float | None = None) -> Machine:
    """The facts the plan needs about the loaded model and this computer."""
    info = loaded.backend.info
    is_remote = loaded.source.is_remote or info.backend == "remote"
    on_gpu = not is_remote and info.backend != "CPU" and info.n_gpu_layers != 0
    params = loaded.params
    cores = (params.n_threads if params is not None and params.n_threads
             else probe_cpu().physical_cores)
    tps = decode_tps if decode_tps is not None and decode_tps > 0 else 0.0
    if tps <= 0 and params is not None:
        tps = _estimated_tps(params.model_path.stat().st_size, on_gpu)
    return Machine(cores=cores, on_gpu=on_gpu, is_remote=is_remote, n_ctx=info.n_ctx,
                   decode_tps=tps)


def _estimated_tps(file_bytes: int, on_gpu: bool) -> float:
    """One sequence's decode speed from the weights read per token (app.hardware.speed)."""
    read = file_bytes * WEIGHTS_READ
    if on_gpu:
        return 1.0 / (GPU_TOKEN_OVERHEAD_S + read / (GPU_DEFAULT_BANDWIDTH
                                                      * GPU_BANDWIDTH_EFFICIENCY))
    return cpu_bandwidth(probe_cpu()) / read


def plan_check(loaded: LoadedModel, prompt_tokens: int, wanted: int | None,
               max_tokens: int | None, *, decode_tps: float | None = None) -> CheckPlan:
    """How many answers to compare, each new one's budget, and the time it takes.

    Args:
        loaded: the model the check runs on.
        prompt_tokens: the question's prompt (host.measure gives it).
        wanted: answers in all, the original included (the `check_samples`
            setting); None: what this machine batches well.
        max_tokens: each new sample's budget; None: 4,096 tokens.
        decode_tps: one sequence's measured decode speed (the original
            reply's `decode_tps`); None: estimated from the hardware.
    """
    return plan_for(machine_of(loaded, decode_tps), prompt_tokens, wanted, max_tokens)


def sample_options(options: GenerateOptions, plan: CheckPlan) -> GenerateOptions:
    """The request of the new samples: the plan's budget, fresh seeds, no saved state.

    The think block is closed `ANSWER_ROOM` tokens before the budget ends so
    that a long reasoning still gives a boxed answer. A fixed seed moves on
    by one, so no sample repeats the original word for word. The samples do
    not belong to the conversation's saved KV state (it keeps the original).
    """
    sampling = options.sampling
    seed = None if sampling.seed is None else sampling.seed + 1
    budget = plan.max_tokens
    thinking = max(1, budget - min(ANSWER_ROOM, budget // 4))
    if options.thinking_budget is not None:
        thinking = min(thinking, options.thinking_budget)
    return dataclasses.replace(
        options, sampling=dataclasses.replace(sampling, max_tokens=budget, seed=seed),
        thinking_budget=thinking, conversation=None)


def run_check(
    host: ModelHost,
    messages: Sequence[ChatMessage],
    options: GenerateOptions,
    original: str,
    plan: CheckPlan,
    control: GenerationControl,
    judge: Judge,
    *,
    original_reasoning: str = "",
    priority: Priority = Priority.BACKGROUND,
) -> Iterator[CheckEvent]:
    """Draw `plan.samples - 1` new answers to `messages` and vote with the original.

    Args:
        host: the model host (the check takes one turn).
        messages: the conversation up to the question (not the answer).
        options: the original request's options (math mode, sampling).
        original: the answer being checked (sample 0).
        plan: from plan_check.
        control: cancel stops every sample; the result says `cancelled`.
        judge: compares boxed answers.
        original_reasoning: the original's think block (kept with sample 0).
        priority: the host's queue priority.

    Yields:
        SampleProgress, SampleDone and VoteUpdate as samples run and finish,
        then one VoteFinished.

    Raises:
        BackendError: no model is loaded, or the model failed.
    """
    started = time.perf_counter()
    tally = Tally(judge, plan.samples)
    tally.add(original_sample(original, original_reasoning, extract_boxed(original)))
    stopped_early = False
    with host.turn(priority, control) as granted:
        if granted and plan.samples > 1:
            loaded = host.loaded
            if loaded is None:
                raise BackendError(NO_MODEL_MESSAGE)
            stream = _sample_stream(loaded, messages, sample_options(options, plan),
                                    control, plan.samples - 1)
            try:
                for event in _vote(stream, tally, control, started):
                    yield event
                    if isinstance(event, VoteUpdate) and tally.is_decided():
                        stopped_early = tally.done < tally.total
                        break
            finally:
                stream.close()  # closes the running sequences: their KV cells are freed
    yield VoteFinished(tally.result(stopped_early=stopped_early,
                                    cancelled=control.is_cancelled,
                                    seconds=time.perf_counter() - started))


def _vote(stream: Iterator[tuple[int, StreamEvent]], tally: Tally, control: GenerationControl,
          started: float) -> Iterator[CheckEvent]:
    pieces: dict[int, int] = {}
    for seq, event in stream:
        index = seq + 1
        if isinstance(event, TextDelta):
            count = pieces.get(index, 0) + 1
            pieces[index] = count
            if count % PROGRESS_EVERY == 0:
                yield SampleProgress(index, count)
        elif isinstance(event, Finished):
            if event.stats.stop_reason is StopReason.CANCELLED and control.is_cancelled:
                continue  # a partial sample does not vote
            sample = Sample(index, event.answer, event.reasoning, event.boxed,
                            event.stats.completion_tokens, event.stats.stop_reason.value)
            tally.add(sample)
            yield SampleDone(sample)
            yield VoteUpdate(tally.result(seconds=time.perf_counter() - started))


def _sample_stream(loaded: LoadedModel, messages: Sequence[ChatMessage],
                   options: GenerateOptions, control: GenerationControl,
                   k: int) -> Generator[tuple[int, StreamEvent], None, None]:
    """(sequence, event) of k new samples: one batch locally, k requests on a server."""
    backend = loaded.backend
    if isinstance(backend, ParallelBackend):
        sources = backend.open_sources(messages, options, control, k)
        yield from run_parallel(sources, options, control)
    else:
        yield from _one_by_one(loaded, messages, options, control, k)


def _one_by_one(loaded: LoadedModel, messages: Sequence[ChatMessage],
                options: GenerateOptions, control: GenerationControl,
                k: int) -> Iterator[tuple[int, StreamEvent]]:
    """k requests in a row (a server); sample i asks with seed + i where a seed is set."""
    for seq in range(k):
        if control.is_cancelled:
            return
        sampling = options.sampling
        seed = None if sampling.seed is None else sampling.seed + seq
        request = dataclasses.replace(options,
                                      sampling=dataclasses.replace(sampling, seed=seed))
        replies = loaded.backend.generate(messages, request, control)
        try:
            for event in replies:
                yield seq, event
        finally:
            close = getattr(replies, "close", None)
            if close is not None:
                close()
