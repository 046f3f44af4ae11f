"""Make a .deb of the frozen app with dpkg-deb (xz compressed).

Layout it installs::

    /opt/ponder/                                  the PyInstaller folder
    /usr/bin/ponder                               a wrapper that runs /opt/ponder/ponder
    /usr/share/applications/ponder.desktop        the menu entry
    /usr/share/icons/hicolor/scalable/apps/ponder.svg

No maintainer scripts: every file belongs to the package, so `dpkg -r ponder`
removes all of them and leaves no /opt/ponder behind. User data (chats,
models) lives in the user's home and is never touched. Stdlib only.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

INSTALLER_DIR = Path(__file__).resolve().parent.parent
ICON_SVG = INSTALLER_DIR / "assets" / "ponder.svg"
PACKAGE = "ponder"
INSTALL_DIR = "/opt/ponder"

# Libraries Qt's xcb and offscreen platforms load that the bundle does not
# carry (Debian 12 / Ubuntu 22.04 names; t64 names of Ubuntu 24.04 as options).
DEPENDS = (
    "libc6 (>= 2.31)",
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libfreetype6",
    "libglib2.0-0t64 | libglib2.0-0",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libdbus-1-3",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-image0",
    "libxcb-render-util0",
    "libxcb-randr0",
    "libxcb-shape0",
    "libxcb-xkb1",
    "fonts-dejavu-core | fonts-noto-core",
)

DESKTOP_ENTRY = """\
[Desktop Entry]
Type=Application
Name=Ponder
GenericName=Reasoning chat
Comment=Offline chat with a local reasoning model
Comment[zh_CN]=离线运行本地推理模型的聊天应用
Exec=ponder %F
Icon=ponder
Terminal=false
Categories=Education;Development;Utility;
Keywords=AI;LLM;chat;math;offline;
StartupWMClass=ponder
"""

WRAPPER = f"""\
#!/bin/sh
# Ponder is installed in {INSTALL_DIR}; this wrapper keeps it off PATH's way.
exec {INSTALL_DIR}/ponder "$@"
"""


class DebBuildError(RuntimeError):
    """dpkg-deb is missing or failed."""


def deb_architecture(machine: str | None = None) -> str:
    """Debian's name for the CPU architecture (amd64, arm64)."""
    machine = (machine or platform.machine()).lower()
    return {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        machine, machine)


def control_text(version: str, arch: str, installed_kb: int, suffix: str = "") -> str:
    """The DEBIAN/control file.

    Args:
        version: Ponder's version (a Debian version string).
        arch: Debian architecture.
        installed_kb: installed size in KiB (dpkg shows it before installing).
        suffix: "-cuda", "-offline"... appended to the description.
    """
    flavor = f" ({suffix.lstrip('-')} build)" if suffix else ""
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        "Maintainer: Ponder developers <ponder@localhost>\n"
        f"Installed-Size: {installed_kb}\n"
        f"Depends: {', '.join(DEPENDS)}\n"
        "Section: education\n"
        "Priority: optional\n"
        f"Description: Offline chat with a local reasoning model{flavor}\n"
        " Ponder runs small reasoning models such as DeepSeek-R1-Distill-Qwen-1.5B\n"
        " (GGUF) on the CPU through llama.cpp, for math tutoring and code help\n"
        " without a network connection.\n"
    )


def _tree_kb(path: Path) -> int:
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return (total + 1023) // 1024


def stage(app_dir: Path, root: Path, version: str, arch: str, suffix: str = "") -> Path:
    """Lay out the package's files under `root` (replaced); return it."""
    if root.exists():
        shutil.rmtree(root)
    opt = root / INSTALL_DIR.lstrip("/")
    shutil.copytree(app_dir, opt, symlinks=True)
    bin_dir = root / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    wrapper = bin_dir / PACKAGE
    wrapper.write_text(WRAPPER)
    apps = root / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    (apps / "ponder.desktop").write_text(DESKTOP_ENTRY, encoding="utf-8")
    icons = root / "usr" / "share" / "icons" / "hicolor" / "scalable" / "apps"
    icons.mkdir(parents=True)
    shutil.copy2(ICON_SVG, icons / "ponder.svg")
    debian = root / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(control_text(version, arch, _tree_kb(root), suffix))
    # dpkg-deb insists on sane modes: 0755 for folders and programs, 0644 else.
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir() or os.access(path, os.X_OK) or path == wrapper:
            path.chmod(0o755)
        else:
            path.chmod(0o644)
    return root


def build_deb(app_dir: Path, version: str, out_dir: Path, suffix: str = "",
              fast: bool = False, work_dir: Path | None = None) -> Path:
    """Build ``ponder_<version>_<arch><suffix>.deb`` from the PyInstaller folder.

    Args:
        app_dir: dist/ponder.
        version: Ponder's version.
        out_dir: where the .deb goes.
        suffix: flavor suffix for the file name ("-cuda", "-offline").
        fast: compress lightly (for a bundled model, which xz cannot shrink).
        work_dir: a scratch folder for the staged tree (default: a temp folder).

    Raises:
        DebBuildError: dpkg-deb is missing or failed.
    """
    dpkg_deb = shutil.which("dpkg-deb")
    if dpkg_deb is None:
        raise DebBuildError("dpkg-deb is not installed; on Debian/Ubuntu: apt-get install dpkg")
    arch = deb_architecture()
    scratch = work_dir or Path(tempfile.mkdtemp(prefix="ponder-deb-"))
    root = stage(app_dir, scratch / "root", version, arch, suffix)
    out_dir.mkdir(parents=True, exist_ok=True)
    deb = out_dir / f"{PACKAGE}_{version}_{arch}{suffix}.deb"
    level = "1" if fast else "6"
    cmd = [dpkg_deb, "--root-owner-group", "-Zxz", f"-z{level}", "--build", str(root), str(deb)]
    print("+", " ".join(cmd), flush=True)
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise DebBuildError(f"dpkg-deb failed: {result.stderr.strip()[-500:]}")
    shutil.rmtree(root)
    if work_dir is None:
        shutil.rmtree(scratch, ignore_errors=True)
    return deb
