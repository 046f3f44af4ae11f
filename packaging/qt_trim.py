"""Which of PySide6's Qt plugins and translations the frozen app leaves out.

PySide6 keeps Qt's files under ``PySide6/Qt/plugins`` and
``PySide6/Qt/translations`` on Linux and macOS, but directly under
``PySide6/plugins`` and ``PySide6/translations`` on Windows; the patterns
here accept both layouts. ``ponder.spec`` filters PyInstaller's TOC with
:func:`is_unwanted`; ``check_bundle.py`` uses :func:`unwanted_files` to
prove that a finished bundle really lost them. Stdlib only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

# Platform plugins worth shipping: the desktop ones plus offscreen (self-test).
KEEP_PLATFORMS = ("qxcb", "qwayland", "qoffscreen", "qminimal", "qwindows", "qcocoa")
DROP_PLUGIN_DIRS = ("egldeviceintegrations", "qmltooling", "designer", "sqldrivers",
                    "networkinformation", "tls", "printsupport", "generic")
# The GTK3 theme plugin drags in cairo, pixman and needs GTK itself; Qt's own
# Fusion style plus the xdg portal theme serve every desktop.
DROP_PLUGINS = ("qgtk3",)

_PLUGIN = re.compile(r"(?:^|/)PySide6/(?:Qt/)?plugins/(?P<kind>[^/]+)/(?P<name>[^/]+)$")
_TRANSLATION = re.compile(r"(?:^|/)PySide6/(?:Qt/)?translations/(?P<name>[^/]+)$")


def is_unwanted(dest: str, languages: Iterable[str]) -> bool:
    """Whether a bundle path (either separator) is a Qt file the app never uses.

    Args:
        dest: the file's path inside the bundle, e.g.
            ``PySide6/plugins/platforms/qwindows.dll``.
        languages: the languages Ponder ships; Qt's ``qtbase_<lang>.qm`` of
            those stay, every other Qt translation goes.
    """
    path = dest.replace("\\", "/")
    plugin = _PLUGIN.search(path)
    if plugin:
        kind, name = plugin["kind"], plugin["name"]
        if kind == "platforms":
            return not any(keep in name for keep in KEEP_PLATFORMS)
        return kind in DROP_PLUGIN_DIRS or any(drop in name for drop in DROP_PLUGINS)
    translation = _TRANSLATION.search(path)
    if translation:
        return translation["name"] not in {f"qtbase_{lang}.qm" for lang in languages}
    return False


def shipped_languages(i18n_dir: Path) -> tuple[str, ...]:
    """The languages of ``resources/i18n/ponder_<lang>.qm``."""
    return tuple(sorted(p.stem.removeprefix("ponder_") for p in i18n_dir.glob("ponder_*.qm")))


def unwanted_files(bundle: Path, languages: Iterable[str]) -> list[str]:
    """Files inside a finished bundle that the trimming should have removed."""
    langs = tuple(languages)
    found = []
    for path in bundle.rglob("*"):
        rel = path.relative_to(bundle).as_posix()
        if path.is_file() and is_unwanted(rel, langs):
            found.append(rel)
    return sorted(found)
