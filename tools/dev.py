"""One entry point for developers, on Windows, macOS and Linux.

    python tools/dev.py run [ARGS...]    start Ponder (ARGS go to `ponder`)
    python tools/dev.py test [ARGS...]   lint, type-check, then pytest (ARGS go to pytest)
    python tools/dev.py lint             ruff, mypy, the import rules and the
                                         duplicate-code check only
    python tools/dev.py env              only create/update the environment

The first call creates `.venv` next to this repository's pyproject.toml with
the Python that runs this script and installs Ponder with its test extra.
Later calls reinstall only when pyproject.toml changed. Uses only the stdlib.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("PONDER_VENV", ROOT / ".venv"))
STAMP = VENV / ".ponder-installed"


def _venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _wanted_stamp() -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def _run(cmd: list[str | Path], **kwargs: object) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, **kwargs)  # type: ignore[call-overload]


def ensure_env() -> Path:
    """Create or update the virtual environment; return its python."""
    if sys.version_info < (3, 10):
        sys.exit(f"Ponder needs Python 3.10 or newer; this is {sys.version.split()[0]}.")
    py = _venv_python()
    if not py.exists():
        print(f"Creating a virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=False).create(VENV)
    if STAMP.exists() and STAMP.read_text().strip() == _wanted_stamp():
        return py
    print("Installing Ponder and its test tools (the first time builds llama.cpp:"
          " several minutes) ...", flush=True)
    env = dict(os.environ)
    # A set SOURCE_DATE_EPOCH makes llama.cpp's build drop SIMD (5x slower decode).
    env.pop("SOURCE_DATE_EPOCH", None)
    env.setdefault("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 2))
    if _run([py, "-m", "pip", "install", "--upgrade", "pip"], env=env) != 0:
        sys.exit("pip could not be upgraded; see the output above.")
    if _run([py, "-m", "pip", "install", "-e", ".[test]"], env=env) != 0:
        sys.exit("Installing Ponder failed; see the output above.")
    STAMP.write_text(_wanted_stamp())
    return py


def lint(py: Path) -> int:
    """ruff, mypy, the import rules and copied code; a non-zero code on problems."""
    for cmd in (
        [py, "-m", "ruff", "check", "app", "tests", "bench", "tools", "packaging"],
        [py, "-m", "mypy"],
        [py, "tools/check_imports.py"],
        [py, "tools/check_duplicates.py"],
    ):
        rc = _run(list(cmd))
        if rc != 0:
            return rc
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "lint", "env"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    py = ensure_env()
    if command == "env":
        return 0
    if command == "run":
        return _run([py, "-m", "app", *rest])
    if command == "lint":
        return lint(py)
    rc = lint(py)
    if rc != 0:
        return rc
    return _run([py, "-m", "pytest", *rest])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
