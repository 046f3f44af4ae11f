"""Draw tokens from a sampler chain over fixed logits, and compare distributions.

Standard library, ctypes and llama_cpp only (no numpy: see bench/_decode.py).
Used by tests/engine/test_sampler.py and bench/sampler.py.

* `draw(chain, logits, n)`: n draws of one chain from the same logits, each
  through `llama_sampler_apply` on a fresh copy of the candidates (a C
  memmove), so the chain sees exactly what `llama_sampler_sample` gives it.
* `expected_probs(logits, spec)`: the distribution the chain should draw
  from, computed here in plain Python (top-k, top-p, min-p, temperature) as
  llama.cpp documents them.
* `chi_square_fit` / `chi_square_two`: Pearson's statistic against expected
  probabilities or between two samples, with bins of small expected counts
  merged, and the critical value at a given p (Wilson-Hilferty).
"""

from __future__ import annotations

import ctypes
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import llama_cpp

from app.engine.sampler import ChainSpec

P_VALUE = 0.001
"""The tests' false-alarm rate: a correct chain fails one run in a thousand seeds."""

_Z = {0.001: 3.090232, 0.01: 2.326348, 0.05: 1.644854}


@dataclass(frozen=True)
class ChiSquare:
    """A chi-square statistic, its degrees of freedom and the critical value."""

    statistic: float
    dof: int
    critical: float

    @property
    def passed(self) -> bool:
        return self.statistic <= self.critical

    def line(self, name: str) -> str:
        verdict = "PASS" if self.passed else "MISS"
        return (f"{name}: chi2 {self.statistic:.1f} (dof {self.dof}, target <= "
                f"{self.critical:.1f} at p={P_VALUE}) {verdict}")


def critical_value(dof: int, p: float = P_VALUE) -> float:
    """Upper chi-square quantile (Wilson-Hilferty; within 1% for dof >= 3)."""
    z = _Z[p]
    k = float(max(dof, 1))
    return k * (1 - 2 / (9 * k) + z * math.sqrt(2 / (9 * k))) ** 3


class Candidates:
    """The candidates of one set of logits, copied afresh for every draw."""

    def __init__(self, logits: Sequence[float]) -> None:
        n = len(logits)
        self.size = n
        self._master = (llama_cpp.llama_token_data * n)(
            *(llama_cpp.llama_token_data(i, float(v), 0.0) for i, v in enumerate(logits)))
        self._work = (llama_cpp.llama_token_data * n)()
        self._bytes = ctypes.sizeof(self._master)

    def apply(self, chain: llama_cpp.llama_sampler_p) -> int:
        """Run the chain once over a fresh copy; the selected token id."""
        ctypes.memmove(self._work, self._master, self._bytes)
        arr = llama_cpp.llama_token_data_array(
            ctypes.cast(self._work, llama_cpp.llama_token_data_p), self.size, -1, False)
        llama_cpp.llama_sampler_apply(chain, ctypes.byref(arr))
        return int(self._work[arr.selected].id)


def draw(chain: llama_cpp.llama_sampler_p, candidates: Candidates, n: int) -> Counter[int]:
    """Token frequencies of n draws."""
    return Counter(candidates.apply(chain) for _ in range(n))


def expected_probs(logits: Sequence[float], spec: ChainSpec) -> dict[int, float]:
    """The probabilities top-k -> top-p -> min-p -> temperature leave (llama.cpp's order)."""
    order = sorted(range(len(logits)), key=lambda i: -logits[i])
    if spec.top_k > 0:
        order = order[: spec.top_k]
    kept = order
    if spec.top_p < 1.0:
        top = logits[order[0]]
        weights = [math.exp(logits[i] - top) for i in order]
        total = sum(weights)
        cum = 0.0
        cut = len(order)
        for j, w in enumerate(weights):
            cum += w / total
            if cum >= spec.top_p:
                cut = j + 1
                break
        kept = order[:cut]
    if spec.min_p > 0.0:
        floor = logits[kept[0]] + math.log(spec.min_p)
        kept = [i for i in kept if logits[i] >= floor] or kept[:1]
    top = logits[kept[0]] / spec.temperature
    weights = [math.exp(logits[i] / spec.temperature - top) for i in kept]
    total = sum(weights)
    return {i: w / total for i, w in zip(kept, weights, strict=True)}


def chi_square_fit(counts: Counter[int], probs: dict[int, float]) -> ChiSquare:
    """Goodness of fit of `counts` to `probs` (bins with expected < 5 merged)."""
    n = sum(counts.values())
    stat = 0.0
    bins = 0
    rest_expected = 0.0
    rest_observed = 0
    for token, p in sorted(probs.items(), key=lambda kv: -kv[1]):
        expected = n * p
        if expected < 5:
            rest_expected += expected
            rest_observed += counts.get(token, 0)
            continue
        stat += (counts.get(token, 0) - expected) ** 2 / expected
        bins += 1
    outside = sum(c for t, c in counts.items() if t not in probs)
    rest_observed += outside
    if rest_expected >= 5:
        stat += (rest_observed - rest_expected) ** 2 / rest_expected
        bins += 1
    elif outside:
        stat = math.inf  # a token the filters forbid was drawn
    return ChiSquare(stat, bins - 1, critical_value(bins - 1))


def chi_square_two(a: Counter[int], b: Counter[int]) -> ChiSquare:
    """Two-sample homogeneity of equal-size samples (bins with < 10 draws together merged)."""
    stat = 0.0
    bins = 0
    rest_a = rest_b = 0
    for token in set(a) | set(b):
        x, y = a.get(token, 0), b.get(token, 0)
        if x + y < 10:
            rest_a += x
            rest_b += y
            continue
        stat += (x - y) ** 2 / (x + y)
        bins += 1
    if rest_a + rest_b >= 10:
        stat += (rest_a - rest_b) ** 2 / (rest_a + rest_b)
        bins += 1
    return ChiSquare(stat, bins - 1, critical_value(bins - 1))
