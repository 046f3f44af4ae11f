"""Expected decode speed (tokens/s) from memory bandwidth, and a real measurement.

Decoding one token reads every weight once, so speed is about effective
bandwidth / bytes per token. The constants are calibrated on two measured
points for DeepSeek-R1-Distill-Qwen-1.5B at Q4_K_M (llama-bench tg128): a
2-core x86 VM with AVX2 did 19.4 tok/s, an H200 with CUDA 577 tok/s.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from app.hardware.types import CpuInfo, GpuInfo, GpuKind

GB = 1e9

# CPU: effective bytes/s per physical core (19.4 tok/s * 0.971 GB / 2 cores),
# capped by what the memory bus delivers in practice.
CPU_PER_CORE_AVX2 = 9.4 * GB
CPU_PER_CORE_NO_AVX2 = 3.0 * GB  # generic SSE kernels: roughly 3x slower
CPU_PER_CORE_ARM = 2.2 * GB  # Cortex-A7x class boards (Raspberry Pi 5: ~7 tok/s)
CPU_CAP_DESKTOP = 35 * GB  # dual-channel DDR4/DDR5 in practice
CPU_CAP_WORKSTATION = 80 * GB  # many cores, more memory channels
CPU_CAP_ARM_BOARD = 8 * GB  # LPDDR4 single-board computers

# GPU: a fixed per-token cost (kernel launches, sampling) plus bytes over
# effective bandwidth; fitted so the H200 point comes out right.
GPU_TOKEN_OVERHEAD_S = 1.44e-3
GPU_BANDWIDTH_EFFICIENCY = 0.7
METAL_BANDWIDTH_EFFICIENCY = 0.8
GPU_DEFAULT_BANDWIDTH = 300 * GB


def cpu_bandwidth(cpu: CpuInfo, is_apple: bool = False) -> float:
    """Effective bytes/s the CPU streams through llama.cpp's kernels."""
    if cpu.is_arm and not is_apple:
        per_core, cap = CPU_PER_CORE_ARM, CPU_CAP_ARM_BOARD
    elif cpu.is_arm:  # Apple Silicon CPU cores are fast and the bus is wide
        per_core, cap = CPU_PER_CORE_AVX2, CPU_CAP_WORKSTATION
    elif cpu.has_avx2:
        per_core = CPU_PER_CORE_AVX2
        cap = CPU_CAP_WORKSTATION if cpu.physical_cores > 16 else CPU_CAP_DESKTOP
    else:
        per_core, cap = CPU_PER_CORE_NO_AVX2, CPU_CAP_DESKTOP
    return min(per_core * cpu.physical_cores, cap)


def gpu_bandwidth(gpu: GpuInfo) -> float:
    """Effective bytes/s of a GPU for decode."""
    peak = gpu.bandwidth_bytes_s or GPU_DEFAULT_BANDWIDTH
    eff = METAL_BANDWIDTH_EFFICIENCY if gpu.kind is GpuKind.METAL else GPU_BANDWIDTH_EFFICIENCY
    return peak * eff


def estimate_tps(
    gpu_bytes: float, cpu_bytes: float, cpu_bw: float, gpu: GpuInfo | None
) -> float:
    """Tokens/s when `gpu_bytes` are read on the GPU and `cpu_bytes` on the CPU per token."""
    seconds = cpu_bytes / cpu_bw if cpu_bytes > 0 else 0.0
    if gpu is not None and gpu_bytes > 0:
        seconds += GPU_TOKEN_OVERHEAD_S + gpu_bytes / gpu_bandwidth(gpu)
    return 1.0 / seconds if seconds > 0 else 0.0


def measure_speed(
    run_tokens: Callable[[int], float],
    seconds: float = 10.0,
    *,
    cancel: threading.Event | None = None,
    clock: Callable[[], float] = time.monotonic,
    warmup_tokens: int = 8,
    min_batch: int = 4,
) -> float:
    """Measure real decode speed for about `seconds`.

    The caller supplies `run_tokens(n)`: generate `n` tokens with the loaded
    model and return the seconds the decoding took (prompt evaluation
    excluded). A short warm-up run sizes the batches so that the measurement
    checks `cancel` about twice a second and stops near `seconds`.

    Args:
        run_tokens: generates n tokens, returns seconds spent decoding them.
        seconds: how long to measure.
        cancel: set from another thread to stop early (the speed so far is returned).
        clock: time source (injectable for tests).
        warmup_tokens: tokens in the untimed warm-up run.
        min_batch: fewest tokens per timed run (a 1-token run has no decode time).

    Returns:
        Tokens per second over the timed runs (0.0 if nothing could be timed).
    """
    first = run_tokens(warmup_tokens)
    rate = warmup_tokens / first if first > 0 else 1.0
    tokens = 0
    spent = 0.0
    deadline = clock() + seconds
    while clock() < deadline and not (cancel is not None and cancel.is_set()):
        left = max(deadline - clock(), 0.05)
        batch = max(min_batch, int(rate * min(0.5, left)))
        took = run_tokens(batch)
        if took <= 0:
            continue
        tokens += batch
        spent += took
        rate = tokens / spent
    return tokens / spent if spent > 0 else 0.0
