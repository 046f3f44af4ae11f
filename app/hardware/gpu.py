"""Probe GPUs: NVIDIA through NVML (nvidia-ml-py), Apple Silicon through sysctl.

A machine without an NVIDIA driver is normal: any failure of NVML means
"no NVIDIA GPU", never an error.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable

from app.hardware.types import GpuInfo, GpuKind

GIB = 1024**3

# Peak memory bandwidth of Apple Silicon chips in GB/s (Apple's specifications).
_APPLE_BANDWIDTH_GBS: list[tuple[str, float]] = [
    (r"M\d+ Ultra", 800.0),
    (r"M4 Max", 546.0),
    (r"M\d+ Max", 400.0),
    (r"M4 Pro", 273.0),
    (r"M3 Pro", 150.0),
    (r"M\d+ Pro", 200.0),
    (r"M4\b", 120.0),
    (r"M[23]\b", 100.0),
    (r"M1\b", 68.25),
]


def apple_bandwidth(brand: str) -> float:
    """Peak memory bandwidth (bytes/s) of an Apple chip from its name; M1's if unknown."""
    for pattern, gbs in _APPLE_BANDWIDTH_GBS:
        if re.search(pattern, brand):
            return gbs * 1e9
    return 68.25e9


def metal_working_set(ram_total: int, wired_limit_mb: int | None = None) -> int:
    """How much unified memory Metal lets one process keep on the GPU.

    macOS's recommendedMaxWorkingSetSize is about two thirds of RAM on
    machines up to 36 GB and about three quarters above; a user who raised
    the limit with ``sysctl iogpu.wired_limit_mb`` gets that value.

    Args:
        ram_total: installed RAM in bytes.
        wired_limit_mb: the iogpu.wired_limit_mb sysctl (0 or None: default).
    """
    if wired_limit_mb:
        return min(ram_total, wired_limit_mb * 1024 * 1024)
    fraction = 0.75 if ram_total > 36 * GIB else 2 / 3
    return int(ram_total * fraction)


def probe_apple_gpu(
    brand: str, ram_total: int, sysctl: Callable[[str], str | None]
) -> GpuInfo:
    """The Metal GPU of an Apple Silicon Mac.

    Args:
        brand: the chip's name, e.g. "Apple M1 Pro".
        ram_total: installed RAM in bytes.
        sysctl: reads one sysctl value (injected so tests need no Mac).
    """
    raw = sysctl("iogpu.wired_limit_mb")
    limit = metal_working_set(ram_total, int(raw) if raw and raw.isdigit() else None)
    return GpuInfo(
        kind=GpuKind.METAL,
        name=brand or "Apple Silicon GPU",
        total_bytes=limit,
        free_bytes=limit,
        bandwidth_bytes_s=apple_bandwidth(brand),
    )


def probe_nvidia() -> tuple[list[GpuInfo], str | None]:
    """NVIDIA GPUs with their free memory, best (most free memory) first.

    Returns:
        (GPUs, a note when NVML was present but failed; None otherwise).
    """
    try:
        import pynvml
    except ImportError:
        return [], None
    try:
        pynvml.nvmlInit()
    except Exception:  # no driver: normal on most machines
        return [], None
    gpus: list[GpuInfo] = []
    try:
        for index in range(int(pynvml.nvmlDeviceGetCount())):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            name = pynvml.nvmlDeviceGetName(handle)
            if isinstance(name, bytes):
                name = name.decode("utf-8", "replace")
            mem = pynvml.nvmlDeviceGetMemoryInfo(handle)
            gpus.append(
                GpuInfo(
                    kind=GpuKind.CUDA,
                    name=str(name),
                    total_bytes=int(mem.total),
                    free_bytes=int(mem.free),
                    bandwidth_bytes_s=_nvidia_bandwidth(pynvml, handle),
                )
            )
    except Exception as exc:  # a half-working driver: report, do not crash
        return [], f"The NVIDIA driver answered but failed ({type(exc).__name__}): using the CPU."
    finally:
        with contextlib.suppress(Exception):
            pynvml.nvmlShutdown()
    gpus.sort(key=lambda g: g.free_bytes, reverse=True)
    return gpus, None


def _nvidia_bandwidth(pynvml: object, handle: object) -> float | None:
    """Peak bandwidth from bus width and max memory clock; None if NVML won't say."""
    try:
        bus_bits = int(pynvml.nvmlDeviceGetMemoryBusWidth(handle))  # type: ignore[attr-defined]
        clock_mhz = int(
            pynvml.nvmlDeviceGetMaxClockInfo(handle, pynvml.NVML_CLOCK_MEM)  # type: ignore[attr-defined]
        )
    except Exception:
        return None
    if bus_bits <= 0 or clock_mhz <= 0:
        return None
    # NVML reports the memory clock so that bytes/s = clock * 2 (DDR) * bus bytes.
    return bus_bits / 8 * clock_mhz * 1e6 * 2
