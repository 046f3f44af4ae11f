"""The first-run wizard: this computer → recommended model → download or import → first answer.

Every slow step runs in a TaskThread (app.ui.threads.model_tasks); the pages only
show what the jobs report. The wizard can be skipped (remembered in the
settings) and opened again from the Models page.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.core import paths
from app.core.types import LoadParams
from app.engine.backend import Backend
from app.hardware.cpu import describe_features
from app.hardware.fallback import LoadAttempt
from app.hardware.probe import probe_hardware
from app.hardware.types import HardwareReport
from app.models.catalog import Catalog, CatalogFile, load_catalog
from app.models.download import (
    Downloader,
    DownloadProgress,
    DownloadResult,
    DownloadSettings,
    DownloadStatus,
    Phase,
    RemoteFile,
    format_bytes,
    part_path,
)
from app.models.installed import InstalledModel, get_default_model, set_default_model
from app.models.mirrors import Mirror, resolve_mirrors
from app.store.settings import load_settings, save_settings
from app.ui.threads.model_tasks import (
    TRIAL_QUESTION,
    BackendBuilder,
    ImportProgress,
    Recommendation,
    TaskThread,
    TrialProgress,
    TrialResult,
    download_job,
    import_job,
    load_with_fallback,
    local_builder,
    probe_job,
    refine_plan,
    trial_job,
)

log = logging.getLogger(__name__)

GIB = 1024**3


def fill(text: str, *values: object) -> str:
    """Put values into %1, %2, … of a translated string (Qt's placeholder style)."""
    for index in range(len(values), 0, -1):
        text = text.replace(f"%{index}", str(values[index - 1]))
    return text


STALL_NOTICE_S = 3.0
"""Seconds without data before the download page says the server is silent."""


@dataclass
class SetupDeps:
    """What the wizard and the Models page work with (tests swap parts).

    Attributes:
        models_dir: the models folder.
        catalog: the model catalog.
        mirrors: download mirrors, in order.
        download_settings: downloader knobs.
        probe: the hardware probe.
        gpu_offload: whether llama.cpp can use a GPU; None asks app.engine.
        build: loads a model (llama.cpp by default).
        speed_seconds: length of the speed measurement after the first answer.
        question: the first test question.
        trial_ctx: context length for the first answer.
    """

    models_dir: Path
    catalog: Catalog
    mirrors: list[Mirror]
    download_settings: DownloadSettings = field(default_factory=DownloadSettings)
    probe: Callable[[Path], HardwareReport] = probe_hardware
    gpu_offload: Callable[[], bool] | None = None
    build: BackendBuilder = local_builder
    speed_seconds: float = 10.0
    question: str = TRIAL_QUESTION
    trial_ctx: int = 2048

    @classmethod
    def default(cls) -> SetupDeps:
        """The real folders, catalog and mirrors."""
        return cls(models_dir=paths.models_dir(), catalog=load_catalog(),
                   mirrors=resolve_mirrors())


def _eta_text(owner: QObject, seconds: float | None) -> str:
    if seconds is None:
        return owner.tr("time left unknown")
    s = int(seconds)
    if s >= 3600:
        return fill(owner.tr("%1 h %2 min left"), s // 3600, (s % 3600) // 60)
    if s >= 60:
        return fill(owner.tr("%1 min %2 s left"), s // 60, s % 60)
    return fill(owner.tr("%1 s left"), s)


def _error_style(label: QLabel) -> None:
    label.setStyleSheet("color: #c0392b;")
    label.setWordWrap(True)


# ------------------------------------------------------------------- pages


class HardwarePage(QWizardPage):
    """Step 1: what this computer has and which model file suits it.

    Signals:
        recommended(object): the Recommendation, once the probe is done.
    """

    recommended = Signal(object)

    def __init__(self, deps: SetupDeps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._deps = deps
        self.recommendation: Recommendation | None = None
        self._task: TaskThread | None = None
        layout = QVBoxLayout(self)
        self.status_label = QLabel(self)
        self.hardware_label = QLabel(self)
        self.recommendation_label = QLabel(self)
        self.warnings_label = QLabel(self)
        for label in (self.status_label, self.hardware_label, self.recommendation_label,
                      self.warnings_label):
            label.setWordWrap(True)
            layout.addWidget(label)
        self.recommendation_label.setObjectName("recommendation")
        self.warnings_label.setStyleSheet("color: #a05a00;")
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        self.setTitle(self.tr("Your computer"))
        self.setSubTitle(self.tr("Ponder checks what this computer can run well."))
        if self.recommendation is None:
            self.status_label.setText(self.tr("Checking this computer…"))
        self.hardware_label.setAccessibleName(self.tr("Hardware found"))
        self.recommendation_label.setAccessibleName(self.tr("Recommendation"))
        self.warnings_label.setAccessibleName(self.tr("Warnings"))

    def initializePage(self) -> None:
        if self.recommendation is None and self._task is None:
            self._task = TaskThread(probe_job(self._deps.models_dir, self._deps.catalog,
                                              probe=self._deps.probe,
                                              gpu_offload=self._deps.gpu_offload), self)
            self._task.setObjectName("hardware probe")
            self._task.succeeded.connect(self._on_task_succeeded)
            self._task.failed.connect(self._on_task_failed)
            self._task.start()

    def isComplete(self) -> bool:
        return self.recommendation is not None

    def stop(self) -> None:
        """Wait for the probe (it takes well under a second)."""
        if self._task is not None:
            self._task.wait(5000)

    def _on_task_succeeded(self, result: object) -> None:
        assert isinstance(result, Recommendation)
        self.recommendation = result
        self.status_label.setText("")
        self.status_label.hide()
        self.hardware_label.setText(self.describe_hardware(result.report))
        plan, model = result.plan, result.model
        self.recommendation_label.setText(fill(
            self.tr("<b>Recommended:</b> %1, %2 (%3).<br>%4"), model.name, plan.quant,
            format_bytes(plan.size_bytes), plan.reason))
        warnings = list(plan.warnings) + list(result.report.notes)
        self.warnings_label.setText("\n".join(f"• {w}" for w in warnings))
        self.warnings_label.setVisible(bool(warnings))
        self.recommended.emit(result)
        self.completeChanged.emit()

    def _on_task_failed(self, message: str) -> None:
        self.status_label.setText(message)
        _error_style(self.status_label)

    def describe_hardware(self, report: HardwareReport) -> str:
        """A few lines about the processor, memory, GPU and disk."""
        cpu = report.cpu
        lines = [
            fill(self.tr("Processor: %1 (%2 cores; %3)"), cpu.brand or cpu.arch,
                 cpu.physical_cores, describe_features(cpu.features)),
            fill(self.tr("Memory: %1 GB, %2 GB free"), f"{report.ram_total_bytes / GIB:.1f}",
                 f"{report.ram_available_bytes / GIB:.1f}"),
        ]
        if report.gpus:
            gpu = report.gpus[0]
            lines.append(fill(self.tr("Graphics: %1 with %2 GB"), gpu.name,
                              f"{gpu.total_bytes / GIB:.1f}"))
        else:
            lines.append(self.tr("Graphics: none that llama.cpp can use"))
        if report.disk_free_bytes is not None:
            lines.append(fill(self.tr("Free disk space: %1 at %2"),
                              format_bytes(report.disk_free_bytes), report.disk_path))
        return "\n".join(lines)


class GetModelPage(QWizardPage):
    """Step 2: download the recommended file (pause, resume, cancel) or import one.

    Signals:
        installed(str): the path of the model now in the models folder.
        task_ended(): a download or import stopped (done, paused, cancelled or failed).
    """

    installed = Signal(str)
    task_ended = Signal()

    def __init__(self, deps: SetupDeps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._deps = deps
        self.recommendation: Recommendation | None = None
        self.model_path: Path | None = None
        self.message_log: list[str] = []
        """Every message shown during this page's downloads (newest last)."""
        self._task: TaskThread | None = None
        self._last_phase: Phase | None = None
        self._pause = threading.Event()
        # The downloader reports only when bytes arrive; a timer notices silence.
        self._last_bytes_at = 0.0
        self._is_stalled = False
        self._stall_timer = QTimer(self)
        self._stall_timer.setInterval(1000)
        self._stall_timer.timeout.connect(self._on_stall_timer_timeout)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.quant_label = QLabel(self)
        self.quant_combo = QComboBox(self)
        self.quant_combo.currentIndexChanged.connect(self._on_quant_combo_changed)
        row.addWidget(self.quant_label)
        row.addWidget(self.quant_combo, 1)
        layout.addLayout(row)
        buttons = QHBoxLayout()
        self.download_button = QPushButton(self)
        self.download_button.clicked.connect(self.start_download)
        self.pause_button = QPushButton(self)
        self.pause_button.clicked.connect(self.pause_download)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.cancel_download)
        for button in (self.download_button, self.pause_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setTextVisible(True)
        self.progress_label = QLabel(self)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.error_label = QLabel(self)
        _error_style(self.error_label)
        for widget in (self.progress_bar, self.progress_label, self.message_label,
                       self.error_label):
            layout.addWidget(widget)
        layout.addSpacing(12)
        self.or_label = QLabel(self)
        self.or_label.setWordWrap(True)
        layout.addWidget(self.or_label)
        import_row = QHBoxLayout()
        self.import_button = QPushButton(self)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        import_row.addWidget(self.import_button)
        import_row.addStretch(1)
        layout.addLayout(import_row)
        layout.addStretch(1)
        self.retranslate()
        self._set_busy(False)

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        self.setTitle(self.tr("Get the model"))
        self.setSubTitle(self.tr("Download the recommended file, or import a GGUF file you "
                                 "already have. Everything after this works offline."))
        self.quant_label.setText(self.tr("File:"))
        self.quant_combo.setAccessibleName(self.tr("Quantization to download"))
        self.pause_button.setText(self.tr("Pause"))
        self.pause_button.setAccessibleName(self.tr("Pause the download"))
        self.cancel_button.setText(self.tr("Cancel download"))
        self.cancel_button.setAccessibleName(self.tr("Cancel the download and delete it"))
        self.progress_bar.setAccessibleName(self.tr("Download progress"))
        self.or_label.setText(self.tr("Already have a GGUF file (for example from another "
                                      "computer)? Import it; nothing is downloaded."))
        self.import_button.setText(self.tr("Import a GGUF file…"))
        self.import_button.setAccessibleName(self.tr("Import a GGUF file"))
        self._update_download_button()

    # -- state ----------------------------------------------------------------

    def set_recommendation(self, rec: Recommendation) -> None:
        """Fill the file choice from the plan; the planned quantization is preselected."""
        self.recommendation = rec
        self.quant_combo.blockSignals(True)
        self.quant_combo.clear()
        for f in rec.model.files:
            text = fill(self.tr("%1 %2 (%3)"), rec.model.name, f.quant,
                        format_bytes(f.size_bytes))
            if f.quant == rec.plan.quant:
                text += " " + self.tr("recommended")
            self.quant_combo.addItem(text, f.quant)
        self.quant_combo.setCurrentIndex(max(0, self.quant_combo.findData(rec.plan.quant)))
        self.quant_combo.blockSignals(False)
        self._on_quant_combo_changed()

    def selected_file(self) -> CatalogFile | None:
        """The catalog file chosen in the combo box."""
        if self.recommendation is None or self.quant_combo.currentIndex() < 0:
            return None
        return self.recommendation.model.file(str(self.quant_combo.currentData()))

    def target(self) -> Path | None:
        """Where the chosen file goes."""
        f = self.selected_file()
        return self._deps.models_dir / f.filename if f else None

    @property
    def is_busy(self) -> bool:
        return self._task is not None and self._task.isRunning()

    def isComplete(self) -> bool:
        return self.model_path is not None and not self.is_busy

    def _set_busy(self, busy: bool, downloading: bool = False) -> None:
        self.pause_button.setEnabled(busy and downloading)
        self.cancel_button.setEnabled(busy)
        self.download_button.setEnabled(not busy and self.recommendation is not None)
        self.import_button.setEnabled(not busy)
        self.quant_combo.setEnabled(not busy)
        self.completeChanged.emit()

    def _update_download_button(self) -> None:
        target = self.target()
        if target is not None and target.exists():
            self.download_button.setText(self.tr("Installed"))
        elif target is not None and part_path(target).exists():
            self.download_button.setText(self.tr("Resume download"))
        else:
            self.download_button.setText(self.tr("Download"))
        self.download_button.setAccessibleName(self.download_button.text())

    def _on_quant_combo_changed(self, _index: int = 0) -> None:
        self._update_download_button()
        target = self.target()
        if target is not None and target.exists():
            self._finish_install(target, self.tr("This file is already installed."))
            self.download_button.setEnabled(False)
            return
        self.model_path = None
        self.download_button.setEnabled(not self.is_busy and target is not None)
        if target is not None and part_path(target).exists():
            done = part_path(target).stat().st_size
            f = self.selected_file()
            total = f.size_bytes if f else 0
            self.progress_bar.setValue(int(1000 * done / total) if total else 0)
            self.progress_label.setText(fill(
                self.tr("%1 of %2 were downloaded earlier; the download resumes from there."),
                format_bytes(done), format_bytes(total)))
        else:
            self.progress_bar.setValue(0)
            self.progress_label.setText("")
        self.completeChanged.emit()

    # -- download -------------------------------------------------------------

    def start_download(self) -> None:
        """Download (or resume) the chosen file on a worker thread."""
        f, target, rec = self.selected_file(), self.target(), self.recommendation
        if f is None or target is None or rec is None or self.is_busy:
            return
        self.error_label.setText("")
        self.message_label.setText("")
        self._pause.clear()
        remote = RemoteFile(rec.model.repo_id, f.filename, sha256=f.sha256,
                            size=f.size_bytes if f.size_exact else None)
        downloader = Downloader(self._deps.mirrors, self._deps.download_settings)
        self._task = TaskThread(download_job(downloader, remote, target, self._pause), self)
        self._task.setObjectName("download")
        self._task.progress.connect(self._on_download_progress)
        self._task.succeeded.connect(self._on_download_succeeded)
        self._task.failed.connect(self._on_task_failed)
        self._task.finished.connect(self._on_task_finished)
        self._set_busy(True, downloading=True)
        self._last_bytes_at = time.monotonic()
        self._is_stalled = False
        self._stall_timer.start()
        self._task.start()

    def pause_download(self) -> None:
        """Stop and keep the partial file (it resumes later, also after a restart)."""
        self._pause.set()

    def cancel_download(self) -> None:
        """Stop and delete the partial file (or stop an import)."""
        if self._task is not None:
            self._task.cancel()

    def stop(self) -> None:
        """Pause any running work and wait for it (the wizard is closing)."""
        if self._task is not None and self._task.isRunning():
            self._pause.set()
            if self._task.objectName() == "import":
                self._task.cancel()
            self._task.wait(10000)

    def _on_download_progress(self, value: object) -> None:
        if isinstance(value, ImportProgress):
            self.progress_bar.setValue(int(1000 * value.done_bytes / max(value.total_bytes, 1)))
            self.progress_label.setText(fill(self.tr("Importing: %1 of %2"),
                                             format_bytes(value.done_bytes),
                                             format_bytes(value.total_bytes)))
            return
        if not isinstance(value, DownloadProgress):
            return
        self._last_bytes_at = time.monotonic()
        if self._is_stalled:
            self._is_stalled = False
            self.message_label.setText("")
        if value.message and value.phase is not Phase.DOWNLOADING:
            self.message_label.setText(self.phase_message(value))
            self.message_log.append(self.message_label.text())
        elif value.phase is Phase.DOWNLOADING and self._last_phase in (Phase.CONNECTING,
                                                                        Phase.CHECKING):
            self.message_label.setText("")  # bytes flow: "Connecting…" is over
        self._last_phase = value.phase
        if value.total_bytes:
            self.progress_bar.setValue(int(1000 * value.done_bytes / value.total_bytes))
        if value.phase is Phase.DOWNLOADING and value.total_bytes:
            self.progress_label.setText(fill(
                self.tr("%1 of %2 · %3/s · %4"), format_bytes(value.done_bytes),
                format_bytes(value.total_bytes), format_bytes(value.speed_bps),
                _eta_text(self, value.eta_s)))

    def phase_message(self, value: DownloadProgress) -> str:
        """The downloader's sentence, with a translated lead for the common phases."""
        leads = {
            Phase.CONNECTING: self.tr("Connecting…"),
            Phase.CHECKING: self.tr("Checking the part downloaded earlier…"),
            Phase.VERIFYING: self.tr("Verifying the SHA-256…"),
        }
        if value.phase in leads:
            return leads[value.phase]
        return value.message  # retries and mirror switches name hosts and errors

    def _on_download_succeeded(self, result: object) -> None:
        if isinstance(result, InstalledModel):
            self._finish_install(result.path, fill(self.tr("%1 was imported."), result.name))
            return
        assert isinstance(result, DownloadResult)
        if result.status is DownloadStatus.COMPLETED and result.path is not None:
            self._finish_install(result.path, self.tr("Downloaded and verified."))
        elif result.status is DownloadStatus.PAUSED:
            self.message_label.setText(self.tr(
                "Paused. Press Resume download to go on, now or after restarting Ponder."))
        else:
            self.progress_bar.setValue(0)
            self.progress_label.setText("")
            self.message_label.setText(self.tr("Download cancelled; the partial file was "
                                               "deleted."))

    def _on_task_failed(self, message: str) -> None:
        self.error_label.setText(message)
        self.message_label.setText("")
        self._on_quant_combo_changed()  # progress back to what is really on disk

    def _on_stall_timer_timeout(self) -> None:
        waited = time.monotonic() - self._last_bytes_at
        if waited < STALL_NOTICE_S:
            return
        text = fill(self.tr("No data from the server for %1 s. Ponder keeps waiting and "
                            "retries by itself; you can also pause and resume later."),
                    str(int(waited)))
        if not self._is_stalled:
            self.message_log.append(text)
        self._is_stalled = True
        self.message_label.setText(text)

    def _on_task_finished(self) -> None:
        self._stall_timer.stop()
        if self._is_stalled:
            self._is_stalled = False
            self.message_label.setText("")
        self._set_busy(False)
        self._update_download_button()
        if self.model_path is not None:
            self.download_button.setEnabled(False)
        self.task_ended.emit()

    def _finish_install(self, path: Path, message: str) -> None:
        self.model_path = path
        self.progress_bar.setValue(1000)
        self.message_label.setText(message)
        self.error_label.setText("")
        if get_default_model(self._deps.models_dir) is None:
            set_default_model(self._deps.models_dir, path)
        self.installed.emit(str(path))
        self.completeChanged.emit()

    # -- import ---------------------------------------------------------------

    def _on_import_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import a GGUF model"), "",
                                              self.tr("GGUF models (*.gguf);;All files (*)"))
        if path:
            self.import_file(Path(path))

    def import_file(self, source: Path) -> None:
        """Check and copy a GGUF file into the models folder on a worker thread."""
        if self.is_busy:
            return
        self.error_label.setText("")
        self.message_label.setText(fill(self.tr("Importing %1…"), source.name))
        self._task = TaskThread(import_job(source, self._deps.models_dir, self._deps.catalog),
                                self)
        self._task.setObjectName("import")
        self._task.progress.connect(self._on_download_progress)
        self._task.succeeded.connect(self._on_download_succeeded)
        self._task.failed.connect(self._on_task_failed)
        self._task.finished.connect(self._on_task_finished)
        self._set_busy(True)
        self._task.start()


class TrialPage(QWizardPage):
    """Step 3: load the model, ask a first question, measure the speed.

    Signals:
        fallback_noted(str): a GPU load failed and a smaller one is tried
            (emitted from the job's thread, delivered on the GUI thread).
        trial_ended(): the first answer and the measurement are done (or failed).
    """

    fallback_noted = Signal(str)
    trial_ended = Signal()

    def __init__(self, deps: SetupDeps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._deps = deps
        self.recommendation: Recommendation | None = None
        self.model_path: Path | None = None
        self.result: TrialResult | None = None
        self._task: TaskThread | None = None
        layout = QVBoxLayout(self)
        self.question_label = QLabel(self)
        self.question_label.setWordWrap(True)
        self.answer_view = QPlainTextEdit(self)
        self.answer_view.setReadOnly(True)
        self.answer_view.setMaximumHeight(140)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.speed_label = QLabel(self)
        self.speed_label.setWordWrap(True)
        self.speed_label.setObjectName("speed")
        self.fallback_label = QLabel(self)
        self.fallback_label.setWordWrap(True)
        self.fallback_label.setStyleSheet("color: #a05a00;")
        self.error_label = QLabel(self)
        _error_style(self.error_label)
        for widget in (self.question_label, self.answer_view, self.status_label,
                       self.speed_label, self.fallback_label, self.error_label):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.fallback_noted.connect(self._on_fallback_noted)
        self.retranslate()

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        self.setTitle(self.tr("A first answer"))
        self.setSubTitle(self.tr("The model answers a test question on this computer, then "
                                 "Ponder measures how fast it writes."))
        self.question_label.setText(fill(self.tr("Question: %1"), self._deps.question))
        self.answer_view.setAccessibleName(self.tr("The model's answer"))
        self.speed_label.setAccessibleName(self.tr("Measured speed"))

    def initializePage(self) -> None:
        if self.model_path is None or self.is_busy:
            return
        self.result = None
        self.answer_view.setPlainText("")
        self.speed_label.setText("")
        self.error_label.setText("")
        self.fallback_label.setText("")
        plan = self.recommendation.plan if self.recommendation else None
        params = LoadParams(model_path=self.model_path, n_ctx=self._deps.trial_ctx,
                            n_gpu_layers=plan.n_gpu_layers if plan else -1)
        build = self._deps.build

        def load() -> Backend:
            return load_with_fallback(params, build, self._note_fallback)

        job = trial_job(load, self._deps.question, self._deps.speed_seconds)
        self._task = TaskThread(job, self)
        self._task.setObjectName("first answer")
        self._task.progress.connect(self._on_task_progress)
        self._task.succeeded.connect(self._on_task_succeeded)
        self._task.failed.connect(self._on_task_failed)
        self._task.finished.connect(self._on_task_finished)
        self._task.start()
        self.completeChanged.emit()

    @property
    def is_busy(self) -> bool:
        return self._task is not None and self._task.isRunning()

    def isComplete(self) -> bool:
        return not self.is_busy

    def stop(self) -> None:
        """Cancel the answer or the measurement and wait (the wizard is closing)."""
        if self._task is not None and self._task.isRunning():
            self._task.cancel()
            self._task.wait(30000)

    def _note_fallback(self, failed: LoadAttempt, nxt: LoadAttempt, reason: str) -> None:
        # Runs on the job's thread: only emit.
        if nxt.is_cpu_only:
            text = fill(self.tr("The GPU could not load the model (%1). Ponder uses the "
                                "CPU instead, which is slower."), reason)
        else:
            text = fill(self.tr("The GPU could not load the model with %1 layers (%2). "
                                "Ponder tries again with %3 layers."),
                        failed.offloaded if failed.offloaded is not None else self.tr("all"),
                        reason, nxt.offloaded)
        self.fallback_noted.emit(text)

    def _on_fallback_noted(self, text: str) -> None:
        existing = self.fallback_label.text()
        self.fallback_label.setText(f"{existing}\n{text}" if existing else text)

    def _on_task_progress(self, value: object) -> None:
        if not isinstance(value, TrialProgress):
            return
        if value.stage == "loading":
            self.status_label.setText(self.tr("Loading the model…"))
        elif value.stage == "answering":
            self.status_label.setText(self.tr("The model is answering…"))
            self.answer_view.setPlainText(value.text)
        elif value.stage == "measuring":
            self.status_label.setText(fill(self.tr("Measuring the speed (%1 s)…"),
                                           f"{value.seconds:.0f}"))

    def _on_task_succeeded(self, result: object) -> None:
        assert isinstance(result, TrialResult)
        self.result = result
        self.answer_view.setPlainText(result.answer or result.reasoning)
        self.status_label.setText(fill(self.tr("%1 works on this computer (%2)."),
                                       result.info.model_name, result.info.backend))
        if result.measured_tps <= 0:
            self.speed_label.setText(self.tr("The speed was not measured."))
            return
        text = fill(self.tr("Measured speed: %1 tokens per second."),
                    f"{result.measured_tps:.1f}")
        if self.recommendation is not None and self._is_recommended_file():
            expected = self.recommendation.plan.expected_tps
            plan = refine_plan(self.recommendation, result.measured_tps)
            text += " " + fill(self.tr("(Estimated before: %1.)"), f"{expected:.0f}")
            text += "\n" + plan.reason
        self.speed_label.setText(text)

    def _is_recommended_file(self) -> bool:
        rec = self.recommendation
        if rec is None or self.model_path is None:
            return False
        return any(f.filename == self.model_path.name for f in rec.model.files)

    def _on_task_failed(self, message: str) -> None:
        self.status_label.setText("")
        self.error_label.setText(message)

    def _on_task_finished(self) -> None:
        self.completeChanged.emit()
        self.trial_ended.emit()


# ------------------------------------------------------------------ wizard


class SetupWizard(QWizard):
    """Hardware → recommendation → download or import → first answer.

    Signals:
        model_ready(str): finished with this model in the models folder; load it.
        skipped(): the user chose "Skip for now" (remembered in the settings).
    """

    model_ready = Signal(str)
    skipped = Signal()

    def __init__(self, deps: SetupDeps | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.deps = deps or SetupDeps.default()
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.hardware_page = HardwarePage(self.deps, self)
        self.model_page = GetModelPage(self.deps, self)
        self.trial_page = TrialPage(self.deps, self)
        for page in (self.hardware_page, self.model_page, self.trial_page):
            self.addPage(page)
        self.hardware_page.recommended.connect(self._on_hardware_page_recommended)
        self.model_page.installed.connect(self._on_model_page_installed)
        self.customButtonClicked.connect(self._on_custom_button_clicked)
        self.setMinimumSize(640, 480)
        self.retranslate()

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        self.setWindowTitle(self.tr("Set up a model"))
        self.setButtonText(QWizard.WizardButton.CustomButton1, self.tr("Skip for now"))
        self.button(QWizard.WizardButton.CustomButton1).setAccessibleName(
            self.tr("Skip the setup"))

    def _on_hardware_page_recommended(self, rec: object) -> None:
        assert isinstance(rec, Recommendation)
        self.model_page.set_recommendation(rec)
        self.trial_page.recommendation = rec

    def _on_model_page_installed(self, path: str) -> None:
        self.trial_page.model_path = Path(path)

    def _on_custom_button_clicked(self, which: int) -> None:
        if which == QWizard.WizardButton.CustomButton1.value:
            self.skip()

    def skip(self) -> None:
        """Close and remember not to open the wizard by itself again."""
        try:
            save_settings(replace(load_settings(), setup_skipped=True))
        except Exception as exc:  # a read-only config folder must not block skipping
            log.warning("could not remember the skipped setup: %s", exc)
        self.skipped.emit()
        self.reject()

    def stop_tasks(self) -> None:
        """Pause downloads and cancel the first answer; wait for the threads."""
        self.hardware_page.stop()
        self.model_page.stop()
        self.trial_page.stop()

    def done(self, result: int) -> None:
        self.stop_tasks()
        path = self.model_page.model_path
        super().done(result)
        if result == QWizard.DialogCode.Accepted.value and path is not None:
            self.model_ready.emit(str(path))
