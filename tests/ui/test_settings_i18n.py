"""Settings persistence, presets, per-chat overrides, live language and theme switch."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.chat.profile import GENERIC_PROFILE
from app.services.sampling import PRESETS
from app.store.settings import load_settings
from app.ui.common import i18n, theme
from app.ui.shell.settings_dialog import SettingsBinder
from tests.ui.helpers import Rig, adopted, fake, make_rig, snap

TS = Path(__file__).resolve().parents[2] / "resources" / "i18n" / "ponder_zh_CN.ts"


@pytest.fixture
def rig(qtbot: QtBot, tmp_path: Path) -> Iterator[Rig]:
    r = make_rig(tmp_path / "chats.sqlite3")
    qtbot.addWidget(r.window)
    yield r
    r.close()
    i18n.install("en")


def bind(rig: Rig) -> SettingsBinder:
    binder = SettingsBinder.load()
    binder.attach(rig.controller, rig.window)
    rig.controller._options = binder.generate_options
    return binder


def test_settings_persist_and_reach_the_engine(qtbot: QtBot, rig: Rig,
                                               screenshot_dir: Path) -> None:
    binder = bind(rig)
    dialog = binder.make_dialog()
    qtbot.addWidget(dialog)
    dialog.preset.setCurrentIndex(dialog.preset.findData("math"))
    assert dialog.math_mode.isChecked()
    assert dialog.max_tokens.value() == PRESETS["math"]["max_tokens"]
    dialog.top_k.setValue(17)
    dialog.min_p.setValue(0.12)
    dialog.thinking_budget.setValue(300)
    dialog.show()
    snap(dialog, screenshot_dir / "settings.png")
    binder.apply(dialog.result_settings())
    again = load_settings()
    assert (again.preset, again.top_k, again.min_p, again.thinking_budget) == ("math", 17,
                                                                               0.12, 300)
    options = SettingsBinder.load().generate_options()
    assert options.math_mode and options.thinking_budget == 300
    assert options.sampling.top_k == 17 and options.sampling.max_tokens == 8192
    # Fields left as the preset gives them stay "auto", so a better default can reach them.
    assert (again.temperature, again.max_tokens, again.math_mode) == (None, None, None)
    assert dialog.n_ctx.text() == "Automatic" and again.n_ctx is None


def test_per_conversation_override(qtbot: QtBot, rig: Rig) -> None:
    binder = bind(rig)
    first = rig.controller.new_conversation()
    dialog = binder.make_dialog()
    qtbot.addWidget(dialog)
    dialog.temperature.setValue(0.3)
    dialog.this_chat_only.setChecked(True)
    binder.apply(dialog.result_settings(), this_chat_only=dialog.this_chat_only.isChecked())
    assert binder.generate_options().sampling.temperature == pytest.approx(0.3)
    assert load_settings().temperature is None  # the global setting stays "auto"
    rig.controller.new_conversation()
    # no model loaded: the generic family's default (the loaded family's profile otherwise)
    generic = GENERIC_PROFILE.default_sampling.temperature
    assert binder.generate_options().sampling.temperature == pytest.approx(generic)
    rig.controller.open_conversation(first)
    assert binder.generate_options().sampling.temperature == pytest.approx(0.3)


def test_translation_file_is_complete() -> None:
    root = ET.parse(TS).getroot()
    messages = root.findall(".//message")
    assert len(messages) > 100
    unfinished = [m.findtext("source") for m in messages
                  if m.find("translation").get("type") in ("unfinished", "vanished")]
    assert unfinished == []
    qm = TS.with_suffix(".qm")
    assert qm.exists() and qm.stat().st_mtime >= TS.stat().st_mtime - 1


def test_language_switches_live(qtbot: QtBot, rig: Rig, screenshot_dir: Path) -> None:
    binder = bind(rig)
    with qtbot.waitSignal(rig.controller.model_changed, timeout=5000):
        rig.controller.load_model(adopted(fake))
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=15000):
        rig.controller.send("1+3+5+...+(2n-1) 等于多少？")
    assert rig.window.composer.send_button.text() == "Send"
    binder.apply(binder.settings.__class__(**{**binder.settings.__dict__, "language": "zh_CN"}))
    qtbot.waitUntil(lambda: rig.window.composer.send_button.text() == "发送", timeout=2000)
    assert rig.window.sidebar.new_button.text() == "新对话"
    widget = rig.window.chat_view.message_widgets[-1]
    assert widget.regenerate_button.text() == "重新生成"
    assert widget.reasoning.toggle_button.text().startswith("思考了")
    assert widget.boxed_label.toPlainText().strip().startswith("答案")
    assert load_settings().language == "zh_CN"
    snap(rig.window, screenshot_dir / "chinese_ui.png")
    binder.apply(binder.settings.__class__(**{**binder.settings.__dict__, "language": "en"}))
    qtbot.waitUntil(lambda: rig.window.composer.send_button.text() == "Send", timeout=2000)


def test_dark_theme(qtbot: QtBot, tmp_path: Path, screenshot_dir: Path) -> None:
    rig = make_rig(tmp_path / "dark.sqlite3", theme.Scheme.DARK)
    qtbot.addWidget(rig.window)
    try:
        assert theme.current().is_dark
        with qtbot.waitSignal(rig.controller.model_changed, timeout=5000):
            rig.controller.load_model(adopted(fake))
        with qtbot.waitSignal(rig.controller.reply_finished, timeout=15000):
            rig.controller.send("Sum of the first n odd numbers?")
        widget = rig.window.chat_view.message_widgets[-1]
        qtbot.mouseClick(widget.reasoning.toggle_button, Qt.MouseButton.LeftButton)
        window_color = rig.window.palette().color(rig.window.backgroundRole())
        assert window_color.lightness() < 80
        snap(rig.window, screenshot_dir / "dark_theme.png")
    finally:
        rig.close()
        app_theme = theme.Scheme.LIGHT
        from PySide6.QtWidgets import QApplication

        theme.apply(QApplication.instance(), app_theme)  # type: ignore[arg-type]


def test_pyside_void_calls_do_not_corrupt_none(tmp_path: Path) -> None:
    """PySide6 6.12.0 on CPython 3.11 aborts after a few thousand void calls."""
    script = (
        "import sys\n"
        "from PySide6.QtCore import QObject, QTimer, QCoreApplication\n"
        "app = QCoreApplication([])\n"
        "o = QObject(); t = QTimer()\n"
        "before = sys.getrefcount(None)\n"
        "for i in range(20000):\n"
        "    o.setObjectName('x'); t.stop()\n"
        "print('ok', sys.getrefcount(None) - before)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, env={"QT_QPA_PLATFORM": "offscreen",
                                              "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("ok")
    # None's reference count must not drift by tens of thousands
    assert abs(int(result.stdout.split()[1])) < 1000


def test_qt_standard_buttons_follow_the_ui_language(qtbot: QtBot, rig: Rig) -> None:
    from PySide6.QtCore import QCoreApplication

    assert i18n.install("zh_CN") == "zh_CN"
    try:
        # Qt's own strings (wizard and dialog buttons) come from qtbase_zh_CN.qm
        assert QCoreApplication.translate("QWizard", "&Next") != "&Next"
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    finally:
        assert i18n.install("en") == "en"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
