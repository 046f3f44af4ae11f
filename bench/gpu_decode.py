"""Engine decode and history TTFT on a GPU, in a process without numpy.random.

    python -m bench.gpu_decode --model R1.gguf --llama-bench PATH [--rounds 5] [--tg 128]

The GPU counterpart of bench/engine.py, kept lean. On the lent H200 every
process that had imported `numpy.random` (bench/engine.py and bench/_model.py
pull it in via numpy and the gguf package) crashed inside llama.cpp's first
model load (docs/gpu.md). This script imports only the standard library,
`app.core.types`, bench/_decode.py (the helpers it shares with
bench/engine.py) and, for the loads, `app.engine.local` and `llama_cpp`, and
it checks before its first load that `numpy.random` is not imported.

It measures, with every layer on the GPU and flash attention on:

1. decode: `--rounds` alternating runs (the order flips every round) of
   llama-bench `-p 0 -n TG -ngl 99 -fa on` in a subprocess,
   `LocalBackend.generate` (max_tokens TG, the app's default R1 sampling,
   decode_tps from Finished.stats) and raw llama-cpp-python `generate` as a
   diagnostic; medians, and the engine's extra time per token;
2. prompt processing: a 512-token prompt (`--pp`) evaluated from an empty
   cache by the engine (prompt tokens / time to the first token) against
   llama-bench `-p 512 -n 0`, alternating, medians;
3. history: a `--turns`-turn scripted conversation (user messages and
   assistant answers of `--turn-tokens` tokens); TTFT of the last turn
   against turn 2, and the tokens the last turn evaluated against the new
   tokens since the previous prompt;
4. with `--profile`, one more engine reply under cProfile (diagnostic).

Each target prints one line `NAME: VALUE (target OP VALUE) PASS|MISS`.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/gpu_decode.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.types import ChatMessage, GenerateOptions, LoadParams, Role
from bench._decode import (
    DECODE_PROMPT,
    WORDS,
    common_prefix,
    engine_decode,
    raw_decode,
    run_turn,
    sampling,
    text_of,
    verdict_line,
)

HISTORY_WORDS = WORDS[:36]
"""The words of this script's scripted messages: it has always drawn from the
first 36 of bench/engine.py's list, which keeps its texts as they were."""


def verdict(name: str, value: float, op: str, bound: float, extra: str = "") -> bool:
    """Print one `NAME: VALUE (target OP BOUND) PASS|MISS` line; returns whether it passed."""
    ok, line = verdict_line(name, value, op, bound, ".3f", "g", extra)
    print(line, flush=True)
    return ok


def llama_bench(exe: Path, model: Path, threads: int, n_prompt: int, n_gen: int,
                reps: int) -> float:
    """llama-bench tokens/s with every layer on the GPU and flash attention on."""
    cmd = [str(exe), "-m", str(model), "-t", str(threads), "-p", str(n_prompt),
           "-n", str(n_gen), "-r", str(reps), "-fa", "on", "-ngl", "99", "-o", "json"]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)
    return float(json.loads(done.stdout)[0]["avg_ts"])


def load(args: argparse.Namespace) -> Any:
    """A LocalBackend with `--ngl` layers offloaded (all by default)."""
    from app.engine.local import LocalBackend

    return LocalBackend(LoadParams(model_path=args.model, n_ctx=args.n_ctx,
                                   n_threads=args.threads, n_gpu_layers=args.ngl,
                                   flash_attn=True))


def measure_decode(args: argparse.Namespace) -> bool:
    """Alternating decode rounds; prints the ratio verdict; returns whether it passed."""
    import llama_cpp

    backend = load(args)
    print(f"  engine backend: {backend.info.backend}, n_gpu_layers {backend.info.n_gpu_layers}",
          flush=True)
    named = verdict("gpu_engine_backend_is_" + args.backend,
                    float(backend.info.backend == args.backend), ">=", 1.0,
                    f"(reported {backend.info.backend!r})")
    print("  llama.cpp: " + llama_cpp.llama_print_system_info().decode("utf-8", "replace"),
          flush=True)
    llm = llama_cpp.Llama(model_path=str(args.model), n_ctx=args.n_ctx, n_threads=args.threads,
                          n_gpu_layers=args.ngl, verbose=False, flash_attn_type=1)
    tokens = backend.prompts.fit([ChatMessage(Role.USER, DECODE_PROMPT)], args.n_ctx,
                                 args.tg).prompt.tokens
    runs: dict[str, list[float]] = {"llama-bench": [], "engine": [], "raw": []}
    if not args.raw:
        del runs["raw"]
    counts: list[int] = []
    try:
        engine_decode(backend, 16, seed=99)  # warm-up: CUDA graphs, caches
        raw_decode(llm, tokens, 16, seed=99)
        for i in range(args.rounds):
            order = list(runs)
            if i % 2:
                order.reverse()
            for step in order:
                if step == "llama-bench":
                    runs[step].append(llama_bench(args.llama_bench, args.model, args.threads,
                                                  0, args.tg, args.bench_reps))
                elif step == "engine":
                    stats = engine_decode(backend, args.tg, seed=i + 1)
                    runs[step].append(stats.decode_tps)
                    counts.append(stats.completion_tokens)
                else:
                    runs[step].append(raw_decode(llm, tokens, args.tg, seed=i + 1)[0])
            print(f"  round {i + 1}: llama-bench tg{args.tg} {runs['llama-bench'][-1]:.1f}, "
                  f"engine {runs['engine'][-1]:.1f} ({counts[-1]} tokens), "
                  f"raw llama-cpp-python {runs.get('raw', [0.0])[-1]:.1f} tok/s", flush=True)
    finally:
        backend.close()
        llm.close()
    med = {k: statistics.median(v) for k, v in runs.items()}
    med.setdefault("raw", med["engine"])
    extra_us = (1 / med["engine"] - 1 / med["raw"]) * 1e6
    binding_us = (1 / med["raw"] - 1 / med["llama-bench"]) * 1e6
    print(f"  medians: llama-bench {med['llama-bench']:.1f}, engine {med['engine']:.1f}, "
          f"raw {med['raw']:.1f} tok/s; engine tokens min {min(counts)}", flush=True)
    print(f"  per token: llama-bench {1e6 / med['llama-bench']:.0f} us; llama-cpp-python "
          f"adds {binding_us:.0f} us; the engine adds {extra_us:.0f} us on top", flush=True)
    print(f"  raw/llama-bench {med['raw'] / med['llama-bench']:.3f}, "
          f"engine/raw {med['engine'] / med['raw']:.3f}", flush=True)
    sampler = "backend" if backend.backend_sampling else "cpu"
    ok = verdict(f"gpu_decode_ratio_r1_q4km[{sampler} sampler]",
                 med["engine"] / med["llama-bench"], ">=", 0.95,
                 f"(engine {med['engine']:.1f} / llama-bench {med['llama-bench']:.1f} tok/s, "
                 f"medians of {args.rounds})")
    return ok and named


def measure_prompt(args: argparse.Namespace) -> bool:
    """Engine prompt tokens/s from an empty cache against llama-bench ppN, alternating."""
    backend = load(args)
    rng = random.Random(3)
    runs: dict[str, list[float]] = {"llama-bench": [], "engine": []}
    try:
        def engine_pp(round_no: int) -> float:
            # a different first word every round: nothing of it is in the cache
            text = text_of(backend, args.pp - 12, rng, f"Round{round_no}:", HISTORY_WORDS)
            stats = run_turn(backend, [ChatMessage(Role.USER, text)],
                             GenerateOptions(sampling=sampling(1, round_no))).stats
            return stats.evaluated_tokens / stats.ttft_s

        engine_pp(0)  # warm-up
        for i in range(args.rounds):
            order = ["llama-bench", "engine"] if i % 2 == 0 else ["engine", "llama-bench"]
            for step in order:
                if step == "engine":
                    runs[step].append(engine_pp(i + 1))
                else:
                    runs[step].append(llama_bench(args.llama_bench, args.model, args.threads,
                                                  args.pp, 0, args.bench_reps))
            print(f"  prompt round {i + 1}: llama-bench pp{args.pp} "
                  f"{runs['llama-bench'][-1]:.0f}, engine {runs['engine'][-1]:.0f} tok/s",
                  flush=True)
    finally:
        backend.close()
    med = {k: statistics.median(v) for k, v in runs.items()}
    return verdict(f"gpu_prompt_ratio_pp{args.pp}", med["engine"] / med["llama-bench"], ">=",
                   0.90, f"(engine {med['engine']:.0f} / llama-bench {med['llama-bench']:.0f} "
                   f"tok/s, medians of {args.rounds}; engine = evaluated tokens / TTFT)")


def measure_history(args: argparse.Namespace) -> bool:
    """The scripted conversation; prints the TTFT and reuse verdicts."""
    backend = load(args)
    rng = random.Random(7)
    history: list[ChatMessage] = []
    previous: list[int] = []
    ttft: list[float] = []
    evaluated = expected = 0
    try:
        for turn in range(1, args.turns + 1):
            user = ChatMessage(Role.USER, text_of(backend, args.turn_tokens, rng,
                                                  f"Question{turn}:", HISTORY_WORDS))
            messages = [*history, user]
            prompt = backend.prompts.fit(messages, args.n_ctx, 4).prompt
            expected = len(prompt.tokens) - common_prefix(previous, prompt.tokens)
            stats = run_turn(backend, messages,
                             GenerateOptions(sampling=sampling(4, turn))).stats
            evaluated = stats.evaluated_tokens
            ttft.append(stats.ttft_s)
            print(f"  history turn {turn:2d}: prompt {stats.prompt_tokens} tokens, evaluated "
                  f"{evaluated} (new: {expected}), TTFT {stats.ttft_s * 1000:.1f} ms",
                  flush=True)
            history += [user, ChatMessage(Role.ASSISTANT, text_of(
                backend, args.turn_tokens, rng, f"Answer{turn}:", HISTORY_WORDS))]
            previous = prompt.tokens
    finally:
        backend.close()
    ok = verdict(f"gpu_history_ttft_turn{args.turns}_over_turn2", ttft[-1] / ttft[1], "<=", 1.3,
                 f"(turn 2 {ttft[1] * 1000:.1f} ms, turn {args.turns} {ttft[-1] * 1000:.1f} ms)")
    ok &= verdict(f"gpu_history_evaluated_turn{args.turns}", float(evaluated), "<=",
                  float(expected), f"(new tokens since the previous prompt: {expected})")
    return ok


def profile_engine(args: argparse.Namespace, top: int = 18) -> None:
    """One engine reply under cProfile: where the per-token Python time goes."""
    import cProfile
    import pstats

    backend = load(args)
    try:
        engine_decode(backend, 16, seed=99)
        prof = cProfile.Profile()
        prof.enable()
        stats = engine_decode(backend, args.tg, seed=5)
        prof.disable()
    finally:
        backend.close()
    table: dict[Any, Any] = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    n = max(stats.completion_tokens, 1)
    print(f"  cProfile of one engine reply ({stats.completion_tokens} tokens, "
          f"{stats.decode_tps:.1f} tok/s under the profiler); own time per token:", flush=True)
    rows = sorted(table.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    for (path, line, func), (_cc, calls, own, cum, _callers) in rows:
        where = f"{Path(path).parent.name}/{Path(path).name}:{line}({func})"
        print(f"    {own / n * 1e6:8.1f} us own {cum / n * 1e6:8.1f} us cum {calls:6d} calls  "
              f"{where}", flush=True)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description="engine vs llama-bench decode on the GPU")
    p.add_argument("--model", type=Path, required=True)
    p.add_argument("--llama-bench", type=Path, required=True)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--tg", type=int, default=128)
    p.add_argument("--bench-reps", type=int, default=3)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--ngl", type=int, default=-1)
    p.add_argument("--n-ctx", type=int, default=4096)
    p.add_argument("--turns", type=int, default=10)
    p.add_argument("--pp", type=int, default=512, help="prompt tokens (0: skip)")
    p.add_argument("--no-raw", dest="raw", action="store_false",
                   help="skip raw llama-cpp-python's generate (diagnostic)")
    p.add_argument("--turn-tokens", type=int, default=64)
    p.add_argument("--profile", action="store_true", help="end with a cProfile of one reply")
    p.add_argument("--backend", default="CUDA", help="the backend name the engine must report")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the decode rounds, then the history; exit status 0 when every target passes."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    quiet = logging.getLogger("ponder.llama")  # as `ponder chat` does without --verbose
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    import llama_cpp  # noqa: F401  (what the loads need, imported before the check)

    import app.engine.local  # noqa: F401

    print(f"  numpy.random imported before the first load: {'numpy.random' in sys.modules}",
          flush=True)
    started = time.perf_counter()
    ok = measure_decode(args)
    if args.pp > 0:
        ok &= measure_prompt(args)
    if args.turns >= 2:
        ok &= measure_history(args)
    if args.profile:
        profile_engine(args)
    print(f"  total time {time.perf_counter() - started:.0f} s", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
