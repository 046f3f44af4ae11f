"""Build llama.cpp's own tools (llama-bench, llama-quantize) for the benchmark.

The tools come from the llama.cpp source vendored inside the sdist of the
*installed* llama-cpp-python, so the benchmark compares the engine against the
very same C code it runs on. The build mirrors the pip build: Release,
`GGML_NATIVE=ON`, no curl, and `SOURCE_DATE_EPOCH` removed from the
environment (ggml turns native SIMD off when it is set: ~5x slower decode).

Everything lands in a cache directory (default `~/.cache/ponder-bench`,
override with `PONDER_BENCH_CACHE`) and is reused on later runs.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

TARGETS = ("llama-bench", "llama-quantize")


@dataclass(frozen=True)
class LlamaTools:
    """Paths of the built llama.cpp tools.

    Attributes:
        version: the llama-cpp-python version the source came from.
        bench: the llama-bench executable.
        quantize: the llama-quantize executable.
        source: the llama.cpp source tree (vendor/llama.cpp of the sdist).
    """

    version: str
    bench: Path
    quantize: Path
    source: Path


def cache_dir() -> Path:
    """The benchmark's cache directory (created if missing)."""
    root = os.environ.get("PONDER_BENCH_CACHE")
    path = Path(root) if root else Path.home() / ".cache" / "ponder-bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def installed_version() -> str:
    """The version of the llama-cpp-python that the engine imports.

    Raises:
        SystemExit: llama-cpp-python is not installed in this environment.
    """
    try:
        return importlib.metadata.version("llama-cpp-python")
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit(
            "llama-cpp-python is not installed in this Python environment; "
            "run `pip install -e .` first (or pass --llama-version)."
        ) from None


def build_env() -> dict[str, str]:
    """The environment for compiling llama.cpp: no SOURCE_DATE_EPOCH."""
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    return env


def _log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def fetch_sdist(version: str, cache: Path, sdist: Path | None = None) -> Path:
    """Return the llama-cpp-python sdist of `version`, downloading it if absent.

    Args:
        version: the llama-cpp-python version.
        cache: where downloads are kept.
        sdist: an sdist file already on disk; used instead of downloading.
    """
    name = f"llama_cpp_python-{version}.tar.gz"
    target = cache / "sdist" / name
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if sdist is not None and sdist.exists():
        shutil.copyfile(sdist, target)
        return target
    _log(f"downloading the llama-cpp-python {version} source package ...")
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
        "--dest", str(target.parent), f"llama-cpp-python=={version}",
    ]
    subprocess.run(cmd, check=True)
    if not target.exists():
        found = sorted(target.parent.glob(f"llama_cpp_python-{version}.*"))
        if not found:
            raise SystemExit(f"pip download did not produce {name}")
        return found[0]
    return target


def unpack(sdist: Path, cache: Path, version: str) -> Path:
    """Unpack the sdist once; return its vendored llama.cpp source tree."""
    dest = cache / f"src-{version}"
    source = dest / f"llama_cpp_python-{version}" / "vendor" / "llama.cpp"
    stamp = dest / ".unpacked"
    if stamp.exists() and source.is_dir():
        return source
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    _log(f"unpacking {sdist.name} ...")
    with tarfile.open(sdist) as tar:
        tar.extractall(dest, filter="data")
    if not source.is_dir():
        raise SystemExit(f"{sdist} holds no vendor/llama.cpp")
    stamp.touch()
    return source


def _exe(build: Path, target: str) -> Path:
    suffix = ".exe" if os.name == "nt" else ""
    for candidate in (build / "bin" / f"{target}{suffix}",
                      build / "bin" / "Release" / f"{target}{suffix}"):
        if candidate.exists():
            return candidate
    return build / "bin" / f"{target}{suffix}"


def build_tools(source: Path, cache: Path, version: str, jobs: int | None = None) -> LlamaTools:
    """Configure and build only llama-bench and llama-quantize (cached).

    Args:
        source: the llama.cpp source tree.
        cache: the cache directory.
        version: the llama-cpp-python version (names the build directory).
        jobs: parallel compile jobs; defaults to the CPU count.
    """
    build = cache / f"build-{version}"
    bench, quantize = _exe(build, TARGETS[0]), _exe(build, TARGETS[1])
    if bench.exists() and quantize.exists():
        return LlamaTools(version, bench, quantize, source)
    env = build_env()
    configure = [
        "cmake", "-S", str(source), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
        "-DLLAMA_CURL=OFF", "-DGGML_NATIVE=ON", "-DLLAMA_BUILD_TESTS=OFF",
        "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_SERVER=OFF",
    ]
    if shutil.which("ninja"):
        configure += ["-G", "Ninja"]
    _log("configuring llama.cpp (GGML_NATIVE=ON, SOURCE_DATE_EPOCH unset) ...")
    subprocess.run(configure, check=True, env=env)
    _log("building llama-bench and llama-quantize (minutes on 2 cores) ...")
    subprocess.run(
        ["cmake", "--build", str(build), "--config", "Release",
         "-j", str(jobs or os.cpu_count() or 2), "--target", *TARGETS],
        check=True, env=env,
    )
    bench, quantize = _exe(build, TARGETS[0]), _exe(build, TARGETS[1])
    for exe in (bench, quantize):
        if not exe.exists():
            raise SystemExit(f"the build did not produce {exe}")
    return LlamaTools(version, bench, quantize, source)


def ensure_tools(version: str | None = None, sdist: Path | None = None) -> LlamaTools:
    """Fetch, unpack and build llama.cpp's tools for the installed version.

    Args:
        version: the llama-cpp-python version; defaults to the installed one.
        sdist: an sdist already on disk to use instead of downloading.
    """
    version = version or installed_version()
    cache = cache_dir()
    archive = fetch_sdist(version, cache, sdist)
    source = unpack(archive, cache, version)
    return build_tools(source, cache, version)


if __name__ == "__main__":
    tools = ensure_tools(sys.argv[1] if len(sys.argv) > 1 else None,
                         Path(sys.argv[2]) if len(sys.argv) > 2 else None)
    print(tools)
