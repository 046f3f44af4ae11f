"""Benchmark "Check this answer": k samples in one batch against k replies in a row.

    python -m bench.tutor [--rounds 3] [--tokens 64] [--prompt 128] [--threads 2]
    python -m bench.tutor --model R1.gguf --gpu-layers -1 --batched-bench PATH   # a GPU

On the DeepSeek-R1-Distill-Qwen-1.5B shape at Q4_K_M (a random-weight file of
the exact shape, bench/_model.py; or --model), with the app's R1 sampling:

1. `*_batch4_over_sequential4`: the wall time of 4 samples drawn as ONE
   batch of parallel sequences (`LocalBackend.open_sources` + run_parallel,
   the tutor's path) divided by the wall time of 4 `generate` calls in a row,
   per generated token (equal when every reply has the same length). The
   prompt is in the KV cache before both (a warm-up reply), so both measure
   generation; targets <= 0.6 on a CPU, <= 0.42 on the H200.
2. `*_batched_engine_over_llamacpp_b4`: the engine's batched decode
   throughput (4 x (tokens - 1) over the time after the first tokens) divided
   by llama.cpp's own `llama-batched-bench` S_TG at B=4 with the same prompt
   length, tokens, threads, flash attention, a unified KV cache and the prompt
   shared (`-kvu -pps`); batched-bench does not sample. Without the tool, the
   reference is llama.cpp's batched decode through raw low-level calls (no
   sampling), and the line says so. Targets >= 0.9 (CPU), >= 0.85 (H200).

Rounds alternate the order of the three runs; the lines report medians, with
llama.cpp's own batch-4-over-sequential ratio (S_TG at B=1 over B=4) as an
orientation. Names start with `gpu_` when layers are offloaded, else `cpu_`.
The load average is printed before and after: the machine may be shared.
On a GPU pass --model (bench/_model.py imports numpy, which crashed llama.cpp's
load on the lent H200 when imported first, docs/gpu.md).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/tutor.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.types import (
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    LoadParams,
    Role,
)
from bench._decode import sampling, text_of, verdict_line

K = 4
"""Samples in the batch (the issue's comparison)."""


def _log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


@dataclass
class Round:
    """One round's numbers."""

    batch_s: float = 0.0
    batch_tokens: int = 0
    batch_tg: float = 0.0
    seq_s: float = 0.0
    seq_tokens: int = 0
    ref_b1: float = 0.0
    ref_b4: float = 0.0

    @property
    def ratio(self) -> float:
        """Batch time over sequential time, per generated token."""
        return (self.batch_s / self.batch_tokens) / (self.seq_s / self.seq_tokens)


# -- the engine -----------------------------------------------------------------


def _messages(backend: Any, prompt_tokens: int) -> list[ChatMessage]:
    """A user message whose whole prompt is about `prompt_tokens` tokens."""
    options = GenerateOptions()
    glue = backend.measure_prompt([ChatMessage(Role.USER, "x")], options).tokens - 1
    text = text_of(backend, max(8, prompt_tokens - glue), random.Random(5), "Question:")
    return [ChatMessage(Role.USER, text)]


def _options(tokens: int, seed: int) -> GenerateOptions:
    return GenerateOptions(sampling=sampling(tokens, seed), detect_loops=False)


def engine_batch(backend: Any, messages: list[ChatMessage], tokens: int,
                 seed: int) -> tuple[float, int, float]:
    """Wall seconds, tokens and decode tok/s of K samples in one batch."""
    from app.engine.parallel import run_parallel

    options, control = _options(tokens, seed), GenerationControl()
    began = time.perf_counter()
    finished: list[Finished] = []
    for _, event in run_parallel(backend.open_sources(messages, options, control, K),
                                 options, control):
        if isinstance(event, Finished):
            finished.append(event)
    wall = time.perf_counter() - began
    decode_s = max(f.stats.total_s - f.stats.ttft_s for f in finished)
    after_first = sum(max(0, f.stats.completion_tokens - 1) for f in finished)
    return wall, sum(f.stats.completion_tokens for f in finished), after_first / decode_s


def engine_sequential(backend: Any, messages: list[ChatMessage], tokens: int,
                      seed: int) -> tuple[float, int]:
    """Wall seconds and tokens of K `generate` calls in a row."""
    began = time.perf_counter()
    total = 0
    for i in range(K):
        for event in backend.generate(messages, _options(tokens, seed + i), GenerationControl()):
            if isinstance(event, Finished):
                total += event.stats.completion_tokens
    return time.perf_counter() - began, total


# -- llama.cpp's own ---------------------------------------------------------------

_ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|(.*)\|\s*$")


def batched_bench(tool: Path, model: Path, args: argparse.Namespace) -> tuple[float, float]:
    """llama-batched-bench's S_TG (tok/s) at B=1 and B=K."""
    cmd = [str(tool), "-m", str(model), "-c", str(args.ctx), "-b", "2048", "-ub", "512",
           "-npp", str(args.prompt), "-ntg", str(args.tokens), "-npl", f"1,{K}",
           "-t", str(args.threads), "-fa", "on", "-kvu", "-pps",
           "-ngl", "99" if args.gpu_layers != 0 else "0"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise SystemExit(f"llama-batched-bench failed ({done.returncode}): {done.stderr[-2000:]}")
    speeds: dict[int, float] = {}
    for line in done.stdout.splitlines():
        match = _ROW.match(line.strip())
        if match:
            cells = [c.strip() for c in match.group(4).split("|")]
            speeds[int(match.group(3))] = float(cells[4])  # N_KV, T_PP, S_PP, T_TG, S_TG
    if 1 not in speeds or K not in speeds:
        raise SystemExit(f"no B=1 and B={K} rows in llama-batched-bench's output:\n{done.stdout}")
    return speeds[1], speeds[K]


def raw_batched(model: Path, args: argparse.Namespace, llama: Any = None) -> tuple[float, float]:
    """llama.cpp's batched decode through raw low-level calls, no sampling (a fallback)."""
    import llama_cpp

    from app.engine.llama_context import sequence_slots
    from app.engine.local import _flash_attn_kwargs

    with sequence_slots():
        llm = llama or llama_cpp.Llama(model_path=str(model), n_ctx=args.ctx,
                                       n_threads=args.threads, n_threads_batch=args.threads,
                                       n_gpu_layers=args.gpu_layers, verbose=False,
                                       **_flash_attn_kwargs(True))
    ctx, memory = llm.ctx, llama_cpp.llama_get_memory(llm.ctx)
    batch = llama_cpp.llama_batch_init(max(args.prompt, K), 0, K)
    token = int(llm.token_bos()) if llm.token_bos() >= 0 else 0

    def fill(rows: Sequence[tuple[int, Sequence[int], bool]]) -> None:
        for i, (pos, seqs, logits) in enumerate(rows):
            batch.token[i], batch.pos[i], batch.n_seq_id[i] = token, pos, len(seqs)
            for j, seq in enumerate(seqs):
                batch.seq_id[i][j] = seq
            batch.logits[i] = logits
        batch.n_tokens = len(rows)
        if llama_cpp.llama_decode(ctx, batch) != 0:
            raise SystemExit("llama_decode failed in the raw reference")

    speeds = []
    try:
        for k in (1, K):
            llama_cpp.llama_memory_seq_rm(memory, -1, -1, -1)
            fill([(p, range(k), p == args.prompt - 1) for p in range(args.prompt)])
            llama_cpp.llama_synchronize(ctx)
            began = time.perf_counter()
            for step in range(args.tokens):
                fill([(args.prompt + step, (s,), True) for s in range(k)])
                llama_cpp.llama_get_logits_ith(ctx, -1)  # wait for the step, like a sampler
                llama_cpp.llama_synchronize(ctx)
            speeds.append(k * args.tokens / (time.perf_counter() - began))
    finally:
        llama_cpp.llama_batch_free(batch)
        if llama is None:
            llm.close()
    return speeds[0], speeds[1]


def find_batched_bench(given: Path | None) -> Path | None:
    """The llama-batched-bench to compare with: --batched-bench, else the bench build's."""
    if given is not None:
        return given if given.exists() else None
    try:
        from bench._llamacpp import ensure_tools

        tools = ensure_tools()
    except (SystemExit, OSError, subprocess.CalledProcessError) as exc:
        _log(f"llama.cpp's tools are not available ({exc})")
        return None
    tool = tools.bench.with_name("llama-batched-bench" + tools.bench.suffix)
    if not tool.exists():
        build = tools.bench.parent.parent
        _log("building llama-batched-bench next to llama-bench ...")
        from bench._llamacpp import build_env

        subprocess.run(["cmake", "--build", str(build), "--target", "llama-batched-bench"],
                       env=build_env(), capture_output=True, check=False)
    return tool if tool.exists() else None


# -- the run ---------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None,
                        help="the GGUF (default: the cached random R1-1.5B-shaped Q4_K_M)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=64, help="tokens per sample")
    parser.add_argument("--prompt", type=int, default=128, help="prompt tokens")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--ctx", type=int, default=2048)
    parser.add_argument("--gpu-layers", type=int, default=0, help="-1: all layers on the GPU")
    parser.add_argument("--batched-bench", type=Path, default=None,
                        help="llama.cpp's llama-batched-bench (default: built next to "
                        "llama-bench in the bench cache)")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def _model(args: argparse.Namespace) -> Path:
    if args.model is not None:
        return Path(args.model)
    from bench._llamacpp import ensure_tools
    from bench.engine import r1_shaped_model  # imports numpy: CPU runs only

    return r1_shaped_model(ensure_tools(), args.threads)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    model = _model(args)
    tool = find_batched_bench(args.batched_bench)
    prefix = "gpu" if args.gpu_layers != 0 else "cpu"
    print(f"before: {_load()}")
    print(f"model: {model.name}, {args.threads} threads, prompt {args.prompt}, "
          f"{args.tokens} tokens x {K}, gpu layers {args.gpu_layers}")
    print("reference: " + (str(tool) if tool else
                           "raw llama_cpp batched llama_decode without sampling "
                           "(llama-batched-bench is not available)"))
    if args.gpu_layers != 0:
        print(f"numpy.random imported before the first load: {'numpy.random' in sys.modules}")
    from app.engine.local import LocalBackend

    backend = LocalBackend(LoadParams(model_path=model, n_ctx=args.ctx, n_threads=args.threads,
                                      n_gpu_layers=args.gpu_layers, flash_attn=True))
    rounds: list[Round] = []
    try:
        print(f"engine backend: {backend.info.backend}, "
              f"batch threads {backend.llama.context_params.n_threads_batch}")
        messages = _messages(backend, args.prompt)
        prompt = backend.measure_prompt(messages, _options(args.tokens, 0)).tokens
        print(f"prompt: {prompt} tokens")
        engine_batch(backend, messages, 8, args.seed)  # warm-up: prompt cached, graphs built
        engine_sequential(backend, messages, 8, args.seed)
        for r in range(args.rounds):
            one = Round()
            steps = ["batch", "seq", "ref"]
            for step in steps if r % 2 == 0 else steps[::-1]:
                if step == "batch":
                    one.batch_s, one.batch_tokens, one.batch_tg = engine_batch(
                        backend, messages, args.tokens, args.seed + 10 * r)
                elif step == "seq":
                    one.seq_s, one.seq_tokens = engine_sequential(
                        backend, messages, args.tokens, args.seed + 10 * r)
                else:
                    one.ref_b1, one.ref_b4 = (batched_bench(tool, model, args) if tool
                                              else raw_batched(model, args))
            rounds.append(one)
            print(f"round {r + 1}: batch {one.batch_s:.2f} s ({one.batch_tokens} tokens, "
                  f"{one.batch_tg:.1f} tok/s decode), sequential {one.seq_s:.2f} s "
                  f"({one.seq_tokens} tokens), ratio {one.ratio:.3f}; llama.cpp B=1 "
                  f"{one.ref_b1:.1f}, B={K} {one.ref_b4:.1f} tok/s", flush=True)
    finally:
        backend.close()
    ratio = statistics.median(r.ratio for r in rounds)
    tg = statistics.median(r.batch_tg for r in rounds)
    ref4 = statistics.median(r.ref_b4 for r in rounds)
    ref1 = statistics.median(r.ref_b1 for r in rounds)
    cpu = prefix == "cpu"
    print(f"{prefix}_llamacpp_own_batch4_over_sequential4 (orientation): {ref1 / ref4:.3f}")
    print(verdict_line(f"{prefix}_batch4_over_sequential4", ratio, "<=",
                       0.6 if cpu else 0.42)[1])
    source = "llama-batched-bench" if tool else "raw llama_decode, no sampling"
    print(verdict_line(f"{prefix}_batched_engine_over_llamacpp_b4", tg / ref4, ">=",
                       0.9 if cpu else 0.85,
                       extra=f"(engine {tg:.1f} / {source} {ref4:.1f} tok/s)")[1])
    print(f"after: {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
