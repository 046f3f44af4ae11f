"""Wizard step 1: what this computer has and which model file suits it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget, QWizardPage

from app.hardware.cpu import describe_features
from app.hardware.types import HardwareReport
from app.models.download import format_bytes
from app.services.setup import Recommendation
from app.ui.common.i18n import fill
from app.ui.setup.deps import SetupDeps
from app.ui.setup.page_style import WARNING_STYLE, show_as_error
from app.ui.threads.model_tasks import TaskThread, probe_job

GIB = 1024**3


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
        self.warnings_label.setStyleSheet(WARNING_STYLE)
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
        show_as_error(self.status_label)

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
