"""Background work of the model setup: probe, download, import, first answer, speed.

Each job is a plain function ``fn(report, cancel) -> result`` run by a
`TaskThread`. The function never touches a widget: it calls `report` with
progress values, which the thread turns into a signal that Qt delivers on the
GUI thread. `cancel` is a threading.Event the GUI sets directly, because a
queued slot would not run while the job is busy.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from app.core.errors import ModelFileError, ModelLoadError, PonderError
from app.core.gguf_header import check_model_file
from app.core.types import (
    BackendInfo,
    Channel,
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    LoadParams,
    Role,
    SamplingParams,
    TextDelta,
)
from app.engine.backend import Backend
from app.hardware.fallback import LoadAttempt, gpu_layer_attempts, should_retry_on_cpu
from app.hardware.planner import Plan, plan_model, refine_with_measurement
from app.hardware.probe import probe_hardware
from app.hardware.speed import measure_speed
from app.hardware.types import HardwareReport
from app.models.catalog import Catalog, CatalogModel
from app.models.download import Downloader, DownloadResult, RemoteFile
from app.models.importer import ImportMode, import_gguf
from app.models.installed import InstalledModel

log = logging.getLogger(__name__)

Report = Callable[[object], None]
"""Hands one progress value to the GUI thread."""
TaskFn = Callable[[Report, threading.Event], object]
"""A job: gets the report callback and the cancel flag, returns its result."""
BackendBuilder = Callable[[LoadParams], Backend]
"""Loads a model (on the calling thread)."""
FallbackCallback = Callable[[LoadAttempt, LoadAttempt, str], None]
"""Told (failed attempt, next attempt, reason) when a GPU load is retried."""

TRIAL_QUESTION = "What is 17 + 25? Answer in one short sentence."
SPEED_PROMPT = "Count from 1 to 300, writing each number as a word, separated by commas."


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


@dataclass(frozen=True)
class Recommendation:
    """What the hardware check found and what it suggests.

    Attributes:
        report: the hardware.
        model: the catalog model offered.
        plan: quantization, device and expected speed, with its reason.
        gpu_offload: whether this llama.cpp build can use a GPU.
    """

    report: HardwareReport
    model: CatalogModel
    plan: Plan
    gpu_offload: bool


def probe_job(
    models_dir: Path,
    catalog: Catalog,
    *,
    probe: Callable[[Path], HardwareReport] = probe_hardware,
    gpu_offload: Callable[[], bool] | None = None,
) -> TaskFn:
    """A job that probes the machine and plans the catalog's default model."""

    def job(_report: Report, _cancel: threading.Event) -> Recommendation:
        report = probe(models_dir)
        if gpu_offload is None:
            from app.engine.capabilities import gpu_offload_supported

            offload = gpu_offload_supported()
        else:
            offload = gpu_offload()
        model = catalog.default
        plan = plan_model(report, model.shape, model.quant_options, gpu_offload_supported=offload)
        return Recommendation(report, model, plan, offload)

    return job


# ------------------------------------------------------- download and import


def download_job(downloader: Downloader, remote: RemoteFile, target: Path,
                 pause: threading.Event) -> TaskFn:
    """A job that downloads `remote` to `target`; reports DownloadProgress values.

    The task's cancel flag deletes the partial file; `pause` keeps it.
    """

    def job(report: Report, cancel: threading.Event) -> DownloadResult:
        return downloader.download(remote, target, report, cancel=cancel, pause=pause)

    return job


@dataclass(frozen=True)
class ImportProgress:
    """Bytes hashed or copied so far during an import."""

    done_bytes: int
    total_bytes: int


def import_job(source: Path, models_dir: Path, catalog: Catalog | None,
               mode: ImportMode = ImportMode.COPY) -> TaskFn:
    """A job that imports a local GGUF; reports ImportProgress values."""

    def job(report: Report, cancel: threading.Event) -> InstalledModel:
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.1 or done == total:
                last[0] = now
                report(ImportProgress(done, total))

        return import_gguf(source, models_dir, mode=mode, catalog=catalog,
                           progress=progress, cancel=cancel)

    return job


# -------------------------------------------------------- loading with fallback


def local_builder(params: LoadParams) -> Backend:
    """Load a GGUF through llama.cpp (app.engine.local, imported lazily)."""
    from app.engine.local import LocalBackend

    return LocalBackend(params)


def total_layers(path: Path) -> int | None:
    """Offloadable layers of a GGUF (block count + the output layer), if the header says."""
    try:
        header = check_model_file(path)
    except ModelFileError:
        return None
    arch = header.metadata.get("general.architecture")
    count = header.metadata.get(f"{arch}.block_count") if isinstance(arch, str) else None
    return count + 1 if isinstance(count, int) and count > 0 else None


def load_with_fallback(
    params: LoadParams,
    build: BackendBuilder = local_builder,
    on_fallback: FallbackCallback | None = None,
) -> Backend:
    """Load a model, retrying with fewer GPU layers and then on the CPU if the GPU fails.

    Args:
        params: how to load; n_gpu_layers is the first attempt.
        build: loads one attempt (llama.cpp by default).
        on_fallback: told about each retry, with the reason, so the user learns why.

    Raises:
        PonderError: the last attempt failed too, or the file itself is broken.
    """
    attempts = gpu_layer_attempts(params.n_gpu_layers, total_layers(params.model_path))
    for index, attempt in enumerate(attempts):
        try:
            return build(replace(params, n_gpu_layers=attempt.n_gpu_layers))
        except Exception as exc:
            is_last = index == len(attempts) - 1
            if is_last or not should_retry_on_cpu(exc):
                if isinstance(exc, PonderError):
                    raise
                raise ModelLoadError(
                    f"The model could not be loaded ({type(exc).__name__}: {exc}). Close "
                    "other programs or choose a smaller quantization, then try again."
                ) from exc
            log.warning("loading with %s GPU layers failed: %s", attempt.n_gpu_layers, exc)
            if on_fallback is not None:
                on_fallback(attempt, attempts[index + 1], str(exc))
    raise AssertionError("gpu_layer_attempts always returns at least one attempt")


def fallback_factory(params: LoadParams, on_fallback: FallbackCallback | None = None,
                     build: BackendBuilder = local_builder) -> Callable[[], Backend]:
    """A BackendFactory for the engine worker that loads with the GPU fallback."""

    def factory() -> Backend:
        return load_with_fallback(params, build, on_fallback)

    return factory


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


@dataclass(frozen=True)
class TrialResult:
    """The first answer and the measured speed.

    Attributes:
        info: the loaded model.
        answer: the model's answer to the test question.
        reasoning: its reasoning, if it wrote any.
        measured_tps: decode tokens/s over the measurement (0.0 if cancelled early).
    """

    info: BackendInfo
    answer: str
    reasoning: str
    measured_tps: float


def _speed_runner(backend: Backend, cancel: threading.Event) -> Callable[[int], float]:
    messages = [ChatMessage(Role.USER, SPEED_PROMPT)]

    def run_tokens(n: int) -> float:
        control = GenerationControl()
        options = GenerateOptions(sampling=SamplingParams(max_tokens=n), detect_loops=False)
        stats = None
        for event in backend.generate(messages, options, control):
            if cancel.is_set():
                control.cancel()
            if isinstance(event, Finished):
                stats = event.stats
        if stats is None or stats.completion_tokens < 2 or stats.decode_tps <= 0:
            return 0.0
        # The reply may end before n tokens; time per token is what counts.
        return n / stats.decode_tps

    return run_tokens


def trial_job(load: Callable[[], Backend], question: str = TRIAL_QUESTION,
              speed_seconds: float = 10.0, max_tokens: int = 512) -> TaskFn:
    """A job that loads a model, answers one question, then measures decode speed.

    The model is loaded and closed on the job's own thread. Reports
    TrialProgress values; the answer streams about ten times a second.
    """

    def job(report: Report, cancel: threading.Event) -> TrialResult:
        report(TrialProgress(TrialStage.LOADING))
        backend = load()
        try:
            control = GenerationControl()
            options = GenerateOptions(sampling=SamplingParams(max_tokens=max_tokens))
            answer: list[str] = []
            last = 0.0
            finished: Finished | None = None
            for event in backend.generate([ChatMessage(Role.USER, question)], options, control):
                if cancel.is_set():
                    control.cancel()
                if isinstance(event, TextDelta) and event.channel is Channel.ANSWER:
                    answer.append(event.text)
                    now = time.monotonic()
                    if now - last >= 0.1:
                        last = now
                        report(TrialProgress(TrialStage.ANSWERING, "".join(answer)))
                elif isinstance(event, Finished):
                    finished = event
            text = finished.answer if finished else "".join(answer)
            reasoning = finished.reasoning if finished else ""
            report(TrialProgress(TrialStage.ANSWERING, text))
            tps = 0.0
            if not cancel.is_set() and speed_seconds > 0:
                report(TrialProgress(TrialStage.MEASURING, seconds=speed_seconds))
                tps = measure_speed(_speed_runner(backend, cancel), speed_seconds, cancel=cancel)
            return TrialResult(backend.info, text.strip(), reasoning.strip(), tps)
        finally:
            backend.close()

    return job


def refine_plan(rec: Recommendation, measured_tps: float) -> Plan:
    """The recommendation's plan with the measured speed in it."""
    return refine_with_measurement(rec.report, rec.model.shape, rec.plan, measured_tps,
                                   rec.gpu_offload)
