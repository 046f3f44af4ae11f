"""Which DLLs llama.cpp's Windows libraries need, and whether the bundle has them.

An MSVC build of ggml imports the Visual C++ runtime (``msvcp140.dll``,
``vcruntime140*.dll`` and, with OpenMP, ``vcomp140.dll``); the CUDA build
also imports ``cudart64_*.dll`` and cuBLAS. None of them is part of Windows:
on a PC without the VC++ redistributable every backend fails to load. The
spec therefore copies them next to the backends in ``llama_cpp/lib``
(:func:`runtime_to_ship`), and the release workflow checks the finished
bundle (:func:`missing_imports`, run by ``check_bundle.py``).

The import tables are read from the PE files directly, so this runs (and is
tested) on any OS. Stdlib only.
"""

from __future__ import annotations

import fnmatch
import struct
from collections.abc import Iterable
from pathlib import Path

# DLLs a program must carry itself: the VC++ runtime and the CUDA libraries.
SHIPPED_PATTERNS = (
    "msvcp140*.dll", "vcruntime140*.dll", "vcomp140*.dll", "concrt140.dll",
    "cudart64_*.dll", "cublas64_*.dll", "cublaslt64_*.dll",
)
# Parts of every Windows 10/11 install (the Universal CRT included) and the
# NVIDIA driver's own nvcuda.dll, which comes with the driver, never with apps.
SYSTEM_PATTERNS = ("api-ms-win-*.dll", "ext-ms-*.dll", "ucrtbase.dll", "nvcuda.dll")
SYSTEM_DLLS = frozenset({
    "advapi32.dll", "bcrypt.dll", "cfgmgr32.dll", "comctl32.dll", "comdlg32.dll",
    "crypt32.dll", "d3d11.dll", "d3d12.dll", "dbghelp.dll", "dwmapi.dll",
    "dxgi.dll", "gdi32.dll", "imm32.dll", "iphlpapi.dll", "kernel32.dll", "mpr.dll",
    "msvcrt.dll", "netapi32.dll", "ntdll.dll", "ole32.dll", "oleaut32.dll", "opengl32.dll",
    "powrprof.dll", "psapi.dll", "rpcrt4.dll", "secur32.dll", "setupapi.dll", "shell32.dll",
    "shlwapi.dll", "user32.dll", "userenv.dll", "uxtheme.dll", "version.dll", "winmm.dll",
    "ws2_32.dll", "wtsapi32.dll",
})


class PEError(ValueError):
    """The file is not a PE (Windows executable or DLL) this reader understands."""


def dll_imports(path: Path) -> list[str]:
    """The DLL names a PE file imports (normal and delay-loaded), in table order.

    Raises:
        PEError: `path` is not a valid PE file.
    """
    data = path.read_bytes()
    try:
        return _imports(data)
    except (struct.error, IndexError, ValueError, UnicodeDecodeError) as exc:
        raise PEError(f"{path.name}: not a readable PE file ({exc})") from exc


def _imports(data: bytes) -> list[str]:
    if data[:2] != b"MZ":
        raise PEError("no MZ header")
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    if data[pe:pe + 4] != b"PE\0\0":
        raise PEError("no PE signature")
    n_sections, opt_size = struct.unpack_from("<H", data, pe + 6)[0], struct.unpack_from(
        "<H", data, pe + 20)[0]
    opt = pe + 24
    magic = struct.unpack_from("<H", data, opt)[0]
    if magic not in (0x10B, 0x20B):
        raise PEError(f"unknown optional header magic {magic:#x}")
    dirs = opt + (96 if magic == 0x10B else 112)
    n_dirs = struct.unpack_from("<I", data, dirs - 4)[0]
    sections = [struct.unpack_from("<IIII", data, opt + opt_size + 40 * i + 8)
                for i in range(n_sections)]

    def offset(rva: int) -> int:
        for vsize, vaddr, raw_size, raw_ptr in sections:
            if vaddr <= rva < vaddr + max(vsize, raw_size):
                return raw_ptr + rva - vaddr
        raise PEError(f"RVA {rva:#x} is in no section")

    def name_at(rva: int) -> str:
        start = offset(rva)
        return data[start:data.index(b"\0", start)].decode("ascii")

    names: list[str] = []
    # (directory index, descriptor size, index of the name RVA in the descriptor)
    for index, size, name_field in ((1, 20, 3), (13, 32, 1)):
        if n_dirs <= index:
            continue
        rva = struct.unpack_from("<I", data, dirs + 8 * index)[0]
        if not rva:
            continue
        pos = offset(rva)
        while True:
            fields = struct.unpack_from(f"<{size // 4}I", data, pos)
            if not any(fields) or not fields[name_field]:
                break
            names.append(name_at(fields[name_field]))
            pos += size
    return names


def _matches(name: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(name.lower(), p) for p in patterns)


def must_ship(name: str) -> bool:
    """Whether a DLL must travel with the app (VC++ runtime, CUDA libraries)."""
    return _matches(name, SHIPPED_PATTERNS)


def is_system(name: str) -> bool:
    """Whether every Windows 10/11 PC (with an NVIDIA driver for nvcuda) has `name`."""
    return name.lower() in SYSTEM_DLLS or _matches(name, SYSTEM_PATTERNS)


def runtime_to_ship(dlls: Iterable[Path], search_dirs: Iterable[Path]) -> list[Path]:
    """The runtime DLLs (and what they import in turn) that `dlls` need.

    Args:
        dlls: llama.cpp's DLLs as the build produced them.
        search_dirs: where to look for runtime DLLs on the build machine, in
            order (the DLLs' own folder, Python's, CUDA's bin, System32).

    Returns:
        The files to copy next to the backends, one per DLL name.

    Raises:
        FileNotFoundError: a DLL that must ship is in none of `search_dirs`.
    """
    dirs = [d for d in search_dirs if d.is_dir()]
    present = {p.name.lower() for p in dlls}
    todo = list(dlls)
    found: dict[str, Path] = {}
    while todo:
        for name in dll_imports(todo.pop()):
            key = name.lower()
            if key in present or key in found or not must_ship(name):
                continue
            source = next((d / name for d in dirs if (d / name).is_file()), None)
            if source is None:
                where = ", ".join(str(d) for d in dirs) or "no folder"
                raise FileNotFoundError(f"{name} (needed by llama.cpp) is in none of: {where}")
            found[key] = source
            todo.append(source)
    return sorted(found.values(), key=lambda p: p.name.lower())


def missing_imports(lib_dir: Path) -> dict[str, list[str]]:
    """DLL imports of `lib_dir`'s DLLs that neither the folder nor Windows provide.

    Returns:
        {DLL file name: [missing imports]}; empty when the folder is complete.
    """
    present = {p.name.lower() for p in lib_dir.glob("*.dll")}
    problems: dict[str, list[str]] = {}
    for dll in sorted(lib_dir.glob("*.dll")):
        lacking = [n for n in dll_imports(dll)
                   if n.lower() not in present and (must_ship(n) or not is_system(n))]
        if lacking:
            problems[dll.name] = lacking
    return problems
