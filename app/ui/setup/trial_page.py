"""Wizard step 3: load the model, ask a first question, measure the speed; then "ready".

The answer streams in as the chat will show it (rendered, formulas drawn).
Once it is in, the page becomes the wizard's last step, "Ready": the product
mark, the model that answered and where, and Finish reads "Start chatting".
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.core.errors import PonderError
from app.services.loading import ModelLoader, ModelSource
from app.services.setup import FirstAnswer, Recommendation, refine_plan, save_plan
from app.store.settings import load_settings
from app.ui.chat.markdown_view import MarkdownView
from app.ui.common.i18n import fill
from app.ui.setup.deps import SetupDeps
from app.ui.setup.handover import ModelHandover
from app.ui.setup.page_style import WARNING_STYLE, show_as_error
from app.ui.setup.ready_banner import ReadyBanner
from app.ui.threads.model_tasks import TaskThread, TrialProgress, TrialStage, first_answer_job

log = logging.getLogger(__name__)


class TrialPage(QWizardPage):
    """Step 3: load the model, ask a first question, measure the speed.

    Signals:
        fallback_noted(str): a GPU load failed and a smaller one is tried
            (emitted from the job's thread, delivered on the GUI thread).
        progress_seen(object): the job reached this TrialStage (shown now).
        trial_ended(): the first answer and the measurement are done (or failed).
        became_ready(): the model answered; the page now shows the "ready" step.
    """

    fallback_noted = Signal(str)
    progress_seen = Signal(object)
    trial_ended = Signal()
    became_ready = Signal()

    def __init__(self, deps: SetupDeps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._deps = deps
        self.recommendation: Recommendation | None = None
        self.model_path: Path | None = None
        self.result: FirstAnswer | None = None
        self._task: TaskThread | None = None
        self.handover: ModelHandover | None = None
        """Keeps the answer's model for the window when set (ModelSetup does); else closed."""
        layout = QVBoxLayout(self)
        self.question_label = QLabel(self)
        self.question_label.setWordWrap(True)
        self.ready_banner = ReadyBanner(self)
        self.answer_view = MarkdownView(self)
        self.answer_scroll = QScrollArea(self)  # a long answer scrolls inside the page
        self.answer_scroll.setWidgetResizable(True)
        self.answer_scroll.setFrameShape(QFrame.Shape.StyledPanel)
        holder = QWidget(self.answer_scroll)  # the answer at the top, not centred
        column = QVBoxLayout(holder)
        column.setContentsMargins(8, 6, 8, 6)
        column.addWidget(self.answer_view)
        column.addStretch(1)
        self.answer_scroll.setWidget(holder)
        self.answer_scroll.setMinimumHeight(90)
        self.answer_scroll.setMaximumHeight(200)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.speed_label = QLabel(self)
        self.speed_label.setWordWrap(True)
        self.speed_label.setObjectName("speed")
        self.fallback_label = QLabel(self)
        self.fallback_label.setWordWrap(True)
        self.fallback_label.setStyleSheet(WARNING_STYLE)
        self.error_label = QLabel(self)
        show_as_error(self.error_label)
        for widget in (self.ready_banner, self.question_label, self.answer_scroll,
                       self.status_label, self.speed_label, self.fallback_label,
                       self.error_label):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.fallback_noted.connect(self._on_fallback_noted)
        self.retranslate()

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        if self.is_ready:
            self.setTitle(self.tr("Ready"))
            self.setSubTitle(self.tr("The model's first answer, written on this computer. "
                                     "Your chats work the same way."))
            self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Start chatting"))
        else:
            self.setTitle(self.tr("A first answer"))
            self.setSubTitle(self.tr("The model answers a test question on this computer, then "
                                     "Ponder measures how fast it writes."))
            self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Finish"))
        self.question_label.setText(fill(self.tr("Question: %1"), self._deps.question))
        self.answer_view.setAccessibleName(self.tr("The model's answer"))
        self.speed_label.setAccessibleName(self.tr("Measured speed"))

    @property
    def is_ready(self) -> bool:
        """The model answered: the page is the "ready" step."""
        return self.result is not None

    def initializePage(self) -> None:
        if self.model_path is None or self.is_busy:
            return
        self.result = None
        self.ready_banner.hide()
        self.status_label.show()
        self.retranslate()
        self.answer_view.set_markdown("")
        self.speed_label.setText("")
        self.error_label.setText("")
        self.fallback_label.setText("")
        # The saved plan and the user's settings decide how it loads (services.loading).
        job = first_answer_job(ModelLoader(self._deps.build), ModelSource(path=self.model_path),
                               load_settings(), self._note_fallback,
                               question=self._deps.question,
                               speed_seconds=self._deps.speed_seconds,
                               keep=self.handover.keep if self.handover else None)
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

    def _note_fallback(self, reason: str) -> None:
        # Runs on the job's thread: only emit (the reason is services.loading's sentence).
        self.fallback_noted.emit(reason)

    def _on_fallback_noted(self, text: str) -> None:
        existing = self.fallback_label.text()
        self.fallback_label.setText(f"{existing}\n{text}" if existing else text)

    def _on_task_progress(self, value: object) -> None:
        if not isinstance(value, TrialProgress):
            return
        self.progress_seen.emit(value.stage)
        if value.stage is TrialStage.LOADING:
            self.status_label.setText(self.tr("Loading the model…"))
        elif value.stage is TrialStage.ANSWERING:
            self.status_label.setText(self.tr("The model is answering…"))
            self.answer_view.set_markdown(value.text, is_streaming=True)
        elif value.stage is TrialStage.MEASURING:
            self.status_label.setText(fill(self.tr("Measuring the speed (%1 s)…"),
                                           f"{value.seconds:.0f}"))

    def _on_task_succeeded(self, result: object) -> None:
        assert isinstance(result, FirstAnswer)
        self.result = result
        self.answer_view.set_markdown(result.answer or result.reasoning)
        self.status_label.setText("")
        self.status_label.hide()  # the banner says it
        self.ready_banner.show_ready(result.info.model_name, result.info.backend)
        self.retranslate()
        self.became_ready.emit()
        if result.measured_tps <= 0:
            self.speed_label.setText(self.tr("The speed was not measured."))
            return
        text = fill(self.tr("Measured speed: %1 tokens per second."),
                    f"{result.measured_tps:.1f}")
        if self.recommendation is not None and self._is_recommended_file():
            expected = self.recommendation.plan.expected_tps
            plan = refine_plan(self.recommendation, result.measured_tps)
            try:
                save_plan(plan)  # the measured speed is part of the plan kept
            except PonderError as exc:
                log.warning("the refined plan was not saved: %s", exc)
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
