"""The wizard shows the product mark and where the user is: light, dark and Chinese."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core import paths
from app.ui.common import i18n, theme
from app.ui.setup.deps import SetupDeps
from app.ui.setup.wizard import SetupWizard
from tests.support.model_setup import fast_settings, hub_mirror, one_model_catalog
from tests.ui.helpers import snap


def _deps(smollm2_path: Path) -> SetupDeps:
    data = smollm2_path.read_bytes()
    catalog = one_model_catalog([("Q4_1", "SmolLM2-135M-Instruct.Q4_1.gguf", len(data),
                                  hashlib.sha256(data).hexdigest())])
    return SetupDeps(models_dir=paths.models_dir(), catalog=catalog,
                     mirrors=[hub_mirror("http://127.0.0.1:9")],
                     download_settings=fast_settings(), gpu_offload=lambda: False)


@pytest.mark.parametrize(("scheme", "language"), [
    (theme.Scheme.LIGHT, "en"), (theme.Scheme.DARK, "en"), (theme.Scheme.LIGHT, "zh_CN")])
def test_step_indicator_follows_the_pages(qtbot: QtBot, smollm2_path: Path, screenshot_dir: Path,
                                          scheme: theme.Scheme, language: str) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply(app, scheme)
    assert i18n.install(language) == language
    try:
        wizard = SetupWizard(_deps(smollm2_path))
        qtbot.addWidget(wizard)
        wizard.resize(760, 560)
        with qtbot.waitSignal(wizard.hardware_page.recommended, timeout=10000):
            wizard.show()
        steps = wizard.steps
        assert wizard.sideWidget() is steps and not steps.mark.pixmap().isNull()
        assert steps.current == 0
        first = steps.step_labels[0].accessibleName()
        suffix = f"{scheme.value}_{language}"
        if language == "en":
            assert first == "Step 1 of 4: This computer, current step"
        else:
            assert first.startswith("第 1 步") and "当前步骤" in first
        snap(wizard, screenshot_dir / f"wizard_steps_1_{suffix}.png")
        wizard.next()
        assert steps.current == 1
        assert "✓" in steps.step_labels[0].text()
        if language == "en":
            assert steps.step_labels[0].accessibleName().endswith(", done")
            assert steps.step_labels[2].accessibleName() == "Step 3 of 4: First answer, to do"
        snap(wizard, screenshot_dir / f"wizard_steps_2_{suffix}.png")
        wizard.reject()
    finally:
        i18n.install("en")
        theme.apply(app, theme.Scheme.LIGHT)
