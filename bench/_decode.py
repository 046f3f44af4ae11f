"""Decode and history helpers shared by bench/engine.py and bench/gpu_decode.py.

Standard library and `app.core.types` only. bench/gpu_decode.py must not
import `numpy.random` before its first model load (it crashed llama.cpp's
load on the lent H200, docs/gpu.md), so nothing here may import numpy, gguf,
bench/_model.py or bench/_llamacpp.py.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import Any

from app.core.types import (
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    GenerationStats,
    Role,
    SamplingParams,
)

DECODE_PROMPT = (
    "Write a long, detailed story about a lighthouse keeper who finds a message in a "
    "bottle. Describe the sea, the weather and every room of the lighthouse."
)

_WORD_TEXT = (
    "apple river stone cloud garden window bridge candle forest market silver winter "
    "harbor meadow engine letter pencil mirror planet rocket shadow spring summer table "
    "thunder valley wagon yellow basket castle dragon feather island jacket kettle ladder "
    "marble number orange pepper quiet rabbit saddle ticket umbrella violin whistle"
)
WORDS: tuple[str, ...] = tuple(_WORD_TEXT.split())
"""Common words, each a single token after a space, for scripted messages."""


def verdict_line(name: str, value: float, op: str, bound: float, value_fmt: str = ".3f",
                 bound_fmt: str = ".3f", extra: str = "") -> tuple[bool, str]:
    """`NAME: VALUE (target OP BOUND) PASS|MISS[ EXTRA]` and whether it passed."""
    ok = value >= bound if op == ">=" else value <= bound
    tail = f" {extra}" if extra else ""
    line = (f"{name}: {value:{value_fmt}} (target {op} {bound:{bound_fmt}}) "
            f"{'PASS' if ok else 'MISS'}{tail}")
    return ok, line


def sampling(max_tokens: int, seed: int) -> SamplingParams:
    """The app's default R1 sampling (all in llama.cpp's C sampler chain)."""
    return SamplingParams(
        temperature=0.6, top_p=0.95, top_k=40, min_p=0.05, repeat_penalty=1.0,
        max_tokens=max_tokens, seed=seed,
    )


def run_turn(backend: Any, messages: Sequence[ChatMessage], opts: GenerateOptions) -> Finished:
    """Drive one `generate` to its Finished event."""
    finished: Finished | None = None
    for event in backend.generate(messages, opts, GenerationControl()):
        if isinstance(event, Finished):
            finished = event
    if finished is None:
        raise RuntimeError("the engine's stream ended without a Finished event")
    return finished


def engine_decode(backend: Any, n_gen: int, seed: int) -> GenerationStats:
    """Engine decode stats for one reply of up to `n_gen` tokens."""
    messages = [ChatMessage(Role.USER, DECODE_PROMPT)]
    opts = GenerateOptions(sampling=sampling(n_gen, seed), detect_loops=True)
    return run_turn(backend, messages, opts).stats


def raw_decode(llm: Any, tokens: list[int], n_gen: int, seed: int) -> tuple[float, int]:
    """llama-cpp-python's own `generate` loop: tokens/s after the first, and count."""
    llm.set_seed(seed)
    gen = llm.generate(tokens, top_k=40, top_p=0.95, min_p=0.05, temp=0.6,
                       repeat_penalty=1.0, reset=True)
    eos = llm.token_eos()
    count = 0
    first = 0.0
    for token in gen:
        if count == 0:
            first = time.perf_counter()
        if token == eos:
            break
        count += 1
        if count >= n_gen:
            break
    gen.close()
    elapsed = time.perf_counter() - first
    return ((count - 1) / elapsed if count > 1 else 0.0), count


def text_of(backend: Any, n_tokens: int, rng: random.Random, head: str,
            words: Sequence[str] = WORDS) -> str:
    """A text of exactly `n_tokens` tokens (words are single tokens after a space)."""
    out = [head]
    while backend.count_tokens(" ".join(out)) < n_tokens:
        out.append(rng.choice(words))
    while backend.count_tokens(" ".join(out)) > n_tokens and len(out) > 1:
        out.pop()
    return " ".join(out)


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    """Length of the common prefix of two token lists."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
