"""Wizard step 2: download the recommended file (pause, resume, cancel) or import one."""

from __future__ import annotations

import threading
import time
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app.core import paths
from app.models.catalog import CatalogFile
from app.models.download import (
    Downloader,
    DownloadProgress,
    DownloadResult,
    DownloadStatus,
    Phase,
    format_bytes,
    part_path,
)
from app.models.download_types import Verification
from app.models.importer import ImportMode
from app.models.installed import InstalledModel
from app.services.setup import Recommendation
from app.ui.common.i18n import fill
from app.ui.setup.demo_offer import DemoOffer
from app.ui.setup.deps import SetupDeps
from app.ui.setup.page_style import show_as_error
from app.ui.setup.sources_box import SourcesBox, alternative_text, remember_source
from app.ui.threads.model_tasks import ImportProgress, TaskThread, download_job, import_job

STALL_NOTICE_S = 3.0
"""Seconds without data before the download page says the server is silent."""


class Transfer(Enum):
    """What the page's task thread is doing."""

    DOWNLOAD = "download"
    """Fetching the chosen file from the mirrors (pause keeps the part file)."""
    IMPORT = "import"
    """Checking and copying a GGUF file the user picked."""


def eta_text(owner: QObject, seconds: float | None) -> str:
    # Literal context and text, so lupdate finds them (owner.tr(...) it cannot place).
    del owner
    translate = QCoreApplication.translate
    if seconds is None:
        return translate("GetModelPage", "time left unknown")
    s = int(seconds)
    if s >= 3600:
        return fill(translate("GetModelPage", "%1 h %2 min left"), s // 3600, (s % 3600) // 60)
    if s >= 60:
        return fill(translate("GetModelPage", "%1 min %2 s left"), s // 60, s % 60)
    return fill(translate("GetModelPage", "%1 s left"), s)


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
        self._transfer: Transfer | None = None
        self._last_phase: Phase | None = None
        self._is_demo = False  # the file being imported is the packaged demo model
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
        self.sources_box: SourcesBox | None = None
        if deps.sources is not None:  # else tests' fixed mirrors
            self.sources_box = SourcesBox(deps.config_dir or paths.config_dir(), self,
                                          deps.sources)
            layout.addWidget(self.sources_box)
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
        show_as_error(self.error_label)
        self.other_source_button = QPushButton(self)  # one click after a failure
        self.other_source_button.setVisible(False)
        self.other_source_button.clicked.connect(self._on_other_source_button_clicked)
        for widget in (self.progress_bar, self.progress_label, self.message_label,
                       self.error_label, self.other_source_button):
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
        layout.addSpacing(8)
        self.demo_offer = DemoOffer(self)  # hidden unless a packaged demo model exists
        demos = deps.demo_models()
        self.demo_offer.set_demo(demos[0] if demos else None)
        self.demo_offer.use_requested.connect(self._on_demo_offer_use_requested)
        layout.addWidget(self.demo_offer)
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
        self.other_source_button.setVisible(False)
        self._is_demo = False
        self._pause.clear()
        if self.sources_box is not None:
            sources = self.sources_box.save()
            if sources is None:  # the box shows why
                return
            downloader = sources.downloader(self._deps.download_settings)
        else:
            downloader = Downloader(self._deps.mirrors, self._deps.download_settings)
        # Each catalog file comes from its own pinned repository.
        self._task = TaskThread(download_job(downloader, f.remote_file(), target, self._pause),
                                self)
        self._transfer = Transfer.DOWNLOAD
        self._task.setObjectName(self._transfer.value)
        self._task.progress.connect(self._on_download_progress)
        self._task.succeeded.connect(self._on_download_succeeded)
        self._task.failed.connect(self._on_task_failed)
        self._task.finished.connect(self._on_task_finished)
        self._set_busy(True, downloading=True)
        self._last_bytes_at = time.monotonic()
        self._is_stalled = False
        self._stall_timer.start()
        self._task.start()

    def _on_other_source_button_clicked(self) -> None:
        other = self.sources_box.value().alternative() if self.sources_box else None
        if self.sources_box is not None and other is not None:
            self.sources_box.set_value(other)
            self.start_download()

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
            if self._transfer is Transfer.IMPORT:
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
                eta_text(self, value.eta_s)))

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
            if self.sources_box is not None:
                remember_source(self.sources_box, result)
            self._finish_install(result.path, self.tr("Downloaded and verified.")
                                 if result.verification is Verification.CATALOG else self.tr(
                                     "Downloaded; not verified against Ponder's catalog (the "
                                     "server's own SHA-256 was checked)."))
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
        other = self.sources_box.value() if self.sources_box is not None else None
        caption = alternative_text(other) if other is not None else None
        if self._transfer is Transfer.DOWNLOAD and caption is not None:
            self.other_source_button.setText(caption)
            self.other_source_button.setVisible(True)
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
        # services.library already made a download or an import the default when
        # there was none (never the demo model).
        self.installed.emit(str(path))
        self.completeChanged.emit()

    # -- import ---------------------------------------------------------------

    def _on_import_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import a GGUF model"), "",
                                              self.tr("GGUF models (*.gguf);;All files (*)"))
        if path:
            self.import_file(Path(path))

    def _on_demo_offer_use_requested(self, path: str) -> None:
        self.import_file(Path(path), is_demo=True)

    def import_file(self, source: Path, *, is_demo: bool = False) -> None:
        """Check and copy a GGUF file into the models folder on a worker thread.

        The demo model is hard-linked where possible (no second copy of its bytes).
        """
        if self.is_busy:
            return
        self._is_demo = is_demo
        self.error_label.setText("")
        self.message_label.setText(fill(self.tr("Importing %1…"), source.name))
        mode = ImportMode.HARDLINK if is_demo else ImportMode.COPY
        self._task = TaskThread(import_job(source, self._deps.models_dir, self._deps.catalog,
                                           mode, is_demo=is_demo), self)
        self._transfer = Transfer.IMPORT
        self._task.setObjectName(self._transfer.value)
        self._task.progress.connect(self._on_download_progress)
        self._task.succeeded.connect(self._on_download_succeeded)
        self._task.failed.connect(self._on_task_failed)
        self._task.finished.connect(self._on_task_finished)
        self._set_busy(True)
        self._task.start()
