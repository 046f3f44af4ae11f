"""How llama.cpp is compiled for each kind of Ponder build.

A flavor is a name ("cpu", "cuda", "metal") plus the CMake options that
llama-cpp-python's source build receives through CMAKE_ARGS. None of them use
``-march=native``: a build that runs on the build machine must also run on
every user's older CPU (a native build dies with "illegal instruction").

On x86-64 the CPU code is compiled once per instruction-set level
(GGML_CPU_ALL_VARIANTS) as loadable modules (GGML_BACKEND_DL); llama.cpp picks
the best one for the running CPU at start-up. llama-cpp-python does not
install those modules by itself, so ``cmake/install_cpu_variants.cmake`` is
injected into its project to do that. Stdlib only.
"""

from __future__ import annotations

import hashlib
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGING_DIR = Path(__file__).resolve().parent
VARIANTS_CMAKE = PACKAGING_DIR / "cmake" / "install_cpu_variants.cmake"

# llama-cpp-python release the installers are built and tested with.
LLAMA_VERSION = "0.3.36"
LLAMA_REQUIREMENT = f"llama-cpp-python=={LLAMA_VERSION}"

# No multimodal library: the app does not use it (llama.cpp's tools and
# examples are off anyway when it is built as llama-cpp-python's subproject).
_COMMON = ("-DGGML_NATIVE=OFF", "-DLLAVA_BUILD=OFF")
_DYNAMIC_CPU = ("-DGGML_BACKEND_DL=ON", "-DGGML_CPU_ALL_VARIANTS=ON")
# NVIDIA generations from Turing (GTX 16xx / RTX 20xx) to Blackwell, plus PTX
# for later ones; each real architecture adds tens of MB.
CUDA_ARCHITECTURES = "75-real;80-real;86-real;89-real;90-real;120-virtual"
# Every Apple Silicon chip (M1 and later) implements ARMv8.4 with dot products.
APPLE_ARM_ARCH = "armv8.4-a+dotprod"
# The oldest macOS the app runs on: PySide6 6.12's Qt needs macOS 14.4 (its
# wheels are tagged 14.0; Qt's own support floor is the higher one). llama.cpp
# is compiled for it too (otherwise it targets the build machine's own macOS),
# the release workflow sets MACOSX_DEPLOYMENT_TARGET to it for the whole macOS
# job, and Info.plist's LSMinimumSystemVersion says it, so an older Mac
# refuses to open the app instead of crashing.
MACOS_MIN_VERSION = "14.4"

FLAVORS = ("cpu", "cuda", "metal")

# x86-64 CPU variants built (llama.cpp has 14; see llama_source.py): a
# baseline that runs on any x86-64, then SSE4.2, AVX, AVX2+FMA (nearly every PC
# since 2013), AVX-512 and AVX-512 VNNI/VBMI. A CPU between two levels gets the
# lower one.
KEPT_X86_VARIANTS = ("x64", "sse42", "sandybridge", "haswell", "skylakex", "icelake")


@dataclass(frozen=True)
class Flavor:
    """One way to compile llama.cpp.

    Attributes:
        name: "cpu", "cuda" or "metal".
        cmake_args: the CMAKE_ARGS options, in order.
        has_cpu_variants: whether the build ships one CPU module per
            instruction-set level (the runtime hook loads the best one).
    """

    name: str
    cmake_args: tuple[str, ...]
    has_cpu_variants: bool

    def cmake_args_string(self) -> str:
        """CMAKE_ARGS as one string for the environment."""
        return " ".join(self.cmake_args)

    def cache_key(self, requirement: str = LLAMA_REQUIREMENT) -> str:
        """A short stable key for the built wheel: flavor, options, platform.

        Absolute paths are left out so that the key is the same in every
        checkout.
        """
        portable = [a for a in self.cmake_args if not a.startswith("-DCMAKE_PROJECT_INCLUDE=")]
        text = "\n".join([requirement, sys.platform, platform.machine(), *portable])
        if self.has_cpu_variants:
            text += "\n" + " ".join(KEPT_X86_VARIANTS)
            text += "\n" + hashlib.sha256(VARIANTS_CMAKE.read_bytes()).hexdigest()
        return f"{self.name}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


HIDE_STATIC_SYMBOLS = "-Wl,--exclude-libs,ALL"
"""Linker flag: symbols of static archives stay private to the shared library."""


def _is_x86_64(machine: str) -> bool:
    return machine.lower() in {"x86_64", "amd64", "x64"}


def flavor_for(name: str, system: str | None = None, machine: str | None = None) -> Flavor:
    """The compile options of flavor `name` on a platform.

    Args:
        name: "cpu", "cuda" or "metal".
        system: ``sys.platform`` of the target (default: this machine's).
        machine: ``platform.machine()`` of the target (default: this machine's).

    Raises:
        ValueError: the flavor is unknown or does not exist on that platform.
    """
    system = system or sys.platform
    machine = machine or platform.machine()
    if name not in FLAVORS:
        raise ValueError(f"unknown flavor {name!r}; choose one of {', '.join(FLAVORS)}")
    if name == "metal" and system != "darwin":
        raise ValueError("the metal flavor exists only on macOS")
    if name == "cuda" and system == "darwin":
        raise ValueError("there is no CUDA on macOS; use the metal flavor")

    if system == "darwin":
        # Metal does the heavy work; the CPU code targets all Apple Silicon.
        args: list[str] = [*_COMMON, "-DGGML_METAL=ON", "-DGGML_METAL_EMBED_LIBRARY=ON",
                           f"-DCMAKE_OSX_DEPLOYMENT_TARGET={MACOS_MIN_VERSION}"]
        if machine == "arm64":
            args.append(f"-DGGML_CPU_ARM_ARCH={APPLE_ARM_ARCH}")
        return Flavor(name, tuple(args), has_cpu_variants=False)

    args = list(_COMMON)
    variants = _is_x86_64(machine)
    if variants:
        args += [*_DYNAMIC_CPU, f"-DCMAKE_PROJECT_INCLUDE={VARIANTS_CMAKE.as_posix()}"]
    if name == "cuda":
        args += ["-DGGML_CUDA=ON", f"-DCMAKE_CUDA_ARCHITECTURES={CUDA_ARCHITECTURES}"]
        if system.startswith("linux"):
            # libggml-cuda.so must not export the libstdc++ pieces it links
            # statically: a process that loaded libstdc++ first (numpy) would bind
            # llama.cpp's C++ calls to them and crash (docs/gpu.md).
            args.append(f"-DCMAKE_SHARED_LINKER_FLAGS={HIDE_STATIC_SYMBOLS}")
    return Flavor(name, tuple(args), has_cpu_variants=variants)


def default_flavor(system: str | None = None) -> str:
    """The flavor of the default download: Metal on macOS, CPU elsewhere."""
    return "metal" if (system or sys.platform) == "darwin" else "cpu"
