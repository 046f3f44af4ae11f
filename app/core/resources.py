"""Find the read-only files that ship with Ponder (catalog, icons, themes).

In a source checkout they live in the repository's top-level ``resources/``
folder; in a PyInstaller build the spec copies that folder to
``<bundle>/resources`` and ``sys._MEIPASS`` points at the bundle. Setting
``PONDER_RESOURCES`` overrides both (tests, unusual installs).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from app.core.errors import PonderError

RESOURCES_ENV = "PONDER_RESOURCES"


class ResourceError(PonderError):
    """A file that ships with Ponder is missing: the installation is damaged."""


def resources_dir() -> Path:
    """The folder that holds Ponder's shipped resources.

    Returns:
        The override from ``PONDER_RESOURCES``, the frozen bundle's
        ``resources`` folder, or the repository's ``resources`` folder.
    """
    override = os.environ.get(RESOURCES_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and isinstance(bundle, str):
        return Path(bundle) / "resources"
    # app/core/resources.py -> repository root is two levels above app/
    return Path(__file__).resolve().parent.parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """The path of one shipped resource, checked to exist.

    Args:
        *parts: path components below the resources folder, e.g. ``"models.json"``.

    Raises:
        ResourceError: the file is not there (a damaged or partial install).
    """
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise ResourceError(
            f"Ponder's file {'/'.join(parts)} is missing from {path.parent}. "
            "Reinstall Ponder to restore it."
        )
    return path
