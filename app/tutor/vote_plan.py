"""How many answers "Check this answer" compares, with what budget, in how long.

The new samples run as ONE batch of parallel sequences (the original answer
is sample 0), so the default number is the batch size that pays off on this
machine, plus one:

* CPU: llama.cpp's own `llama-batched-bench` on a 2-core x86 machine (R1-1.5B
  shape, Q4_K_M) gave a total of 9.7 / 12.3 / 18.0 / 13.6 tok/s for 1 / 2 /
  4 / 8 sequences: each extra sequence adds ~0.29 of a single one's speed up
  to the point where the cores, not the memory bus, are the limit (4 = two
  per core there), and beyond it the batch gets slower. A 2-vCPU AVX-512
  EPYC (3x faster for one sequence) gave 29.4 / 35.7 / 42.9 / 35.4: less gain,
  the same peak at 4. So the batch is two sequences per core, at most the
  context's sequence slots.
* GPU: the H200 gave 532 / 909 / 1,434 / 2,192 tok/s for 1 / 2 / 4 / 8
  (~k^0.68): the biggest batch the context's slots allow.
* A server: each sample is one more request, so a small default (3).

Memory: the context's unified KV cache of n_ctx cells holds the prompt once
(shared by all sequences) plus every sequence's own tokens, so
`prompt + batch * budget` must fit n_ctx. When it does not, the budget is
shortened, but not below `MIN_BUDGET` (an R1 answer needs room to reason);
below that, fewer samples run. Either change is said in one sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.tutor.vote import CheckPlan

MAX_BATCH = 8
"""Sequence slots of the engine's context (app.engine.decode_loop.MAX_SEQUENCES)."""

MAX_SAMPLES = MAX_BATCH + 1
"""Answers compared at most: the original plus one full batch."""

MIN_SAMPLES = 2
"""The original and one more."""

DEFAULT_BUDGET = 4096
"""Tokens per new sample when neither the caller nor the settings say."""

MIN_BUDGET = 1024
"""The budget is not shortened below this to fit more samples."""

KV_MARGIN = 16
"""Cells kept free per sequence (the closing tag of an ended think block)."""

REMOTE_SAMPLES = 3
"""Default for a server: every sample is a request of its own."""

CPU_STEP_GAIN = 0.29
"""Total speed gained per extra sequence on the CPU below the knee (measured)."""

CPU_STEP_LOSS = 0.115
"""Total speed lost per sequence beyond the knee (measured: 8 on 2 cores)."""

GPU_BATCH_EXPONENT = 0.68
"""Total batch speed ~ k ** 0.68 on the H200 (measured)."""

REMOTE_TPS = 30.0
"""Assumed server speed when none was measured."""


@dataclass(frozen=True)
class Machine:
    """What the plan needs to know about where the model runs.

    Attributes:
        cores: CPU threads llama.cpp decodes with.
        on_gpu: layers are offloaded to a GPU.
        is_remote: the model is on a server (no local KV cache to plan).
        n_ctx: the context's cells (0: unknown, a server).
        decode_tps: one sequence's decode speed, measured or estimated.
    """

    cores: int
    on_gpu: bool
    is_remote: bool
    n_ctx: int
    decode_tps: float


def efficient_batch(machine: Machine) -> int:
    """The batch size where parallel sequences pay off most."""
    if machine.on_gpu:
        return MAX_BATCH
    return max(2, min(MAX_BATCH, 2 * max(1, machine.cores)))


def batch_speedup(batch: int, machine: Machine) -> float:
    """Total decode speed of `batch` sequences over one sequence's speed."""
    if batch <= 1 or machine.is_remote:
        return 1.0
    if machine.on_gpu:
        return float(batch ** GPU_BATCH_EXPONENT)
    knee = efficient_batch(machine)
    gain = 1.0 + CPU_STEP_GAIN * (min(batch, knee) - 1)
    return max(1.0, gain - CPU_STEP_LOSS * max(0, batch - knee))


def check_seconds(batch: int, budget: int, machine: Machine) -> float:
    """Seconds for `batch` new samples that each use their whole budget."""
    tps = machine.decode_tps if machine.decode_tps > 0 else REMOTE_TPS
    if machine.is_remote:
        return batch * budget / tps
    return batch * budget / (tps * batch_speedup(batch, machine))


def default_samples(machine: Machine) -> int:
    """Answers compared when the settings do not say: the original plus one batch."""
    return REMOTE_SAMPLES if machine.is_remote else efficient_batch(machine) + 1


def plan_for(machine: Machine, prompt_tokens: int, wanted: int | None,
             max_tokens: int | None) -> CheckPlan:
    """The plan for a check on `machine` (see the module's rules)."""
    samples = default_samples(machine) if wanted is None else wanted
    samples = max(MIN_SAMPLES, min(MAX_SAMPLES, samples))
    asked = max(1, max_tokens or DEFAULT_BUDGET)
    batch, budget, note = samples - 1, asked, None
    if not machine.is_remote and machine.n_ctx > 0:
        room = machine.n_ctx - prompt_tokens
        if batch * (budget + KV_MARGIN) > room:
            batch, budget, note = _fit(machine.n_ctx, room, samples, asked)
    return CheckPlan(samples=batch + 1, max_tokens=budget,
                     seconds=check_seconds(batch, budget, machine), note=note)


def _fit(n_ctx: int, room: int, samples: int, asked: int) -> tuple[int, int, str]:
    """Fewer samples or a shorter budget so the batch fits `room` cells."""
    batch = samples - 1
    per_seq = room // batch - KV_MARGIN
    if per_seq >= min(MIN_BUDGET, asked):
        return batch, per_seq, (
            f"The model's context of {n_ctx:,} tokens holds {batch} more answers of at most "
            f"{per_seq:,} tokens each (not {asked:,}); load it with a larger context for "
            "longer ones.")
    floor = min(MIN_BUDGET, asked)
    fewer = max(1, room // (floor + KV_MARGIN))
    budget = max(1, min(asked, room // fewer - KV_MARGIN))
    return fewer, budget, (
        f"The model's context of {n_ctx:,} tokens has room for only {fewer} more "
        f"{'answer' if fewer == 1 else 'answers'} of {budget:,} tokens, so {fewer + 1} "
        f"answers are compared instead of {samples}.")
