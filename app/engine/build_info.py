"""Which llama.cpp this install runs: its version and the backends it was built with.

For the About dialog and the diagnostics report. llama_cpp is imported only
when asked (it loads a large native library).
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass

# Markers in llama.cpp's system info line -> the backend's usual name.
_BACKENDS = (("CUDA", "CUDA"), ("MTL", "Metal"), ("Metal", "Metal"), ("HIP", "ROCm"),
             ("Vulkan", "Vulkan"), ("SYCL", "SYCL"), ("BLAS", "BLAS"))


@dataclass(frozen=True)
class LlamaBuild:
    """The llama.cpp build in use.

    Attributes:
        version: llama-cpp-python's version ("" when it is not installed).
        backends: the accelerators it was built for, "CPU" first.
        gpu_offload: whether it can put layers on a GPU.
        cpu_features: the CPU features llama.cpp uses (its own names: "AVX2", ...).
    """

    version: str
    backends: tuple[str, ...]
    gpu_offload: bool
    cpu_features: tuple[str, ...]

    @property
    def backend_text(self) -> str:
        """The backends joined for display ("CPU + CUDA")."""
        return " + ".join(self.backends) if self.backends else "—"


def parse_system_info(system: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Backends and enabled CPU features from llama.cpp's system info line.

    Args:
        system: e.g. ``"CPU : SSE3 = 1 | AVX2 = 1 | AVX512 = 0 | "``.

    Returns:
        (backends, cpu_features).
    """
    backends = ["CPU"]
    for marker, name in _BACKENDS:
        if marker in system and name not in backends:
            backends.append(name)
    features: list[str] = []
    for part in system.replace(":", "|").split("|"):
        name, _, value = part.partition("=")
        if value.strip() == "1" and name.strip():
            features.append(name.strip())
    return tuple(backends), tuple(features)


def llama_build() -> LlamaBuild:
    """Describe the installed llama.cpp (never raises)."""
    try:
        version = importlib.metadata.version("llama_cpp_python")
    except importlib.metadata.PackageNotFoundError:
        version = ""
    try:
        import llama_cpp

        system = llama_cpp.llama_print_system_info().decode("utf-8", errors="replace")
        gpu = bool(llama_cpp.llama_supports_gpu_offload())
    except (ImportError, OSError, AttributeError):
        return LlamaBuild(version=version, backends=(), gpu_offload=False, cpu_features=())
    backends, features = parse_system_info(system)
    return LlamaBuild(version=version, backends=backends, gpu_offload=gpu, cpu_features=features)
