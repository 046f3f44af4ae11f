"""The models folder's use cases: import a GGUF, download a catalog file, the default model.

`ponder import`, `ponder download`, the wizard and the Models page all go
through here, so the rule for the default model is written once: a verified
download or an import becomes the default when there is none yet (or when
the user asks), and the demo model never becomes it by itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from app.models.catalog import Catalog
from app.models.download import (
    Downloader,
    DownloadProgress,
    DownloadResult,
    DownloadStatus,
    RemoteFile,
)
from app.models.importer import ImportMode, import_gguf
from app.models.installed import InstalledModel, get_default_model, set_default_model

ProgressCallback = Callable[[int, int], None]
"""Told (bytes done, bytes in all) while a file is hashed or copied."""


def make_default_if_none(models_dir: Path, path: Path, *, force: bool = False) -> bool:
    """Make `path` the default model when there is none (or with `force`); True if it did."""
    if force or get_default_model(models_dir) is None:
        set_default_model(models_dir, path)
        return True
    return False


def import_model(
    source: Path,
    models_dir: Path,
    *,
    catalog: Catalog | None,
    mode: ImportMode = ImportMode.COPY,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    make_default: bool = False,
    is_demo: bool = False,
) -> InstalledModel:
    """Import a GGUF into the models folder (checked, recognised by its bytes).

    It becomes the default when there is none (or `make_default`), unless it
    is the demo model, which is never the default by itself.

    Raises:
        PonderError: the file is broken, the copy failed, or it was cancelled.
    """
    model = import_gguf(source, models_dir, mode=mode, catalog=catalog, progress=progress,
                        cancel=cancel)
    if make_default or not is_demo:
        make_default_if_none(models_dir, model.path, force=make_default)
    return model


def download_model(
    downloader: Downloader,
    remote: RemoteFile,
    target: Path,
    report: Callable[[DownloadProgress], None],
    *,
    cancel: threading.Event | None = None,
    pause: threading.Event | None = None,
) -> DownloadResult:
    """Download and verify a file; a verified download becomes the default when there is none.

    Raises:
        PonderError: the download failed (the partial file is kept for resume).
    """
    result = downloader.download(remote, target, report, cancel=cancel, pause=pause)
    if result.status is DownloadStatus.COMPLETED:
        make_default_if_none(target.parent, target)
    return result
