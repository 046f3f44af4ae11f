"""Help menu: About (versions, model licence, third-party licences), logs folder, diagnostics."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
)
from pytestqt.qtbot import QtBot

from app import __version__
from app.ui.shell.about_dialog import AboutDialog, LoadedModel, model_licence
from app.ui.shell.help_menu import HelpMenu
from tests.ui.helpers import snap


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[QMainWindow]:
    win = QMainWindow()
    qtbot.addWidget(win)
    win.resize(800, 600)
    win.show()
    yield win


def test_about_names_versions_model_licence_and_notices(
        qtbot: QtBot, window: QMainWindow, smollm2_path: Path, screenshot_dir: Path) -> None:
    menu = HelpMenu.install(
        window, lambda: LoadedModel("SmolLM2-135M-Instruct", smollm2_path, "CPU"))
    assert [a.text() for a in window.menuBar().actions()] == ["&Help"]
    dialog = menu.show_about()
    qtbot.waitExposed(dialog)
    assert dialog.title.text() == f"Ponder {__version__}"
    assert "Qt 6." in dialog.toolkit_value.text() and "PySide6" in dialog.toolkit_value.text()
    assert dialog.llama_value.text().startswith("llama-cpp-python 0.")
    assert "backends: CPU" in dialog.llama_value.text()
    assert dialog.model_value.text() == "SmolLM2-135M-Instruct on CPU"
    assert dialog.licence_value.text() == "apache-2.0"  # read from the GGUF header
    notices = dialog.notices.toPlainText()
    assert "LGPL-3.0" in notices and "Replacing the libraries" in notices
    assert "llama.cpp" in notices and "MIT" in notices and "STIX Two Math" in notices
    controls = [*dialog.findChildren(QAbstractButton), *dialog.findChildren(QPlainTextEdit)]
    assert len(controls) >= 3
    for widget in controls:
        assert widget.accessibleName(), widget
    snap(dialog, screenshot_dir / "about_dialog.png")
    opened: list[QUrl] = []
    dialog.open_url = lambda url: opened.append(url) or True
    dialog.folder_button.click()
    assert Path(opened[0].toLocalFile(), "LGPL-3.0.txt").is_file()
    assert dialog.close_button is not None
    dialog.close_button.click()
    qtbot.waitUntil(lambda: menu.about is None)


def test_about_without_a_model_says_so(qtbot: QtBot) -> None:
    dialog = AboutDialog(LoadedModel())
    qtbot.addWidget(dialog)
    assert dialog.model_value.text() == "none loaded"
    assert dialog.licence_value.text() == "—"
    assert model_licence(LoadedModel("x", Path("/no/such/file.gguf"))) == ""
    assert model_licence(LoadedModel("x", None, licence="MIT")) == "MIT"
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert "Model licence:" in labels


def test_open_logs_folder_and_copy_diagnostics(window: QMainWindow, ponder_home: Path) -> None:
    menu = HelpMenu.install(window, lambda: LoadedModel("Demo", None, "CPU"))
    opened: list[QUrl] = []
    menu.open_url = lambda url: opened.append(url) or True
    menu.logs_action.trigger()
    assert opened == [QUrl.fromLocalFile(str(ponder_home / "logs"))]
    assert (ponder_home / "logs").is_dir()
    menu.diagnostics_action.trigger()
    copied = QGuiApplication.clipboard().text()
    assert copied == menu.last_report
    assert copied.startswith(f"Ponder {__version__}\n")
    assert "Qt 6." in copied and "llama.cpp backends: CPU" in copied
    assert "Model: Demo on CPU" in copied
    assert str(Path.home()) not in copied and str(ponder_home) not in copied
    assert "Diagnostics copied" in window.statusBar().currentMessage()


def test_main_window_has_the_help_menu_and_knows_the_model(qtbot: QtBot, tmp_path: Path) -> None:
    from app.ui.shell.help_menu import model_in_use
    from tests.ui.helpers import adopted, fake, make_rig

    rig = make_rig(tmp_path / "chats.sqlite3")
    qtbot.addWidget(rig.window)
    try:
        titles = [a.text() for a in rig.window.menuBar().actions()]
        assert titles == ["&File", "&Edit", "&Help"]
        assert model_in_use(rig.controller, None) == LoadedModel()
        with qtbot.waitSignal(rig.controller.model_changed, timeout=5000):
            rig.controller.load_model(adopted(fake))
        model = model_in_use(rig.controller, None)
        assert model.name == "Fake model" and model.backend == "fake"
    finally:
        rig.close()


def test_about_and_find_bar_in_chinese(qtbot: QtBot, window: QMainWindow,
                                       screenshot_dir: Path) -> None:
    from app.ui.chat.find_bar import FindBar
    from app.ui.common import i18n

    assert i18n.install("zh_CN") == "zh_CN"
    try:
        menu = HelpMenu.install(window, lambda: LoadedModel("Demo", None, "CPU"))
        assert menu.menu.title() == "帮助(&H)"
        dialog = menu.show_about()
        qtbot.waitExposed(dialog)
        assert dialog.windowTitle() == "关于 Ponder"
        assert dialog.licence_value.text() == "模型文件中未注明"
        snap(dialog, screenshot_dir / "about_dialog_zh.png")
        bar = FindBar(window)
        bar.open_bar("x")
        bar.set_count(2, 5)
        assert bar.count_label.text() == "第 2 个，共 5 个"
        assert bar.field.placeholderText() == "在此对话中查找"
        dialog.reject()
    finally:
        i18n.install("en")


def test_language_change_without_the_window_attribute_is_ignored(
        qtbot: QtBot, window: QMainWindow) -> None:
    # At teardown Python may clear the menu's attributes (a collected cycle) while Qt
    # still calls its event filter for the window; that must not raise.
    menu = HelpMenu.install(window, LoadedModel)
    del menu._window
    with qtbot.capture_exceptions() as raised:
        QApplication.sendEvent(window, QEvent(QEvent.Type.LanguageChange))
    assert raised == []
    # With the window there, a language change still retranslates the menu.
    menu._window = window
    menu.menu.setTitle("x")
    QApplication.sendEvent(window, QEvent(QEvent.Type.LanguageChange))
    assert menu.menu.title() == "&Help"
