"""The sampler chain of one sequence, built with llama.cpp's own samplers.

The chain is the same as the one llama-cpp-python's `Llama.generate` builds
(repeat penalty, top-k, top-p, min-p, temperature, then a seeded draw), less
the samplers that are no-ops at our settings (a penalty of 1.0, typical-p
1.0): the same distribution, fewer passes over the candidates.

`llama_sampler_sample` fills the candidate array from the context's logits
once per token, in C; nothing here copies the logits in Python. On the CPU
that fill and the top-k cut over the whole vocabulary are most of the cost
(~135 us a token for 151,936 logits here, ~265 us on the H200 machine's CPU).

Where the model runs on a GPU, `BackendTopK` attaches a chain holding only
top-k to the context (`llama_set_sampler`, llama.cpp's backend sampling): the
cut runs inside the compute graph, and `llama_sampler_sample` hands the CPU
chain the k surviving candidates instead of every logit. The rest of the
chain (top-p, min-p, temperature, the seeded draw) stays on the CPU, so the
distribution is exactly the CPU chain's; the whole chain on the GPU did not
pass the distribution check on the H200 (docs/gpu.md). The top-k chain holds
no per-reply state and stays attached, so a reply does not pay for llama.cpp
rebuilding its graph.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass

import llama_cpp

from app.core.types import SamplingParams

LOG = logging.getLogger(__name__)

PENALTY_LAST_N = 64
"""Recent tokens the repeat penalty looks at (llama-cpp-python's default)."""


@dataclass(frozen=True)
class ChainSpec:
    """What a chain does, resolved from SamplingParams.

    Attributes:
        greedy: pick the most likely token (temperature 0).
        top_k, top_p, min_p, temperature: the filters, in this order.
        repeat_penalty: 1.0 means none.
        seed: the draw's seed (a fixed 32-bit value).
    """

    greedy: bool
    top_k: int
    top_p: float
    min_p: float
    temperature: float
    repeat_penalty: float
    seed: int


def resolve(sampling: SamplingParams, seed_offset: int = 0) -> ChainSpec:
    """The chain for `sampling`; sequence i of a request uses seed + i."""
    base = sampling.seed if sampling.seed is not None else random.randrange(2**31)
    return ChainSpec(
        greedy=sampling.temperature <= 0.0,
        top_k=sampling.top_k,
        top_p=sampling.top_p,
        min_p=sampling.min_p,
        temperature=sampling.temperature,
        repeat_penalty=sampling.repeat_penalty,
        seed=(base + seed_offset) & 0xFFFFFFFF,
    )


def _new_chain() -> llama_cpp.llama_sampler_p:
    params = llama_cpp.llama_sampler_chain_default_params()
    params.no_perf = True
    chain: llama_cpp.llama_sampler_p = llama_cpp.llama_sampler_chain_init(params)
    return chain


def _add(chain: llama_cpp.llama_sampler_p, sampler: llama_cpp.llama_sampler_p) -> None:
    llama_cpp.llama_sampler_chain_add(chain, sampler)


def _build(spec: ChainSpec, n_vocab: int) -> llama_cpp.llama_sampler_p:
    chain = _new_chain()
    if spec.repeat_penalty != 1.0:
        _add(chain, llama_cpp.llama_sampler_init_penalties(
            n_vocab, PENALTY_LAST_N, spec.repeat_penalty, 0.0, 0.0))
    if spec.greedy:
        _add(chain, llama_cpp.llama_sampler_init_greedy())
        return chain
    _add(chain, llama_cpp.llama_sampler_init_top_k(spec.top_k))
    _add(chain, llama_cpp.llama_sampler_init_top_p(spec.top_p, 1))
    _add(chain, llama_cpp.llama_sampler_init_min_p(spec.min_p, 1))
    _add(chain, llama_cpp.llama_sampler_init_temp(spec.temperature))
    _add(chain, llama_cpp.llama_sampler_init_dist(spec.seed))
    return chain


def legacy_chain(spec: ChainSpec, n_vocab: int) -> llama_cpp.llama_sampler_p:
    """The chain exactly as llama-cpp-python 0.3.x's `Llama._init_sampler` builds it.

    Kept to prove the new chain draws from the same distribution (tests and
    bench/sampler.py); the app does not use it.
    """
    chain = _new_chain()
    _add(chain, llama_cpp.llama_sampler_init_penalties(
        n_vocab, PENALTY_LAST_N, spec.repeat_penalty, 0.0, 0.0))
    if spec.greedy:
        _add(chain, llama_cpp.llama_sampler_init_greedy())
        return chain
    _add(chain, llama_cpp.llama_sampler_init_top_k(spec.top_k))
    _add(chain, llama_cpp.llama_sampler_init_typical(1.0, 1))
    _add(chain, llama_cpp.llama_sampler_init_top_p(spec.top_p, 1))
    _add(chain, llama_cpp.llama_sampler_init_min_p(spec.min_p, 1))
    _add(chain, llama_cpp.llama_sampler_init_temp(spec.temperature))
    _add(chain, llama_cpp.llama_sampler_init_dist(spec.seed))
    return chain


class BackendTopK:
    """A top-k cut that runs in the compute graph for one sequence slot.

    Args:
        ctx: the context.
        seq_id: the sequence slot.
        k: how many candidates the CPU chain gets.
    """

    def __init__(self, ctx: llama_cpp.llama_context_p, seq_id: int, k: int) -> None:
        self.k = k
        self._ctx = ctx
        self._seq_id = seq_id
        self._chain: llama_cpp.llama_sampler_p | None = _new_chain()
        _add(self._chain, llama_cpp.llama_sampler_init_top_k(k))
        try:
            self.attached = bool(llama_cpp.llama_set_sampler(ctx, seq_id, self._chain))
        except (AttributeError, OSError) as exc:  # a library without backend sampling
            LOG.info("backend sampling is missing in this llama.cpp (%s)", exc)
            self.attached = False

    def close(self) -> None:
        """Detach from the context and free the chain."""
        if self.attached:
            self.attached = False
            llama_cpp.llama_set_sampler(self._ctx, self._seq_id, None)
        if self._chain is not None:
            llama_cpp.llama_sampler_free(self._chain)
            self._chain = None


class SamplerChain:
    """One sequence's llama.cpp sampler chain (freed by `close`).

    Args:
        spec: the resolved settings.
        n_vocab: the vocabulary size.
        legacy: build llama-cpp-python's chain instead (for comparisons).
    """

    def __init__(self, spec: ChainSpec, n_vocab: int, legacy: bool = False) -> None:
        self.spec = spec
        self._chain: llama_cpp.llama_sampler_p | None = (
            legacy_chain(spec, n_vocab) if legacy else _build(spec, n_vocab))
        self._attached: tuple[llama_cpp.llama_context_p, int] | None = None

    @property
    def handle(self) -> llama_cpp.llama_sampler_p:
        """The llama.cpp chain (for llama_sampler_apply in tests and benchmarks)."""
        assert self._chain is not None, "chain used after close"
        return self._chain

    @property
    def on_backend(self) -> bool:
        """Whether the chain runs inside the compute graph (backend sampling)."""
        return self._attached is not None

    def attach(self, ctx: llama_cpp.llama_context_p, seq_id: int) -> bool:
        """Run the whole chain in the compute graph for `seq_id`; False if refused.

        For measurements only (bench/sampler.py): the app attaches `BackendTopK`.
        """
        assert self._chain is not None
        try:
            ok = bool(llama_cpp.llama_set_sampler(ctx, seq_id, self._chain))
        except (AttributeError, OSError) as exc:  # a library without backend sampling
            LOG.info("backend sampling is missing in this llama.cpp (%s)", exc)
            return False
        if ok:
            self._attached = (ctx, seq_id)
        return ok

    def sample(self, ctx: llama_cpp.llama_context_p, index: int) -> int:
        """Sample (and accept) a token from output row `index` of the last decode."""
        assert self._chain is not None
        return int(llama_cpp.llama_sampler_sample(self._chain, ctx, index))

    def accept(self, token: int) -> None:
        """Tell the chain about a token it did not sample (penalty history)."""
        assert self._chain is not None
        llama_cpp.llama_sampler_accept(self._chain, token)

    def detach(self) -> None:
        """Stop sampling inside the compute graph (the chain stays usable on the CPU)."""
        if self._attached is not None:
            ctx, seq_id = self._attached
            self._attached = None
            llama_cpp.llama_set_sampler(ctx, seq_id, None)

    def close(self) -> None:
        """Detach from the context (if attached) and free the chain."""
        self.detach()
        if self._chain is not None:
            llama_cpp.llama_sampler_free(self._chain)
            self._chain = None
