"""Build (once) and cache the llama-cpp-python wheel of one flavor.

The wheel is compiled from the source package with the flavor's CMAKE_ARGS
and kept in ``build/wheels/<flavor>-<key>/``; the key changes whenever the
options, the version or the platform change, so a cached wheel is never a
stale or native one. pip's own wheel cache is bypassed (``--no-cache-dir``):
it may hold a ``-march=native`` wheel from a developer install.

SOURCE_DATE_EPOCH is removed from the compile's environment: when it is set,
llama.cpp's build silently drops SIMD (5x slower decode). Stdlib only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from llama_flavors import KEPT_X86_VARIANTS, LLAMA_REQUIREMENT, Flavor
from llama_source import prepare_portable_tree


class WheelBuildError(RuntimeError):
    """The llama-cpp-python wheel could not be built."""


def build_env(flavor: Flavor, base: Mapping[str, str] | None = None,
              jobs: int | None = None) -> dict[str, str]:
    """The environment for compiling llama.cpp with `flavor`.

    Args:
        flavor: the compile options.
        base: the environment to start from (default: this process's).
        jobs: parallel compile jobs (default: all CPUs).
    """
    env = dict(os.environ if base is None else base)
    env.pop("SOURCE_DATE_EPOCH", None)
    env["CMAKE_ARGS"] = flavor.cmake_args_string()
    env["FORCE_CMAKE"] = "1"
    env["CMAKE_BUILD_PARALLEL_LEVEL"] = str(jobs or os.cpu_count() or 2)
    return env


def cached_wheel(wheel_dir: Path) -> Path | None:
    """The one wheel in `wheel_dir`, if a finished build left it there."""
    wheels = sorted(wheel_dir.glob("llama_cpp_python-*.whl"))
    return wheels[-1] if wheels and (wheel_dir / "complete").exists() else None


def _run(cmd: list[str], env: Mapping[str, str] | None = None, log: Path | None = None) -> None:
    print("+", " ".join(cmd), flush=True)
    if log is None:
        rc = subprocess.call(cmd, env=env)
    else:
        with log.open("w") as out:
            rc = subprocess.call(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    if rc != 0:
        where = f"; see {log}" if log else ""
        raise WheelBuildError(f"command failed with exit code {rc}: {cmd[0]} ...{where}")


def fetch_sdist(python: Path, dest: Path, requirement: str = LLAMA_REQUIREMENT) -> Path:
    """Download the source package of `requirement` into `dest` (once)."""
    found = sorted(dest.glob("llama_cpp_python-*.tar.gz"))
    if found:
        return found[-1]
    dest.mkdir(parents=True, exist_ok=True)
    _run([str(python), "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
          "--no-cache-dir", "-d", str(dest), requirement])
    found = sorted(dest.glob("llama_cpp_python-*.tar.gz"))
    if not found:
        raise WheelBuildError(f"pip left no source package of {requirement} in {dest}")
    return found[-1]


def ensure_wheel(python: Path, flavor: Flavor, sdist: Path, build_dir: Path,
                 nice: bool = False, jobs: int | None = None) -> Path:
    """Return the cached wheel of `flavor`, compiling it first if needed.

    Args:
        python: the interpreter whose pip builds the wheel.
        flavor: compile options.
        sdist: llama-cpp-python's source package (.tar.gz).
        build_dir: the repository's build/ folder.
        nice: compile at low priority (POSIX), to leave CPU for others.
        jobs: parallel compile jobs.

    Raises:
        WheelBuildError: the compile failed (the log path is in the message).
    """
    wheel_dir = build_dir / "wheels" / flavor.cache_key()
    found = cached_wheel(wheel_dir)
    if found:
        print(f"llama-cpp-python: reusing {found}", flush=True)
        return found
    wheel_dir.mkdir(parents=True, exist_ok=True)
    source: Path = sdist
    if flavor.has_cpu_variants:
        source = prepare_portable_tree(sdist, build_dir / "llama-src" / flavor.name,
                                       KEPT_X86_VARIANTS)
    cmd = [str(python), "-m", "pip", "wheel", "--no-deps", "--no-cache-dir", "-v",
           "-w", str(wheel_dir), str(source)]
    if nice and sys.platform != "win32":
        cmd = ["nice", "-n", "10", *cmd]
    log = wheel_dir / "build.log"
    print(f"llama-cpp-python: compiling the {flavor.name} flavor "
          f"(CMAKE_ARGS={flavor.cmake_args_string()}); log: {log}", flush=True)
    _run(cmd, env=build_env(flavor, jobs=jobs), log=log)
    found = sorted(wheel_dir.glob("llama_cpp_python-*.whl"))
    if not found:
        raise WheelBuildError(f"the compile left no wheel in {wheel_dir}; see {log}")
    (wheel_dir / "complete").write_text(flavor.cmake_args_string() + "\n")
    return found[-1]


if __name__ == "__main__":
    # python packaging/llama_wheel.py PYTHON SDIST [FLAVOR]: only the wheel step.
    from llama_flavors import flavor_for

    wheel = ensure_wheel(Path(sys.argv[1]), flavor_for(sys.argv[3] if len(sys.argv) > 3 else "cpu"),
                         Path(sys.argv[2]), Path(__file__).resolve().parent.parent / "build",
                         nice=True)
    print(wheel)
