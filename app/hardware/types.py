"""Plain values the hardware probe reports and the planner reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class GpuKind(str, Enum):
    """Which accelerator llama.cpp would use."""

    CUDA = "cuda"
    """An NVIDIA GPU (CUDA build of llama.cpp)."""
    METAL = "metal"
    """Apple Silicon's GPU through Metal (unified memory)."""


@dataclass(frozen=True)
class CpuInfo:
    """The processor as llama.cpp cares about it.

    Attributes:
        arch: normalized machine name: "x86_64", "arm64" or what the OS says.
        brand: the marketing name, when the OS tells it ("" otherwise).
        physical_cores: cores without hyper-threads (at least 1).
        logical_cores: hardware threads (at least physical_cores).
        features: SIMD features found, lower case: "avx", "avx2", "avx512f",
            "fma", "f16c", "neon", "dotprod", ...
    """

    arch: str
    brand: str
    physical_cores: int
    logical_cores: int
    features: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_arm(self) -> bool:
        return self.arch in {"arm64", "aarch64"} or self.arch.startswith("arm")

    @property
    def has_avx2(self) -> bool:
        return "avx2" in self.features

    @property
    def has_avx512(self) -> bool:
        return "avx512f" in self.features


@dataclass(frozen=True)
class GpuInfo:
    """One accelerator.

    Attributes:
        kind: CUDA or Metal.
        name: e.g. "NVIDIA GeForce RTX 3060" or "Apple M1".
        total_bytes: the GPU's memory (for Metal: the working-set limit).
        free_bytes: memory free now (for Metal: the working-set limit).
        bandwidth_bytes_s: peak memory bandwidth if known, else None.
    """

    kind: GpuKind
    name: str
    total_bytes: int
    free_bytes: int
    bandwidth_bytes_s: float | None = None


@dataclass(frozen=True)
class HardwareReport:
    """Everything the probe found.

    Attributes:
        os_name: "Linux", "Darwin" or "Windows".
        cpu: the processor.
        ram_total_bytes: installed RAM.
        ram_available_bytes: RAM free for new programs now.
        gpus: usable accelerators, best first (empty: CPU only).
        disk_free_bytes: free space where models are stored.
        disk_path: the folder disk_free_bytes was measured at.
        notes: things the probe could not find out, in words.
    """

    os_name: str
    cpu: CpuInfo
    ram_total_bytes: int
    ram_available_bytes: int
    gpus: tuple[GpuInfo, ...] = ()
    disk_free_bytes: int | None = None
    disk_path: str = ""
    notes: tuple[str, ...] = ()

    @property
    def is_apple_silicon(self) -> bool:
        return self.os_name == "Darwin" and self.cpu.is_arm
