"""Decode speed of one llama-cpp-python install, for portable-vs-native comparisons.

    PY -m ... python packaging/bench_decode.py MODEL.gguf [--threads 2] [--tokens 64]

Run it with the interpreter of the environment to measure (the developer's
native build in .venv, the portable build in build/venv-py312). A portable
install keeps its CPU variants in llama_cpp/lib; outside PyInstaller nothing
loads them, so this script does what the runtime hook does in the frozen app.
Prints one JSON line: tokens/s of decode (after the first token), the CPU
variant and the prompt speed.
"""

from __future__ import annotations

import argparse
import ctypes
import importlib.util
import json
import os
import time
from pathlib import Path

PROMPT = "Write a short story about a lighthouse keeper who learns to play the violin."


def preload_cpu_variants() -> str:
    """Load the best CPU variant from llama_cpp/lib if the install has variants."""
    spec = importlib.util.find_spec("llama_cpp")
    assert spec is not None and spec.origin is not None
    lib_dir = Path(spec.origin).parent / "lib"
    variants = sorted(lib_dir.glob("libggml-cpu-*.so"))
    if not variants:
        return "builtin"
    best, best_score = "", 0
    for variant in variants:
        score = ctypes.CDLL(str(variant)).ggml_backend_score
        score.restype = ctypes.c_int
        if score() > best_score:
            best, best_score = variant.stem.removeprefix("libggml-cpu-"), score()
    ggml = ctypes.CDLL(str(lib_dir / "libggml.so"), mode=ctypes.RTLD_GLOBAL)
    ggml.ggml_backend_load_all_from_path.argtypes = [ctypes.c_char_p]
    ggml.ggml_backend_load_all_from_path(os.fsencode(lib_dir))
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tokens", type=int, default=64)
    args = parser.parse_args()
    variant = preload_cpu_variants()
    import llama_cpp

    llm = llama_cpp.Llama(args.model, n_ctx=512, n_threads=args.threads,
                          n_threads_batch=args.threads, verbose=False, seed=1)
    tokens = llm.tokenize(PROMPT.encode())
    generated, first_at = 0, 0.0
    start = time.perf_counter()
    # A fixed number of tokens, end-of-text or not: this measures speed only.
    for _token in llm.generate(tokens, temp=0.0):
        generated += 1
        if generated == 1:
            first_at = time.perf_counter()
        if generated >= args.tokens:
            break
    end = time.perf_counter()
    prompt_s = first_at - start
    print(json.dumps({
        "variant": variant,
        "decode_tps": round((generated - 1) / (end - first_at), 2) if generated > 1 else 0.0,
        "prompt_tps": round(len(tokens) / prompt_s, 1),
        "tokens": generated,
        "threads": args.threads,
        "total_s": round(end - start, 2),
    }))


if __name__ == "__main__":
    main()
