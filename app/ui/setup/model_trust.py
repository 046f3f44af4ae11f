"""What the Models page says about each file's bytes, and the off-thread hashing behind it.

app.models.installed gives each model a Trust (catalog, another uploader's
build, verified by the hub at download, flagged, not verified, not checked
yet) and an English sentence. The page shows a short translated word with the
sentence as tooltip; a file with a catalog file's name but other bytes is
flagged. Files not checked yet are hashed on a worker thread (1-2 GB take
seconds) and the digests cached by size and modification time, so this
happens once per file, not on every start.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from app.models.hashing import HashCache, HashCancelled
from app.models.installed import InstalledModel
from app.models.trust import Trust
from app.ui.threads.model_tasks import Report, TaskFn

translate = QCoreApplication.translate


def trust_text(model: InstalledModel, *, is_checking: bool = False) -> str:
    """A few words for the Trust column."""
    if model.trust is Trust.UNCHECKED and is_checking:
        return translate("ModelTrust", "Checking…")
    texts = {
        Trust.CATALOG: translate("ModelTrust", "Verified (catalog)"),
        Trust.OTHER_BUILD: translate("ModelTrust", "Known build"),
        Trust.HUB: translate("ModelTrust", "Verified by the hub at download"),
        Trust.MISMATCH: translate("ModelTrust", "⚠ Not the catalog's bytes"),
        Trust.UNVERIFIED: translate("ModelTrust", "Not verified against Ponder's catalog"),
        Trust.UNCHECKED: translate("ModelTrust", "Not checked yet"),
    }
    return texts[model.trust]


def trust_tooltip(model: InstalledModel) -> str:
    """The longer sentence (with the file's SHA-256 when known)."""
    if model.trust is Trust.MISMATCH:
        text = translate(
            "ModelTrust", "This file has the name of a file in Ponder's catalog but other "
            "bytes: it may be damaged or a different build. Download it again if it "
            "misbehaves.")
    else:
        text = model.trust_label
    return f"{text}\nSHA-256: {model.sha256}" if model.sha256 else text


def is_flagged(model: InstalledModel) -> bool:
    """Whether the user should be warned about this file."""
    return model.trust is Trust.MISMATCH


def unchecked(models: list[InstalledModel]) -> list[Path]:
    """Files whose bytes have not been judged yet (and that can be read)."""
    return [m.path for m in models if m.trust is Trust.UNCHECKED and not m.problem]


def hash_job(files: list[Path], cache: HashCache) -> TaskFn:
    """A job that hashes `files` into `cache` (cancellable between chunks)."""

    def job(report: Report, cancel: threading.Event) -> int:
        done = 0
        for path in files:
            if cancel.is_set():
                break
            try:
                cache.sha256(path, cancel=cancel)
            except HashCancelled:
                break
            except OSError:
                continue  # a file that vanished or cannot be read is listed as such
            done += 1
            report(path)
        return done

    return job
