"""The engine's sampler chain draws from the same distribution as llama-cpp-python's.

Three proofs, on real SmolLM2 logits and real decodes:
1. replies: greedy, seeded and repeat-penalised replies of the engine are the
   very tokens llama-cpp-python's own `Llama.generate` gives (today's path
   before the engine's decode loop);
2. same seed, same draws: the old chain (with its no-op samplers) and the new
   one pick identical tokens from the same logits;
3. statistics: 10,000 draws of each chain fit the distribution computed here
   from the logits (Pearson chi-square at p = 0.001, bins of expected < 5
   merged), and a chain with a slightly wrong temperature fails the same check.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from pathlib import Path

import llama_cpp
import pytest

from app.core.types import (
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    LoadParams,
    Role,
    SamplingParams,
)
from app.engine.local import LocalBackend
from app.engine.sampler import ChainSpec, SamplerChain, resolve
from bench._sampling import (
    Candidates,
    chi_square_fit,
    chi_square_two,
    draw,
    expected_probs,
)
from tests.support.gpu import gpu_layers

pytestmark = pytest.mark.slow

DRAWS = 10_000
R1_SPEC = resolve(SamplingParams(temperature=0.6, top_p=0.95, top_k=40, min_p=0.05, seed=1))
WIDE_SPEC = resolve(SamplingParams(temperature=1.0, top_p=0.98, top_k=80, min_p=0.01, seed=2))
FLAT_SPEC = resolve(SamplingParams(temperature=2.5, top_p=1.0, top_k=200, min_p=0.0, seed=3))


@pytest.fixture(scope="module")
def smol(smollm2_path: Path) -> Iterator[LocalBackend]:
    backend = LocalBackend(LoadParams(model_path=smollm2_path, n_ctx=512, n_threads=1,
                                      n_gpu_layers=gpu_layers()))
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def raw(smollm2_path: Path) -> Iterator[llama_cpp.Llama]:
    """llama-cpp-python's own Llama on the same file: today's path before the decode loop."""
    llama = llama_cpp.Llama(model_path=str(smollm2_path), n_ctx=512, n_threads=1,
                            n_gpu_layers=gpu_layers(), flash_attn=True, verbose=False)
    yield llama
    llama.close()


@pytest.fixture(scope="module")
def logits(raw: llama_cpp.Llama) -> list[float]:
    """Real next-token logits of SmolLM2 after a short story opening."""
    tokens = raw.tokenize(b"Once upon a time, in a small village by the sea, there")
    raw.reset()
    raw.eval(tokens)
    n_vocab = raw.n_vocab()
    row = llama_cpp.llama_get_logits_ith(raw.ctx, -1)
    return [float(v) for v in ctypes.cast(row, ctypes.POINTER(ctypes.c_float))[:n_vocab]]


def _engine_tokens(backend: LocalBackend, text: str, sampling: SamplingParams) -> list[int]:
    fin = list(backend.generate([ChatMessage(Role.USER, text)], GenerateOptions(
        sampling=sampling, detect_loops=False), GenerationControl()))[-1]
    assert isinstance(fin, Finished)
    prompt = backend.prompts.build([ChatMessage(Role.USER, text)]).tokens
    # the last sampled token is taken but not evaluated; the cache holds the rest
    return backend.context_tokens[len(prompt):]


def _raw_tokens(raw: llama_cpp.Llama, prompt: list[int], sampling: SamplingParams,
                count: int) -> list[int]:
    raw.reset()
    if sampling.seed is not None:
        raw.set_seed(sampling.seed)
    out: list[int] = []
    for token in raw.generate(prompt, top_k=sampling.top_k, top_p=sampling.top_p,
                              min_p=sampling.min_p, temp=sampling.temperature,
                              repeat_penalty=sampling.repeat_penalty, reset=True):
        out.append(token)
        if len(out) == count:
            break
    return out


@pytest.mark.parametrize("sampling", [
    SamplingParams(temperature=0.0, max_tokens=24),
    SamplingParams(temperature=0.8, max_tokens=24, seed=5),
    SamplingParams(temperature=0.7, top_k=20, top_p=0.9, min_p=0.1, repeat_penalty=1.3,
                   max_tokens=24, seed=8),
], ids=["greedy", "seeded", "penalty"])
def test_replies_are_the_tokens_llama_cpp_pythons_generate_gives(
    smol: LocalBackend, raw: llama_cpp.Llama, sampling: SamplingParams
) -> None:
    text = "Write a short poem about autumn leaves."
    engine = _engine_tokens(smol, text, sampling)
    assert len(engine) >= 10
    prompt = smol.prompts.build([ChatMessage(Role.USER, text)]).tokens
    assert _raw_tokens(raw, prompt, sampling, len(engine)) == engine


@pytest.mark.parametrize("spec", [R1_SPEC, WIDE_SPEC], ids=["r1", "wide"])
def test_same_seed_same_draws_as_the_old_chain(smol: LocalBackend, logits: list[float],
                                               spec: ChainSpec) -> None:
    candidates = Candidates(logits)
    new = SamplerChain(spec, smol.n_vocab)
    old = SamplerChain(spec, smol.n_vocab, legacy=True)
    try:
        ours = [candidates.apply(new.handle) for _ in range(2000)]
        theirs = [candidates.apply(old.handle) for _ in range(2000)]
    finally:
        new.close()
        old.close()
    assert ours == theirs
    assert len(set(ours)) >= 3  # a real distribution, not one token


@pytest.mark.parametrize("spec", [R1_SPEC, WIDE_SPEC, FLAT_SPEC], ids=["r1", "wide", "flat"])
def test_draws_fit_the_expected_distribution(smol: LocalBackend, logits: list[float],
                                             spec: ChainSpec) -> None:
    candidates = Candidates(logits)
    probs = expected_probs(logits, spec)
    assert len(probs) >= 3
    results = {}
    for name, legacy, seed in (("new", False, 11), ("old", True, 12)):
        chain = SamplerChain(ChainSpec(**{**spec.__dict__, "seed": seed}), smol.n_vocab, legacy)
        try:
            results[name] = draw(chain.handle, candidates, DRAWS)
        finally:
            chain.close()
    for name, counts in results.items():
        fit = chi_square_fit(counts, probs)
        print(fit.line(f"sampler_fit_{name}"))
        assert fit.dof >= 2
        assert fit.passed, fit.line(name)
    two = chi_square_two(results["new"], results["old"])
    print(two.line("sampler_old_vs_new"))
    assert two.passed


def test_the_check_catches_a_slightly_wrong_chain(smol: LocalBackend,
                                                  logits: list[float]) -> None:
    candidates = Candidates(logits)
    wrong = ChainSpec(**{**WIDE_SPEC.__dict__, "temperature": 1.15})
    chain = SamplerChain(wrong, smol.n_vocab)
    try:
        counts = draw(chain.handle, candidates, DRAWS)
    finally:
        chain.close()
    assert not chi_square_fit(counts, expected_probs(logits, WIDE_SPEC)).passed


@pytest.mark.parametrize("sampling", [
    SamplingParams(temperature=0.0, max_tokens=20),
    SamplingParams(temperature=0.9, max_tokens=20, seed=21),
], ids=["greedy", "seeded"])
def test_top_k_cut_in_the_graph_gives_the_same_reply(smollm2_path: Path,
                                                     sampling: SamplingParams) -> None:
    """The GPU path (top-k in the compute graph, the rest on the CPU) run on the CPU backend."""
    backend = LocalBackend(LoadParams(model_path=smollm2_path, n_ctx=512, n_threads=1,
                                      n_gpu_layers=gpu_layers()))
    try:
        text = "Describe a thunderstorm over the mountains."
        backend.backend_sampling = False
        plain = _engine_tokens(backend, text, sampling)
        backend.backend_sampling = True
        cut = _engine_tokens(backend, text, sampling)
        assert backend.backend_sampling  # llama.cpp accepted the cut
        assert cut == plain and len(plain) >= 10
        # a repeat penalty must see every logit: the cut is dropped for it
        penalised = SamplingParams(temperature=0.9, max_tokens=8, seed=2, repeat_penalty=1.2)
        _engine_tokens(backend, text, penalised)
        assert not backend._cuts
    finally:
        backend.close()


def test_every_sequence_of_a_batch_gets_its_cut_and_the_same_replies(smollm2_path: Path) -> None:
    """k sequences with the top-k cut in the graph (the tutor's batch) sample as without it."""
    from app.core.types import TextDelta
    from app.engine.parallel import run_parallel

    backend = LocalBackend(LoadParams(model_path=smollm2_path, n_ctx=1024, n_threads=1,
                                      n_gpu_layers=gpu_layers()))
    options = GenerateOptions(sampling=SamplingParams(temperature=0.9, max_tokens=16, seed=5),
                              detect_loops=False)
    messages = [ChatMessage(Role.USER, "Name a fruit and say why you like it.")]

    def replies() -> list[str]:
        control = GenerationControl()
        texts = ["", "", ""]
        for index, event in run_parallel(backend.open_sources(messages, options, control, 3),
                                         options, control):
            if isinstance(event, TextDelta):
                texts[index] += event.text
        return texts

    try:
        backend.backend_sampling = False
        plain = replies()
        backend.backend_sampling = True
        cut = replies()
        assert backend.backend_sampling and sorted(backend._cuts) == [0, 1, 2]
        assert cut == plain and len(set(plain)) >= 2
    finally:
        backend.close()
