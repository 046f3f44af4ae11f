"""The local engine against llama.cpp on a GPU (all layers offloaded).

    python -m bench.gpu --model R1.gguf --llama-bench PATH [--rounds 5] [--tg 128]

Not a test: one run, printed numbers. The CPU benchmark (bench/engine.py)
pins `n_gpu_layers=0`; this one offloads every layer (`-ngl 99` for
llama-bench, `n_gpu_layers=-1` for the engine) and measures

1. the backend the engine reports (must name the GPU, e.g. "CUDA");
2. llama-bench pp512 once, for reference;
3. decode: `--rounds` alternating runs (order flips every round) of
   llama-bench tg`--tg` and `LocalBackend.generate` with the app's default
   sampling, plus raw llama-cpp-python as a diagnostic; medians;
4. history: the `--turns`-turn scripted conversation of bench/engine.py, TTFT
   of the last turn against turn 2.

Each target prints one line `NAME: VALUE (target OP VALUE) PASS|MISS`.
bench/gpu_run.sh builds llama.cpp with CUDA and calls this on the device.
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
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/gpu.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.types import ChatMessage, GenerateOptions, LoadParams, Role

# bench.engine imports bench._model, and so the gguf package, at its top. A
# process that had imported gguf crashed (SIGSEGV) inside llama.cpp's CUDA model
# load on the H200 (docs/gpu.md); the model file is made in another process, so
# this one only needs the names.
if "bench._model" not in sys.modules:
    _stub = types.ModuleType("bench._model")
    _stub.R1_1_5B = _stub.parameter_count = _stub.write_qwen2_gguf = None  # type: ignore[attr-defined]
    sys.modules["bench._model"] = _stub

from bench.engine import (
    DECODE_PROMPT,
    Report,
    _common_prefix,
    engine_decode,
    raw_decode,
    run_turn,
    sampling,
    text_of,
)


def llama_bench(exe: Path, model: Path, threads: int, n_prompt: int, n_gen: int,
                reps: int = 1) -> float:
    """llama-bench tokens/s with every layer on the GPU (flash attention on)."""
    cmd = [str(exe), "-m", str(model), "-t", str(threads), "-p", str(n_prompt),
           "-n", str(n_gen), "-r", str(reps), "-fa", "on", "-ngl", "99", "-o", "json"]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return float(json.loads(done.stdout)[0]["avg_ts"])


def load(model: Path, args: argparse.Namespace) -> Any:
    """A LocalBackend with all layers offloaded."""
    from app.engine.local import LocalBackend

    return LocalBackend(LoadParams(model_path=model, n_ctx=args.n_ctx, n_threads=args.threads,
                                   n_gpu_layers=args.ngl, flash_attn=True))


def measure_decode(args: argparse.Namespace, report: Report) -> tuple[float, bool]:
    """Alternating decode rounds; returns engine / llama-bench (medians), backend named right."""
    import llama_cpp

    backend = load(args.model, args)
    named = backend.info.backend == args.backend
    report.note(f"engine backend: {backend.info.backend}, n_gpu_layers {backend.info.n_gpu_layers}")
    report.verdicts.append(f"engine backend: {backend.info.backend} (target == {args.backend}) "
                           f"{'PASS' if named else 'MISS'}")
    report.note("llama.cpp system info: "
                + llama_cpp.llama_print_system_info().decode("utf-8", "replace").strip())
    llm = llama_cpp.Llama(model_path=str(args.model), n_ctx=args.n_ctx, n_threads=args.threads,
                          n_gpu_layers=args.ngl, verbose=False, flash_attn_type=1)
    tokens = backend.prompts.fit([ChatMessage(Role.USER, DECODE_PROMPT)], args.n_ctx,
                                 args.tg).prompt.tokens
    runs: dict[str, list[float]] = {"llama-bench": [], "engine": [], "raw": []}
    counts: list[int] = []
    try:
        engine_decode(backend, 8, seed=99)  # warm-up
        raw_decode(llm, tokens, 8, seed=99)
        for i in range(args.rounds):
            order = ["llama-bench", "engine", "raw"]
            if i % 2:
                order.reverse()
            for step in order:
                if step == "llama-bench":
                    runs[step].append(llama_bench(args.llama_bench, args.model, args.threads,
                                                  0, args.tg))
                elif step == "engine":
                    stats = engine_decode(backend, args.tg, seed=i + 1)
                    runs[step].append(stats.decode_tps)
                    counts.append(stats.completion_tokens)
                else:
                    runs[step].append(raw_decode(llm, tokens, args.tg, seed=i + 1)[0])
            report.note(f"round {i + 1}: llama-bench tg{args.tg} {runs['llama-bench'][-1]:.1f}, "
                        f"engine {runs['engine'][-1]:.1f} ({counts[-1]} tokens), "
                        f"raw llama-cpp-python {runs['raw'][-1]:.1f} tok/s")
    finally:
        backend.close()
        llm.close()
    med = {k: statistics.median(v) for k, v in runs.items()}
    report.note(f"medians: llama-bench {med['llama-bench']:.1f}, engine {med['engine']:.1f}, "
                f"raw {med['raw']:.1f} tok/s; engine tokens min {min(counts)}")
    report.note(f"raw llama-cpp-python / llama-bench {med['raw'] / med['llama-bench']:.3f}, "
                f"engine / raw {med['engine'] / med['raw']:.3f}")
    return med["engine"] / med["llama-bench"], named


def measure_history(args: argparse.Namespace, report: Report) -> tuple[float, int, int]:
    """Scripted conversation; returns (TTFT last/turn 2, evaluated, expected) of the last turn."""
    backend = load(args.model, args)
    rng = random.Random(7)
    history: list[ChatMessage] = []
    previous: list[int] = []
    ttft: list[float] = []
    evaluated = expected = 0
    try:
        for turn in range(1, args.turns + 1):
            user = ChatMessage(Role.USER, text_of(backend, args.turn_tokens, rng,
                                                  f"Question{turn}:"))
            messages = [*history, user]
            prompt = backend.prompts.fit(messages, args.n_ctx, 4).prompt
            expected = len(prompt.tokens) - _common_prefix(previous, prompt.tokens)
            stats = run_turn(backend, messages,
                             GenerateOptions(sampling=sampling(4, turn))).stats
            evaluated = stats.evaluated_tokens
            ttft.append(stats.ttft_s)
            report.note(f"history turn {turn:2d}: prompt {stats.prompt_tokens} tokens, evaluated "
                        f"{evaluated} (new: {expected}), TTFT {stats.ttft_s * 1000:.1f} ms")
            history += [user, ChatMessage(Role.ASSISTANT, text_of(
                backend, args.turn_tokens, rng, f"Answer{turn}:"))]
            previous = prompt.tokens
    finally:
        backend.close()
    return ttft[-1] / ttft[1], evaluated, expected


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description="engine vs llama-bench with all layers on the GPU")
    p.add_argument("--model", type=Path, required=True)
    p.add_argument("--llama-bench", type=Path, required=True)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--tg", type=int, default=128)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--ngl", type=int, default=-1)
    p.add_argument("--n-ctx", type=int, default=4096)
    p.add_argument("--turns", type=int, default=10)
    p.add_argument("--turn-tokens", type=int, default=64)
    p.add_argument("--backend", default="CUDA", help="the backend name the engine must report")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run everything; exit status 0 when every target passes."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    quiet = logging.getLogger("ponder.llama")  # as `ponder chat` does without --verbose
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    started = time.perf_counter()
    report = Report()
    pp = llama_bench(args.llama_bench, args.model, args.threads, 512, 0, reps=3)
    report.note(f"llama-bench pp512 {pp:.0f} tok/s")
    ok = True
    ratio, ok = measure_decode(args, report)
    ok &= report.target("decode engine/llama-bench (GPU)", ratio, ">=", 0.97)
    if args.turns >= 2:
        ttft_ratio, evaluated, expected = measure_history(args, report)
        ok &= report.target(f"history TTFT turn {args.turns} / turn 2 (GPU)", ttft_ratio,
                            "<=", 1.3)
        ok &= report.target(f"history evaluated tokens turn {args.turns} (GPU)", evaluated,
                            "<=", expected, fmt="d")
    print(f"\ntotal time {time.perf_counter() - started:.0f} s\nverdicts:")
    for line in report.verdicts:
        print(f"  {line}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
