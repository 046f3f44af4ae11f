"""The first-run wizard: this computer → model → download or import → first answer → ready.

Each page has its own module; every slow step runs in a TaskThread
(app.ui.threads.model_tasks) around an app.services job, and the pages only
show what the jobs report. The plan is saved in the settings as soon as it is
made (and again with the measured speed), so every later load honours it.
The wizard can be skipped (remembered in the settings) and opened again
from the Models page.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from enum import IntEnum
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget, QWizard

from app.core.errors import PonderError
from app.services.setup import Recommendation, save_plan
from app.store.settings import load_settings, save_settings
from app.ui.setup.deps import SetupDeps
from app.ui.setup.get_model_page import GetModelPage
from app.ui.setup.hardware_page import HardwarePage
from app.ui.setup.step_indicator import StepIndicator
from app.ui.setup.trial_page import TrialPage

log = logging.getLogger(__name__)


class WizardStage(IntEnum):
    """The wizard's steps, in order; each value is its page id in the QWizard."""

    HARDWARE = 0
    """Probe this computer and recommend a model file."""
    GET_MODEL = 1
    """Download the recommended file or import one."""
    FIRST_ANSWER = 2
    """Load the model, answer a test question, measure the speed."""


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
        self.setPage(WizardStage.HARDWARE, self.hardware_page)
        self.setPage(WizardStage.GET_MODEL, self.model_page)
        self.setPage(WizardStage.FIRST_ANSWER, self.trial_page)
        self.hardware_page.recommended.connect(self._on_hardware_page_recommended)
        self.model_page.installed.connect(self._on_model_page_installed)
        self.customButtonClicked.connect(self._on_custom_button_clicked)
        self.steps = StepIndicator(self)  # the mark and where the user is in the setup
        self.setSideWidget(self.steps)
        self.currentIdChanged.connect(self._on_current_id_changed)
        self.trial_page.became_ready.connect(self._on_trial_page_became_ready)
        self.setMinimumSize(640, 480)
        self.retranslate()

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        self.setWindowTitle(self.tr("Set up a model"))
        self.setButtonText(QWizard.WizardButton.CustomButton1, self.tr("Skip for now"))
        self.button(QWizard.WizardButton.CustomButton1).setAccessibleName(
            self.tr("Skip the setup"))

    @property
    def stage(self) -> WizardStage | None:
        """The step on screen (None before the wizard shows its first page)."""
        page_id = self.currentId()
        return WizardStage(page_id) if page_id in set(WizardStage) else None

    def _on_current_id_changed(self, page_id: int) -> None:
        if page_id in set(WizardStage):
            self.steps.set_current(list(WizardStage).index(WizardStage(page_id)))

    def _on_trial_page_became_ready(self) -> None:
        self.steps.set_current(len(self.steps.step_labels) - 1)  # the last step: ready

    def _on_hardware_page_recommended(self, rec: object) -> None:
        assert isinstance(rec, Recommendation)
        try:
            save_plan(rec.plan)
        except PonderError as exc:
            log.warning("the plan was not saved: %s", exc)
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
