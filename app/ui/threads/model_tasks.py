"""Background work of the model setup: Qt plumbing around the services' jobs.

Each job is a plain function ``fn(report, cancel) -> result`` run by a
`TaskThread`. The function never touches a widget: it calls `report` with
progress values, which the thread turns into a signal that Qt delivers on the
GUI thread. `cancel` is a threading.Event the GUI sets directly, because a
queued slot would not run while the job is busy. Probing, planning, loading
and the first answer are app.services' (setup.py, loading.py); only the
threading lives here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from app.core.errors import PonderError
from app.hardware.probe import probe_hardware
from app.hardware.types import HardwareReport
from app.models.catalog import Catalog
from app.models.download import Downloader, DownloadResult, RemoteFile
from app.models.importer import ImportMode
from app.models.installed import InstalledModel
from app.services.library import download_model, import_model
from app.services.loading import (
    FallbackCallback,
    LoadedModel,
    ModelLoader,
    ModelSource,
    gpu_offload_supported,
)
from app.services.setup import FirstAnswer, Recommendation, first_answer, recommend
from app.store.settings import Settings

log = logging.getLogger(__name__)

Report = Callable[[object], None]
"""Hands one progress value to the GUI thread."""
TaskFn = Callable[[Report, threading.Event], object]
"""A job: gets the report callback and the cancel flag, returns its result."""


class TaskThread(QThread):
    """Runs one job off the GUI thread and reports through signals.

    Signals:
        progress(object): a value the job reported.
        succeeded(object): the job's result.
        failed(str): a message for the user (a PonderError's text, or a
            generic sentence when the job crashed; the traceback is logged).
    """

    progress = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, job: TaskFn, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._job = job
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop (it checks the flag between steps)."""
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        try:
            result = self._job(self.progress.emit, self._cancel)
        except PonderError as exc:
            log.warning("%s failed: %s", self.objectName() or "task", exc)
            self.failed.emit(str(exc))
            return
        except Exception as exc:
            log.exception("%s crashed", self.objectName() or "task")
            self.failed.emit(f"Something went wrong ({type(exc).__name__}: {exc}). "
                             "The details are in the log file; try again.")
            return
        self.succeeded.emit(result)


# ------------------------------------------------------------------ probing


def probe_job(
    models_dir: Path,
    catalog: Catalog,
    *,
    probe: Callable[[Path], HardwareReport] = probe_hardware,
    gpu_offload: Callable[[], bool] | None = None,
) -> TaskFn:
    """A job that probes the machine and plans the catalog's default model (services.setup).

    `gpu_offload` None asks llama.cpp (imported on the job's thread).
    """

    def job(_report: Report, _cancel: threading.Event) -> Recommendation:
        return recommend(models_dir, catalog, probe=probe,
                         gpu_offload=gpu_offload or gpu_offload_supported)

    return job


# ------------------------------------------------------- download and import


def download_job(downloader: Downloader, remote: RemoteFile, target: Path,
                 pause: threading.Event) -> TaskFn:
    """A job that downloads `remote` to `target`; reports DownloadProgress values.

    The task's cancel flag deletes the partial file; `pause` keeps it.
    """

    def job(report: Report, cancel: threading.Event) -> DownloadResult:
        return download_model(downloader, remote, target, report, cancel=cancel, pause=pause)

    return job


@dataclass(frozen=True)
class ImportProgress:
    """Bytes hashed or copied so far during an import."""

    done_bytes: int
    total_bytes: int


def import_job(source: Path, models_dir: Path, catalog: Catalog | None,
               mode: ImportMode = ImportMode.COPY, *, is_demo: bool = False) -> TaskFn:
    """A job that imports a local GGUF (services.library); reports ImportProgress values.

    The import becomes the default model when there is none, unless it is the demo.
    """

    def job(report: Report, cancel: threading.Event) -> InstalledModel:
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.1 or done == total:
                last[0] = now
                report(ImportProgress(done, total))

        return import_model(source, models_dir, mode=mode, catalog=catalog,
                            progress=progress, cancel=cancel, is_demo=is_demo)

    return job


# ------------------------------------------------------ first answer and speed


class TrialStage(Enum):
    """The steps of the first-answer job, in order."""

    LOADING = "loading"
    """The model file is being loaded."""
    ANSWERING = "answering"
    """The model writes its answer to the test question."""
    MEASURING = "measuring"
    """Decode speed is being measured on a longer reply."""


@dataclass(frozen=True)
class TrialProgress:
    """What the first-answer job is doing.

    Attributes:
        stage: the step it is in.
        text: the answer so far (while answering).
        seconds: the length of the speed measurement (while measuring).
    """

    stage: TrialStage
    text: str = ""
    seconds: float = 0.0


def first_answer_job(loader: ModelLoader, source: ModelSource, settings: Settings,
                     on_fallback: FallbackCallback | None = None, *,
                     question: str, speed_seconds: float = 10.0,
                     keep: Callable[[LoadedModel], None] | None = None) -> TaskFn:
    """A job that loads `source` as the settings and the plan say, answers, then measures.

    The model is loaded on the job's own thread. When the answer came (not
    cancelled) and `keep` is given, the loaded model goes to `keep` (called
    on the job's thread, before the result is reported) for the window to
    adopt; otherwise it is closed. Reports TrialProgress values and returns
    services.setup.FirstAnswer.
    """

    def job(report: Report, cancel: threading.Event) -> FirstAnswer:
        report(TrialProgress(TrialStage.LOADING))
        loaded = loader.load(source, settings, on_fallback)
        kept = False
        try:
            result = first_answer(
                loaded.backend,
                lambda text: report(TrialProgress(TrialStage.ANSWERING, text)),
                cancel,
                question=question,
                on_measuring=lambda s: report(TrialProgress(TrialStage.MEASURING, seconds=s)),
                speed_seconds=speed_seconds,
            )
            if keep is not None and not cancel.is_set():
                keep(loaded)
                kept = True
            return result
        finally:
            if not kept:
                loaded.backend.close()

    return job
