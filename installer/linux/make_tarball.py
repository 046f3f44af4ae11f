"""Make the portable Linux archive: ponder-<version>-linux-<arch>.tar.gz.

It unpacks to one folder, ``ponder-<version>/``, holding the PyInstaller app,
the desktop entry and the icon; ``./ponder`` inside it starts the app, no
installation needed. Stdlib only.
"""

from __future__ import annotations

import io
import platform
import tarfile
from pathlib import Path

from linux.make_deb import DESKTOP_ENTRY, ICON_SVG


def build_tarball(app_dir: Path, version: str, out_dir: Path, suffix: str = "") -> Path:
    """Pack the PyInstaller folder `app_dir` into a .tar.gz in `out_dir`; return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    top = f"ponder-{version}"
    archive = out_dir / f"ponder-{version}-linux-{platform.machine()}{suffix}.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(app_dir, arcname=top)
        desktop = DESKTOP_ENTRY.replace("Exec=ponder %F", "Exec=./ponder %F")
        info = tarfile.TarInfo(f"{top}/ponder.desktop")
        data = desktop.encode("utf-8")
        info.size = len(data)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(data))
        tar.add(ICON_SVG, arcname=f"{top}/ponder.svg")
    return archive
