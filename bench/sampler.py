"""The sampler chain's cost per token, old vs new, and backend (GPU) sampling's distribution.

    python -m bench.sampler --model M.gguf [--gpu-layers -1] [--draws 3000] [--reps 300]

Not a test: one run, printed lines `NAME: VALUE (target OP VALUE) PASS|MISS`.
Imports no numpy.random before the model loads (see bench/_decode.py).

1. CPU chain cost: after one decode, `llama_sampler_sample` on the same
   logits `--reps` times with llama-cpp-python's chain (penalties 1.0 and
   typical 1.0 included, as `Llama.generate` builds it) and with the engine's
   chain; microseconds per token each, and old / new.
2. With the model on a GPU (`--gpu-layers` != 0) and backend sampling
   accepted: sequence 0 samples inside the compute graph, sequence 1 with the
   CPU chain, both from the same token at the same position in one batch,
   `--draws` times; the two samples' frequencies are compared (chi-square
   two-sample) and each is fitted to the distribution computed from the raw
   logits. Also decode+sample time per token: backend chain vs CPU chain.
"""

from __future__ import annotations

import argparse
import ctypes
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import llama_cpp

from app.core.types import LoadParams, SamplingParams
from app.engine.decode_loop import KvCache
from app.engine.local import LocalBackend
from app.engine.sampler import BackendTopK, SamplerChain, resolve
from bench._sampling import chi_square_fit, chi_square_two, expected_probs

PROMPT = "Once upon a time, in a small village by the sea, there lived"
R1_SAMPLING = SamplingParams(temperature=0.6, top_p=0.95, top_k=40, min_p=0.05, seed=1)


def _prime(backend: LocalBackend, kv: KvCache, seqs: tuple[int, ...]) -> tuple[list[int], int]:
    tokens = backend.tokenize(PROMPT, add_bos=True)
    llama_cpp.llama_memory_seq_rm(kv.memory, -1, -1, -1)
    kv.tokens.clear()
    kv.decode_span(tokens[:-1], 0, seqs, False)
    return tokens, len(tokens) - 1


def chain_cost(backend: LocalBackend, kv: KvCache, reps: int) -> dict[str, float]:
    """Microseconds per llama_sampler_sample, old and new chain, same logits."""
    tokens, last = _prime(backend, kv, (0,))
    kv.decode([(tokens[last], last, (0,), True)])
    spec = resolve(R1_SAMPLING)
    out: dict[str, float] = {}
    for rnd in range(3):  # alternate, keep the best round of each
        for name, legacy in (("old", True), ("new", False)) if rnd % 2 == 0 else (
                ("new", False), ("old", True)):
            chain = SamplerChain(spec, backend.n_vocab, legacy)
            began = time.perf_counter()
            for _ in range(reps):
                chain.sample(kv.ctx, -1)
            took = (time.perf_counter() - began) / reps * 1e6
            chain.close()
            out[name] = min(out.get(name, float("inf")), took)
    return out


def backend_distribution(backend: LocalBackend, kv: KvCache, draws: int, mode: str) -> None:
    """Seq 0 samples with GPU help, seq 1 on the CPU alone, same input, `draws` times.

    mode "topk": the app's way (BackendTopK in the graph, the rest on the CPU);
    mode "full": the whole chain in the graph (llama.cpp's backend sampling as is).
    """
    spec = resolve(R1_SAMPLING)
    gpu = SamplerChain(spec, backend.n_vocab)
    cpu = SamplerChain(resolve(R1_SAMPLING, 1), backend.n_vocab)
    cut: BackendTopK | None = None
    if mode == "topk":
        cut = BackendTopK(kv.ctx, 0, spec.top_k)
        attached = cut.attached
    else:
        attached = gpu.attach(kv.ctx, 0)
    if not attached:
        print(f"backend sampling ({mode}): refused by llama.cpp for this model")
        for chain in (gpu, cpu, cut):
            if chain is not None:
                chain.close()
        return
    tokens, last = _prime(backend, kv, (0, 1))
    counts: dict[str, Counter[int]] = {mode: Counter(), "cpu": Counter()}
    logits: list[float] = []
    for i in range(draws):
        kv.decode([(tokens[last], last, (0,), True), (tokens[last], last, (1,), True)])
        counts[mode][gpu.sample(kv.ctx, 0)] += 1
        counts["cpu"][cpu.sample(kv.ctx, 1)] += 1
        if i == 0:
            row = llama_cpp.llama_get_logits_ith(kv.ctx, 1)
            logits = [float(v) for v in
                      ctypes.cast(row, ctypes.POINTER(ctypes.c_float))[: backend.n_vocab]]
        llama_cpp.llama_memory_seq_rm(kv.memory, 0, last, -1)
        llama_cpp.llama_memory_seq_rm(kv.memory, 1, last, -1)
    probs = expected_probs(logits, spec)
    print(f"backend sampling ({mode}): {len(probs)} tokens allowed by the filters; "
          f"{draws} draws each")
    for name, got in counts.items():
        print("  " + chi_square_fit(got, probs).line(f"gpu_sampler_fit_{name}"))
    print("  " + chi_square_two(counts[mode], counts["cpu"]).line(
        f"gpu_sampler_{mode}_vs_cpu"))
    for chain in (gpu, cpu, cut):
        if chain is not None:
            chain.close()


def batch_topk_distribution(backend: LocalBackend, kv: KvCache, draws: int, k: int) -> None:
    """The tutor's way: k sequences in one batch, every one with its GPU top-k cut.

    Reads the raw logits first (nothing attached), then attaches BackendTopK to
    slots 0..k-1 and draws `draws` tokens per sequence (one k-row decode each,
    each sequence with its own seeded CPU chain for the rest); checks every
    row's candidates against the exact top-k and fits each sequence's draws.
    """
    spec = resolve(R1_SAMPLING)
    seqs = tuple(range(k))
    tokens, last = _prime(backend, kv, seqs)
    # the reference: the raw logits of the same k-row batch (a GPU's batched
    # kernels round differently from its one-row kernels, which moves ties at
    # the top-k border), row by row
    kv.decode([(tokens[last], last, (seq,), True) for seq in seqs])
    rows = [[float(v) for v in ctypes.cast(llama_cpp.llama_get_logits_ith(kv.ctx, seq),
                                           ctypes.POINTER(ctypes.c_float))[: backend.n_vocab]]
            for seq in seqs]
    for seq in seqs:
        llama_cpp.llama_memory_seq_rm(kv.memory, seq, last, -1)
    exacts = [set(sorted(range(len(r)), key=lambda i, r=r: -r[i])[: spec.top_k]) for r in rows]
    print(f"batch_topk: rows' exact top-{spec.top_k} shared by all rows: "
          f"{len(set.intersection(*exacts))}")
    cuts = [BackendTopK(kv.ctx, seq, spec.top_k) for seq in seqs]
    chains = [SamplerChain(resolve(R1_SAMPLING, seq), backend.n_vocab) for seq in seqs]
    counts: list[Counter[int]] = [Counter() for _ in seqs]
    outside = 0
    for i in range(draws):
        kv.decode([(tokens[last], last, (seq,), True) for seq in seqs])
        if i == 0:
            for seq in seqs:
                n = int(llama_cpp.llama_get_sampled_candidates_count_ith(kv.ctx, seq))
                ids_p = llama_cpp.llama_get_sampled_candidates_ith(kv.ctx, seq)
                ids = {int(ids_p[j]) for j in range(n)} if ids_p else set()
                print(f"batch_topk row {seq}: attached {cuts[seq].attached}, {n} candidates, "
                      f"{len(ids & exacts[seq])} of its row's exact top-{spec.top_k}")
        for seq in seqs:
            token = chains[seq].sample(kv.ctx, seq)
            counts[seq][token] += 1
            outside += token not in exacts[seq]
        for seq in seqs:
            llama_cpp.llama_memory_seq_rm(kv.memory, seq, last, -1)
    print(f"batch of {k}, GPU top-k on every sequence: {draws} draws each, "
          f"{outside} tokens outside their row's exact top-{spec.top_k}")
    for seq in seqs:
        print("  " + chi_square_fit(counts[seq], expected_probs(rows[seq], spec)).line(
            f"gpu_sampler_fit_batch{k}_seq{seq}"))
    for item in (*cuts, *chains):
        item.close()


def topk_direct_check(backend: LocalBackend, kv: KvCache, draws: int) -> None:
    """One sequence, as the app decodes: are the GPU's top-k candidates the true top-k?

    Reads the raw logits first (no sampler attached), then attaches BackendTopK
    and compares the candidates llama.cpp hands over (ids and logits) with the
    exact top-k of those logits, then draws `draws` tokens through the CPU
    chain from the candidates (one decode each) and fits them.
    """
    spec = resolve(R1_SAMPLING)
    tokens, last = _prime(backend, kv, (0,))
    kv.decode([(tokens[last], last, (0,), True)])
    row = llama_cpp.llama_get_logits_ith(kv.ctx, -1)
    logits = [float(v) for v in ctypes.cast(row, ctypes.POINTER(ctypes.c_float))[: backend.n_vocab]]
    exact = sorted(range(len(logits)), key=lambda i: -logits[i])[: spec.top_k]
    llama_cpp.llama_memory_seq_rm(kv.memory, 0, last, -1)
    cut = BackendTopK(kv.ctx, 0, spec.top_k)
    chain = SamplerChain(spec, backend.n_vocab)
    counts: Counter[int] = Counter()
    for i in range(draws):
        kv.decode([(tokens[last], last, (0,), True)])
        if i == 0:
            n = int(llama_cpp.llama_get_sampled_candidates_count_ith(kv.ctx, 0))
            ids_p = llama_cpp.llama_get_sampled_candidates_ith(kv.ctx, 0)
            lg_p = llama_cpp.llama_get_sampled_logits_ith(kv.ctx, 0)
            ids = [int(ids_p[j]) for j in range(n)] if ids_p else []
            lgs = [float(lg_p[j]) for j in range(n)] if lg_p else []
            worst = max((abs(lgs[j] - logits[ids[j]]) for j in range(min(len(ids), len(lgs)))
                         if 0 <= ids[j] < len(logits)), default=float("nan"))
            print(f"topk_direct: attached {cut.attached}, {n} candidates, "
                  f"{len(set(ids) & set(exact))} of the exact top-{spec.top_k} ids, "
                  f"largest logit difference {worst:.3g}; first ids {ids[:6]} "
                  f"vs exact {exact[:6]}")
        counts[chain.sample(kv.ctx, 0)] += 1
        llama_cpp.llama_memory_seq_rm(kv.memory, 0, last, -1)
    chain.close()
    cut.close()
    print("  " + chi_square_fit(counts, expected_probs(logits, spec)).line(
        "gpu_sampler_fit_topk_single"))


def decode_cost(backend: LocalBackend, kv: KvCache, n: int, mode: str) -> float:
    """Median microseconds per token of decode + sample, one sequence.

    mode: "cpu" (CPU chain), "topk" (the app's GPU cut), "full" (whole chain in the graph).
    """
    chain = SamplerChain(resolve(R1_SAMPLING), backend.n_vocab)
    cut = BackendTopK(kv.ctx, 0, R1_SAMPLING.top_k) if mode == "topk" else None
    if mode == "full" and not chain.attach(kv.ctx, 0):
        chain.close()
        return float("nan")
    tokens, last = _prime(backend, kv, (0,))
    token, pos = tokens[last], last
    times = []
    for _ in range(n):
        began = time.perf_counter()
        kv.decode([(token, pos, (0,), True)])
        token = chain.sample(kv.ctx, 0)
        times.append(time.perf_counter() - began)
        pos += 1
    chain.close()
    if cut is not None:
        cut.close()
    return statistics.median(times[8:]) * 1e6


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", type=Path, required=True)
    p.add_argument("--gpu-layers", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=300)
    p.add_argument("--draws", type=int, default=3000)
    p.add_argument("--batch-only", type=int, default=0, metavar="K",
                   help="only the distribution of K sequences with GPU top-k in one batch")
    args = p.parse_args(argv)
    print("numpy.random imported before the first load:", "numpy.random" in sys.modules)
    backend = LocalBackend(LoadParams(model_path=args.model, n_ctx=2048,
                                      n_threads=args.threads, n_gpu_layers=args.gpu_layers))
    print(f"model {args.model.name}: backend {backend.info.backend}, vocabulary "
          f"{backend.n_vocab:,}")
    kv = KvCache(backend.llama.ctx, 512, [])
    if args.batch_only:
        try:
            batch_topk_distribution(backend, kv, args.draws, args.batch_only)
        finally:
            kv.close()
            backend.close()
        return 0
    try:
        cost = chain_cost(backend, kv, args.reps)
        ratio = cost["old"] / cost["new"]
        print(f"sampler_us_per_token: old {cost['old']:.1f}, new {cost['new']:.1f} "
              f"(CPU chain over {backend.n_vocab:,} logits)")
        print(f"sampler_old_over_new: {ratio:.3f} (printed; the CPU chain's cost is the fill "
              f"of all {backend.n_vocab:,} candidates and top-k, which both chains pay)")
        if backend.info.backend != "CPU":
            topk_direct_check(backend, kv, args.draws)
            backend_distribution(backend, kv, args.draws, "topk")
            backend_distribution(backend, kv, args.draws, "full")
            cost_us = {mode: decode_cost(backend, kv, 256, mode)
                       for mode in ("cpu", "topk", "full")}
            one_slot = llama_cpp.Llama(model_path=str(args.model), n_ctx=2048,
                                       n_threads=args.threads, n_gpu_layers=args.gpu_layers,
                                       flash_attn=True, verbose=False)
            kv_one = KvCache(one_slot.ctx, 512, [])
            cost_us["cpu, 1-slot context"] = decode_cost(backend, kv_one, 256, "cpu")
            kv_one.close()
            one_slot.close()
            print("decode_plus_sample_us (median of 248 tokens): " + ", ".join(
                f"{mode} {us:.0f}" for mode, us in cost_us.items()))
    finally:
        kv.close()
        backend.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
