"""Probe the CPU: cores and the SIMD features llama.cpp's kernels depend on.

Linux reads /proc/cpuinfo, macOS asks sysctl, Windows asks the kernel's
IsProcessorFeaturePresent. Every probe falls back to a safe answer (no
features, cores from os.cpu_count) instead of failing.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections.abc import Iterable

from app.core.errors import PonderError
from app.hardware.types import CpuInfo

# SIMD names as Linux /proc/cpuinfo spells them -> our names.
_LINUX_FLAGS = {
    "avx": "avx",
    "avx2": "avx2",
    "avx512f": "avx512f",
    "avx512_vnni": "avx512_vnni",
    "avx512vnni": "avx512_vnni",
    "avx_vnni": "avx_vnni",
    "fma": "fma",
    "f16c": "f16c",
    "sse4_2": "sse4_2",
    # ARM (Features: line)
    "asimd": "neon",
    "neon": "neon",
    "asimddp": "dotprod",
    "i8mm": "i8mm",
    "sve": "sve",
}

# macOS sysctl keys -> our names (absent keys mean "no").
_MAC_SYSCTL = {
    "hw.optional.avx1_0": "avx",
    "hw.optional.avx2_0": "avx2",
    "hw.optional.avx512f": "avx512f",
    "hw.optional.fma": "fma",
    "hw.optional.neon": "neon",
    "hw.optional.arm.FEAT_DotProd": "dotprod",
    "hw.optional.arm.FEAT_I8MM": "i8mm",
}

# Windows PF_* constants for IsProcessorFeaturePresent -> our names.
_WINDOWS_PF = {
    39: "avx",  # PF_AVX_INSTRUCTIONS_AVAILABLE
    40: "avx2",  # PF_AVX2_INSTRUCTIONS_AVAILABLE
    41: "avx512f",  # PF_AVX512F_INSTRUCTIONS_AVAILABLE
    19: "neon",  # PF_ARM_NEON_INSTRUCTIONS_AVAILABLE
    43: "dotprod",  # PF_ARM_V82_DP_INSTRUCTIONS_AVAILABLE
}


def normalize_arch(machine: str) -> str:
    """Map the OS's machine name to "x86_64", "arm64" or itself (lower case)."""
    m = machine.lower()
    if m in {"x86_64", "amd64", "x64"}:
        return "x86_64"
    if m in {"arm64", "aarch64", "armv8", "armv8l"}:
        return "arm64"
    return m


def parse_proc_cpuinfo(text: str) -> tuple[str, frozenset[str], int | None]:
    """Read the brand, SIMD features and physical core count from /proc/cpuinfo text.

    Args:
        text: the file's contents (x86 or ARM layout).

    Returns:
        (brand, features, physical cores or None when the file does not say).
    """
    brand = ""
    flags: set[str] = set()
    cores_per_package: dict[str, int] = {}
    physical_id = "0"
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key = key.strip().lower()
        value = value.strip()
        if key in {"model name", "hardware"} and not brand:
            brand = value
        elif key in {"flags", "features"}:
            flags.update(value.lower().split())
        elif key == "physical id":
            physical_id = value
        elif key == "cpu cores" and value.isdigit():
            cores_per_package[physical_id] = int(value)
    features = frozenset(_LINUX_FLAGS[f] for f in flags if f in _LINUX_FLAGS)
    physical = sum(cores_per_package.values()) or None
    return brand, features, physical


def _sysctl(name: str) -> str | None:
    try:
        out = subprocess.run(
            ["sysctl", "-n", name], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = out.stdout.strip()
    return value if out.returncode == 0 and value else None


def _probe_macos() -> tuple[str, frozenset[str], int | None]:
    brand = _sysctl("machdep.cpu.brand_string") or ""
    features = {ours for key, ours in _MAC_SYSCTL.items() if _sysctl(key) == "1"}
    if _sysctl("hw.optional.arm64") == "1":
        features.add("neon")  # every Apple Silicon core has NEON
    cores = _sysctl("hw.physicalcpu")
    return brand, frozenset(features), int(cores) if cores and cores.isdigit() else None


def _probe_windows() -> tuple[str, frozenset[str], int | None]:
    features: set[str] = set()
    try:
        import ctypes

        kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined,unused-ignore]
        for pf, ours in _WINDOWS_PF.items():
            if kernel32.IsProcessorFeaturePresent(pf):
                features.add(ours)
    except (OSError, AttributeError):
        pass
    # AVX2 CPUs all have FMA and F16C; Windows has no PF_ flag for them.
    if "avx2" in features:
        features.update({"fma", "f16c"})
    return platform.processor(), frozenset(features), None


def _physical_cores_psutil() -> int | None:
    try:
        import psutil
    except ImportError:
        return None
    try:
        count = psutil.cpu_count(logical=False)
    except Exception:  # psutil raises assorted errors on odd systems
        return None
    return int(count) if count else None


def probe_cpu() -> CpuInfo:
    """Probe this machine's CPU; never raises.

    Returns:
        The CPU's arch, brand, core counts and SIMD features (empty when the
        OS would not say).
    """
    arch = normalize_arch(platform.machine())
    logical = os.cpu_count() or 1
    brand, features, physical = "", frozenset[str](), None
    try:
        if sys.platform.startswith("linux"):
            with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
                brand, features, physical = parse_proc_cpuinfo(fh.read())
        elif sys.platform == "darwin":
            brand, features, physical = _probe_macos()
            if _sysctl("hw.optional.arm64") == "1":
                arch = "arm64"  # also true under Rosetta, where machine() says x86_64
        elif sys.platform == "win32":
            brand, features, physical = _probe_windows()
    except (OSError, ValueError, PonderError):
        pass
    physical = _physical_cores_psutil() or physical or logical
    physical = max(1, min(physical, logical))
    return CpuInfo(
        arch=arch,
        brand=brand or platform.processor(),
        physical_cores=physical,
        logical_cores=max(logical, physical),
        features=features,
    )


def describe_features(features: Iterable[str]) -> str:
    """A short list of the SIMD features that matter most, e.g. "AVX2, FMA"."""
    order = ["avx512f", "avx2", "avx", "fma", "f16c", "neon", "dotprod", "i8mm", "sve"]
    names = {"avx512f": "AVX-512", "dotprod": "DotProd", "i8mm": "I8MM", "neon": "NEON"}
    found = set(features)
    shown = [names.get(f, f.upper()) for f in order if f in found]
    return ", ".join(shown) if shown else "none detected"
