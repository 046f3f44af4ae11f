"""The wizard's last steps with a real model: the first answer streams in, then "Ready".

SmolLM2 (the packaged demo model) answers through llama.cpp with the hub
unreachable; screenshots of the first-answer and ready steps in light, dark
and Chinese.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWizard
from pytestqt.qtbot import QtBot

from app.ui.common import i18n, theme
from app.ui.setup.wizard import SetupWizard, WizardStage
from app.ui.threads.model_tasks import TrialStage
from tests.ui.helpers import snap
from tests.ui.test_demo_model import offline_deps

VARIANTS = [(theme.Scheme.LIGHT, "en"), (theme.Scheme.DARK, "en"), (theme.Scheme.LIGHT, "zh_CN")]


@pytest.mark.slow
@pytest.mark.parametrize(("scheme", "language"), VARIANTS)
def test_first_answer_then_ready(qtbot: QtBot, smollm2_path: Path, screenshot_dir: Path,
                                 scheme: theme.Scheme, language: str) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply(app, scheme)
    assert i18n.install(language) == language
    suffix = f"{scheme.value}_{language}"
    try:
        deps = offline_deps(smollm2_path)
        deps.speed_seconds = 2.0
        wizard = SetupWizard(deps)
        qtbot.addWidget(wizard)
        wizard.resize(760, 560)
        with qtbot.waitSignal(wizard.hardware_page.recommended, timeout=10000):
            wizard.show()
        wizard.next()
        with qtbot.waitSignal(wizard.model_page.installed, timeout=30000):
            wizard.model_page.demo_offer.use_button.click()
        qtbot.waitUntil(lambda: wizard.button(QWizard.WizardButton.NextButton).isEnabled(),
                        timeout=5000)
        trial = wizard.trial_page
        steps = wizard.steps
        english_ready = "Ready"

        def measuring(stage: object) -> bool:
            return stage is TrialStage.MEASURING

        with qtbot.waitSignal(trial.progress_seen, timeout=90000, check_params_cb=measuring):
            wizard.next()
        # step 3: the answer is in (drawn as the chat draws it), the speed is being measured
        assert wizard.stage is WizardStage.FIRST_ANSWER and steps.current == 2
        assert trial.answer_view.text.strip()
        assert not trial.ready_banner.isVisible() and not trial.is_ready
        snap(wizard, screenshot_dir / f"wizard_steps_3_{suffix}.png")
        with qtbot.waitSignal(trial.trial_ended, timeout=60000):
            pass
        assert trial.result is not None, trial.error_label.text()
        # step 4: ready, with the product mark and the first answer
        assert trial.is_ready and trial.ready_banner.isVisible()
        assert not trial.ready_banner.mark.pixmap().isNull()
        assert steps.current == 3
        assert all("✓" in label.text() for label in steps.step_labels[:3])
        assert trial.answer_view.text.strip() == trial.result.answer
        assert trial.result.info.model_name in trial.ready_banner.line.text()
        finish = wizard.button(QWizard.WizardButton.FinishButton)
        if language == "en":
            assert trial.title() == english_ready
            assert trial.ready_banner.headline.text() == "Ponder is ready"
            assert finish.text() == "Start chatting"
            assert steps.step_labels[3].accessibleName() == "Step 4 of 4: Ready, current step"
        else:
            assert trial.title() != english_ready and finish.text() != "Start chatting"
            assert trial.ready_banner.headline.text() != "Ponder is ready"
            assert steps.step_labels[3].accessibleName().startswith("第 4 步")
        assert finish.isEnabled()
        snap(wizard, screenshot_dir / f"wizard_steps_4_ready_{suffix}.png")
        with qtbot.waitSignal(wizard.model_ready, timeout=5000):
            finish.click()
    finally:
        i18n.install("en")
        theme.apply(app, theme.Scheme.LIGHT)
