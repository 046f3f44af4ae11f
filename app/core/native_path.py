"""A model path that llama.cpp can open on every system.

On Windows, llama.cpp has opened files through narrow (ANSI code page) C
calls, so a path with characters outside that code page (Chinese user
names, accented folder names) can fail to open. ``native_model_path`` hands
llama.cpp an all-ASCII path to the same bytes: the file's 8.3 short name
when the volume has them, else a hard link (or symbolic link) in an ASCII
folder. Elsewhere, and for paths that are ASCII already, the path is
returned unchanged. Stdlib only (ctypes on Windows).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

LINK_DIR_ENV = "PONDER_LINK_DIR"
LINK_SUBDIR = "Ponder model links"

ShortName = Callable[[str], "str | None"]


def is_ascii_path(path: Path | str) -> bool:
    """Whether every character of the path is ASCII."""
    return str(path).isascii()


def windows_short_name(path: str) -> str | None:
    """The 8.3 short form of an existing path via GetShortPathNameW, or None."""
    if sys.platform != "win32":  # pragma: no cover - the test injects its own
        return None
    import ctypes
    from ctypes import wintypes

    get = getattr(ctypes, "windll").kernel32.GetShortPathNameW  # noqa: B009 (Windows only)
    get.argtypes = [wintypes.LPCWSTR, wintypes.LPWSTR, wintypes.DWORD]
    get.restype = wintypes.DWORD
    needed = get(path, None, 0)
    if needed == 0:
        return None
    buffer = ctypes.create_unicode_buffer(needed)
    written = get(path, buffer, needed)
    return buffer.value if 0 < written < needed else None


def default_link_dirs() -> list[Path]:
    """Folders for ASCII links, in order: PONDER_LINK_DIR, ProgramData, the public folder."""
    found: list[Path] = []
    override = os.environ.get(LINK_DIR_ENV, "").strip()
    if override:
        found.append(Path(override))
    for var in ("ProgramData", "PUBLIC", "SystemDrive"):
        value = os.environ.get(var, "").strip()
        if value:
            base = Path(value + "\\") if var == "SystemDrive" else Path(value)
            found.append(base / LINK_SUBDIR)
    return found


def _link_name(path: Path) -> str:
    digest = hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:16]
    suffix = path.suffix if is_ascii_path(path.suffix) else ""
    return f"model-{digest}{suffix}"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _ascii_link(path: Path, folders: Sequence[Path]) -> Path | None:
    """A hard link (else a symlink) to `path` in the first usable ASCII folder."""
    for folder in folders:
        if not is_ascii_path(folder):
            continue
        link = folder / _link_name(path)
        if link.exists() and _same_file(link, path):
            return link
        try:
            folder.mkdir(parents=True, exist_ok=True)
            link.unlink(missing_ok=True)
        except OSError:
            continue
        for make in (os.link, os.symlink):
            try:
                make(path, link)
            except (OSError, NotImplementedError):
                continue
            return link
    return None


def native_model_path(
    path: Path,
    *,
    platform: str | None = None,
    short_name: ShortName = windows_short_name,
    link_dirs: Sequence[Path] | None = None,
) -> Path:
    """The path to give llama.cpp for `path` (an existing file).

    Args:
        path: the model file as the user chose it.
        platform: ``sys.platform`` (tests pass "win32").
        short_name: the 8.3 lookup (tests inject one).
        link_dirs: where ASCII links may be made (default: default_link_dirs()).

    Returns:
        `path` itself when no change is needed or none is possible; otherwise an
        all-ASCII path to the same bytes.
    """
    platform = sys.platform if platform is None else platform
    absolute = Path(os.path.abspath(path))
    if platform != "win32" or is_ascii_path(absolute):
        return path
    short = short_name(str(absolute))
    if short and is_ascii_path(short):
        return Path(short)
    link = _ascii_link(absolute, default_link_dirs() if link_dirs is None else link_dirs)
    return link if link is not None else path
