"""Every control in the wizard, the Models page and the dialogs has an accessible name.

The name a screen reader announces: the accessible name, else (as Qt does)
a button's own text or the text of the label whose buddy the control is.
Also: focus returns to the window after a dialog closes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.core import paths
from app.models.demo import find_demo_models
from app.ui.setup.deps import SetupDeps
from app.ui.setup.models_page import ModelsPage
from app.ui.setup.wizard import SetupWizard
from app.ui.shell.about_dialog import AboutDialog, LoadedModel
from app.ui.shell.settings_dialog import SettingsBinder
from tests.support.model_setup import fast_settings, hub_mirror, one_model_catalog
from tests.ui.helpers import Rig, make_rig

CONTROLS = (QAbstractButton, QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractSpinBox,
            QAbstractItemView, QProgressBar)


def _buddies(root: QWidget) -> dict[int, str]:
    return {id(label.buddy()): label.text() for label in root.findChildren(QLabel)
            if label.buddy() is not None}


def unnamed(root: QWidget) -> list[str]:
    """Visible controls under `root` that a screen reader could not name."""
    buddies = _buddies(root)
    missing = []
    for kind in CONTROLS:
        for widget in root.findChildren(kind):
            if not widget.isVisibleTo(root) or widget.accessibleName().strip():
                continue
            if isinstance(widget, QHeaderView) or isinstance(
                    widget.parent(), (QAbstractSpinBox, QComboBox)):
                continue  # parts of a table, spin box or combo box, named with it
            if isinstance(widget, QAbstractButton) and widget.text().replace("&", "").strip():
                continue
            if buddies.get(id(widget), "").strip():
                continue
            missing.append(f"{type(widget).__name__}:{widget.objectName()}")
    return sorted(set(missing))


@pytest.fixture
def rig(qtbot: QtBot, tmp_path: Path) -> Iterator[Rig]:
    r = make_rig(tmp_path / "chats.sqlite3")
    qtbot.addWidget(r.window)
    yield r
    r.close()


def test_wizard_pages_name_every_control(qtbot: QtBot, smollm2_path: Path) -> None:
    data = smollm2_path.read_bytes()
    catalog = one_model_catalog([("Q4_1", "SmolLM2-135M-Instruct.Q4_1.gguf", len(data),
                                  hashlib.sha256(data).hexdigest())])
    deps = SetupDeps(models_dir=paths.models_dir(), catalog=catalog,
                     mirrors=[hub_mirror("http://127.0.0.1:9")],
                     download_settings=fast_settings(), gpu_offload=lambda: False)
    wizard = SetupWizard(deps)
    qtbot.addWidget(wizard)
    with qtbot.waitSignal(wizard.hardware_page.recommended, timeout=10000):
        wizard.show()
    assert unnamed(wizard) == []
    wizard.next()
    assert wizard.currentPage() is wizard.model_page
    assert unnamed(wizard) == []


def test_models_page_names_every_control(qtbot: QtBot, ponder_home: Path) -> None:
    page = ModelsPage(ponder_home / "models", None, demo_models=find_demo_models)
    qtbot.addWidget(page)
    page.show()
    assert unnamed(page) == []


def test_dialogs_name_every_control(qtbot: QtBot, rig: Rig) -> None:
    binder = SettingsBinder.load()
    binder.attach(rig.controller, rig.window)
    settings = binder.make_dialog()
    qtbot.addWidget(settings)
    settings.show()
    for index in range(settings.tabs.count()):  # each tab's controls, shown in turn
        settings.tabs.setCurrentIndex(index)
        assert unnamed(settings) == [], settings.tabs.tabText(index)
    about = AboutDialog(LoadedModel("Demo", None, "CPU"), rig.window)
    qtbot.addWidget(about)
    about.show()
    assert unnamed(about) == []
    rig.window.find_bar.open_bar()
    assert unnamed(rig.window.find_bar) == []


def test_focus_returns_to_the_window_after_a_dialog(qtbot: QtBot, rig: Rig) -> None:
    window = rig.window
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    window.composer.input.setFocus()
    qtbot.waitUntil(window.composer.input.hasFocus, timeout=2000)
    dialog = window.help_menu.show_about()
    qtbot.waitExposed(dialog)
    assert dialog.close_button is not None
    dialog.close_button.click()
    qtbot.waitUntil(lambda: window.help_menu.about is None, timeout=3000)
    qtbot.waitUntil(window.composer.input.hasFocus, timeout=3000)


def test_the_check_notices_a_nameless_control(qtbot: QtBot) -> None:
    probe = QWidget()
    qtbot.addWidget(probe)
    QLineEdit(probe)
    label = QLabel("Named by its label", probe)
    label.setBuddy(QComboBox(probe))
    assert unnamed(probe) == ["QLineEdit:"]


def test_the_message_list_can_be_walked_with_tab(qtbot: QtBot, rig: Rig) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from tests.ui.helpers import adopted, fake

    with qtbot.waitSignal(rig.controller.model_changed, timeout=5000):
        rig.controller.load_model(adopted(fake))
    for question in ("First question?", "Second question?"):
        with qtbot.waitSignal(rig.controller.reply_finished, timeout=15000):
            rig.controller.send(question)
    window = rig.window
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    messages = window.chat_view.message_widgets
    messages[0].copy_button.setFocus()
    qtbot.waitUntil(messages[0].copy_button.hasFocus, timeout=2000)
    reached: set[int] = set()
    for _ in range(80):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        for index, message in enumerate(messages):
            if focused is not None and message.isAncestorOf(focused):
                reached.add(index)
    assert reached == set(range(len(messages))), reached
