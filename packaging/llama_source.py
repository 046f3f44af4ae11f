"""Prepare llama-cpp-python's source tree for the portable CPU build.

llama.cpp's GGML_CPU_ALL_VARIANTS compiles its CPU code 14 times on x86-64
(one module per CPU generation). Most of those differ only for server chips
and cost minutes each on a small build machine, so the portable build keeps a
short list that still covers every x86-64 CPU: a baseline that runs anywhere,
then SSE4.2, AVX, AVX2 (almost every PC since 2013) and AVX-512. A CPU whose
exact generation is missing gets the best listed level below it.

Stdlib only; the edit is a plain, checked text change of one CMake file.
"""

from __future__ import annotations

import re
import shutil
import tarfile
from pathlib import Path

GGML_SRC_CMAKE = Path("vendor/llama.cpp/ggml/src/CMakeLists.txt")
_VARIANT_CALL = re.compile(r"^(\s*)ggml_add_cpu_backend_variant\((\w+)\b.*$")


class SourceEditError(RuntimeError):
    """The llama.cpp source does not look the way this edit expects."""


def limit_x86_variants(cmake_text: str, keep: tuple[str, ...]) -> str:
    """Comment out the x86 CPU variants of ggml's CMakeLists that are not in `keep`.

    Only calls inside the ``GGML_SYSTEM_ARCH STREQUAL "x86"`` block change;
    ARM, PowerPC and others stay as they are.

    Args:
        cmake_text: the text of vendor/llama.cpp/ggml/src/CMakeLists.txt.
        keep: variant tags to build.

    Returns:
        The edited text.

    Raises:
        SourceEditError: the x86 block or one of the kept variants is missing.
    """
    lines = cmake_text.splitlines(keepends=True)
    in_x86 = False
    seen: set[str] = set()
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        if 'GGML_SYSTEM_ARCH STREQUAL "x86"' in stripped and stripped.startswith("if"):
            in_x86 = True
        elif in_x86 and stripped.startswith(("elseif", "else(", "endif")) and (
            "GGML_SYSTEM_ARCH" in stripped or stripped.startswith("else(")
        ):
            in_x86 = False
        match = _VARIANT_CALL.match(line) if in_x86 else None
        if match:
            tag = match.group(2)
            seen.add(tag)
            if tag not in keep:
                line = f"{match.group(1)}# ponder: not built: {line.lstrip()}"
        out.append(line)
    missing = [tag for tag in keep if tag not in seen]
    if not seen:
        raise SourceEditError("no x86 CPU variants found in ggml/src/CMakeLists.txt")
    if missing:
        raise SourceEditError(f"x86 CPU variants not found: {', '.join(missing)}")
    return "".join(out)


def unpack_sdist(sdist: Path, dest: Path) -> Path:
    """Unpack a llama-cpp-python sdist into `dest` (replacing it); return the tree."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    with tarfile.open(sdist) as archive:
        archive.extractall(dest, filter="data")
    roots = [p for p in dest.iterdir() if p.is_dir()]
    if len(roots) != 1:
        raise SourceEditError(f"{sdist.name} does not hold exactly one top folder")
    return roots[0]


def prepare_portable_tree(sdist: Path, dest: Path, keep: tuple[str, ...]) -> Path:
    """Unpack `sdist` and limit its x86 CPU variants to `keep`; return the source tree."""
    tree = unpack_sdist(sdist, dest)
    cmake_file = tree / GGML_SRC_CMAKE
    cmake_file.write_text(limit_x86_variants(cmake_file.read_text(), keep))
    return tree
