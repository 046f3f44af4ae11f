"""Where Ponder keeps its files on each operating system.

The per-user folders come from platformdirs (appname "Ponder"). Setting the
environment variable ``PONDER_HOME`` puts everything under that one folder
instead, which tests and portable installs use. Functions only compute paths;
callers create folders when they write (``ensure_dir`` helps).

Layout under ``PONDER_HOME``::

    data/ponder.sqlite3   db_path()
    data/                 data_dir()
    config/               config_dir()   settings.json
    models/               models_dir()
    logs/                 logs_dir()
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from platformdirs import PlatformDirs

APP_NAME = "Ponder"
HOME_ENV = "PONDER_HOME"
DB_FILENAME = "ponder.sqlite3"


def _home() -> Path | None:
    """The PONDER_HOME override, if set to a non-empty value."""
    value = os.environ.get(HOME_ENV, "").strip()
    return Path(value).expanduser() if value else None


def _platform_dirs() -> PlatformDirs:
    # Imported lazily: core stays importable with the stdlib alone.
    import platformdirs

    return platformdirs.PlatformDirs(appname=APP_NAME, appauthor=False, roaming=False)


def data_dir() -> Path:
    """Folder for the chat database and other app data."""
    home = _home()
    if home is not None:
        return home / "data"
    return Path(_platform_dirs().user_data_dir)


def config_dir() -> Path:
    """Folder for settings.json."""
    home = _home()
    if home is not None:
        return home / "config"
    return Path(_platform_dirs().user_config_dir)


def models_dir() -> Path:
    """Folder where downloaded and imported GGUF models live."""
    home = _home()
    if home is not None:
        return home / "models"
    return data_dir() / "models"


def logs_dir() -> Path:
    """Folder for log files."""
    home = _home()
    if home is not None:
        return home / "logs"
    return Path(_platform_dirs().user_log_dir)


def db_path() -> Path:
    """The SQLite file that holds conversations and messages."""
    return data_dir() / DB_FILENAME


def ensure_dir(path: Path) -> Path:
    """Create `path` (and parents) if missing; return it."""
    path.mkdir(parents=True, exist_ok=True)
    return path


def folder_write_problem(folder: Path, what: str) -> str | None:
    """Why Ponder cannot write into `folder` (created if missing), or None when it can.

    Writes and deletes a small probe file: permission bits and ACLs differ by
    system, and a read-only mount says so only when written to.

    Args:
        folder: the folder to check.
        what: what it holds, for the message ("chat database", "models").

    Returns:
        A sentence for the user with the next step, or None.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return (
            f"Ponder cannot create the folder for its {what} ({folder}: "
            f"{exc.strerror or exc}). Check that the folder is writable, or set "
            f"{HOME_ENV} to a writable folder."
        )
    probe = folder / f".ponder-write-probe-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        os.close(fd)
        os.unlink(probe)
    except FileExistsError:
        with contextlib.suppress(OSError):
            os.unlink(probe)
    except OSError as exc:
        return (
            f"Ponder cannot write to the folder that holds its {what} ({folder}: "
            f"{exc.strerror or exc}). Make the folder writable (or free the drive if it is "
            f"read-only), or set {HOME_ENV} to a writable folder."
        )
    return None
