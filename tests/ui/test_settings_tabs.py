"""The Settings dialog is split in tabs and fits a 1366x768 screen.

Real dialog; a screenshot of each tab for a reviewer.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QAbstractScrollArea, QScrollArea
from pytestqt.qtbot import QtBot

from app.store.settings import Settings
from app.ui.shell.settings_dialog import SettingsDialog
from tests.ui.helpers import snap

SCREEN = (1366, 768 - 40 - 30)  # a small laptop screen less a taskbar and the title bar


def test_each_tab_holds_its_controls_and_the_dialog_fits_a_small_screen(
        qtbot: QtBot, screenshot_dir: Path) -> None:
    dialog = SettingsDialog(Settings(), has_conversation=True)
    qtbot.addWidget(dialog)
    dialog.show()
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles == ["General", "Sampling", "Model", "Local API", "Downloads"]
    assert dialog.width() <= SCREEN[0] and dialog.height() <= SCREEN[1]
    assert dialog.height() >= 500  # not squeezed either
    home = {
        "General": [dialog.language, dialog.theme, dialog.font_size, dialog.send_on_enter,
                    dialog.show_reasoning],
        "Sampling": [dialog.preset, dialog.temperature, dialog.top_p, dialog.top_k,
                     dialog.min_p, dialog.repeat_penalty, dialog.max_tokens,
                     dialog.thinking_budget, dialog.math_mode, dialog.this_chat_only],
        "Model": [dialog.model_page, dialog.n_ctx, dialog.n_threads, dialog.n_gpu_layers],
        "Local API": [dialog.api_page],
        "Downloads": [dialog.sources_box],
    }
    for index, title in enumerate(titles):
        dialog.tabs.setCurrentIndex(index)
        tab = dialog.tabs.widget(index)
        assert isinstance(tab, QScrollArea)
        for widget in home[title]:
            assert widget is not None and tab.isAncestorOf(widget), (title, widget)
            assert widget.isVisible()
        name = title.lower().replace(" ", "_")
        snap(dialog, screenshot_dir / f"settings_tab_{name}.png")
    # The model tab, the tallest, needs at most a short scroll at the default size.
    dialog.show_tab(dialog.n_gpu_layers)
    assert dialog.tabs.currentWidget() is dialog.model_tab
    assert isinstance(dialog.model_tab, QAbstractScrollArea)
    bar = dialog.model_tab.verticalScrollBar()
    assert bar.maximum() <= 80
    dialog.model_page.stop()
    dialog.reject()


def test_the_answers_a_check_compares_are_set_in_the_sampling_tab(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings(), has_conversation=True)
    qtbot.addWidget(dialog)
    assert dialog.check_samples.value() == 0  # automatic: from the machine
    assert dialog.result_settings().check_samples is None
    dialog.check_samples.setValue(4)
    assert dialog.result_settings().check_samples == 4
    dialog.check_samples.setValue(1)  # an answer compared with itself alone: at least 2
    assert dialog.result_settings().check_samples == 2
    again = SettingsDialog(Settings(check_samples=6), has_conversation=True)
    qtbot.addWidget(again)
    assert again.check_samples.value() == 6
    assert again.check_samples.accessibleName().startswith("Answers compared by Check")
