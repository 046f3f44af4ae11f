"""Probe RAM and free disk space; never raises."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def probe_ram() -> tuple[int, int]:
    """Installed and available RAM in bytes.

    Uses psutil; without it (or when it fails) falls back to POSIX sysconf,
    and as a last resort reports 0, which the planner treats as unknown.

    Returns:
        (total bytes, available bytes).
    """
    try:
        import psutil

        vm = psutil.virtual_memory()
        return int(vm.total), int(vm.available)
    except Exception:  # ImportError or psutil's assorted platform errors
        pass
    try:
        page = os.sysconf("SC_PAGE_SIZE")
        total = page * os.sysconf("SC_PHYS_PAGES")
        avail = page * os.sysconf("SC_AVPHYS_PAGES")
        return int(total), int(avail)
    except (AttributeError, ValueError, OSError):
        return 0, 0


def existing_ancestor(path: Path) -> Path:
    """The nearest folder at or above `path` that exists (the models folder may not yet)."""
    current = path.expanduser().absolute()
    while not current.exists() and current.parent != current:
        current = current.parent
    return current


def probe_disk_free(path: Path) -> int | None:
    """Free bytes on the drive that holds `path`, or None if it cannot be read."""
    try:
        return int(shutil.disk_usage(existing_ancestor(path)).free)
    except OSError:
        return None
