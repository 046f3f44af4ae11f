"""Instructions for one chat: edited in Settings, stored, sent first with every reply."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QTabWidget
from pytestqt.qtbot import QtBot

from app.core.types import ChatMessage, Role
from app.engine.fake import FakeBackend
from app.services.replies import instructions_of
from app.ui.common import i18n
from app.ui.main import build_gui
from app.ui.shell.chat_instructions import ChatInstructions, InstructionsBox
from app.ui.shell.settings_dialog import SettingsBinder, SettingsDialog
from tests.ui.helpers import Rig, adopted, make_rig, snap

INSTRUCTION = "Answer in French. Explain each step for a first-year student."


@pytest.fixture
def rig(qtbot: QtBot, tmp_path: Path) -> Iterator[Rig]:
    r = make_rig(tmp_path / "chats.sqlite3")
    qtbot.addWidget(r.window)
    yield r
    r.close()
    i18n.install("en")


def _binder(rig: Rig) -> SettingsBinder:
    binder = SettingsBinder.load()
    binder.attach(rig.controller, rig.window)
    ChatInstructions(binder, rig.controller)
    return binder


def _dialog(qtbot: QtBot, binder: SettingsBinder) -> SettingsDialog:
    dialog = binder.make_dialog()
    qtbot.addWidget(dialog)
    return dialog


def _show_box(dialog: SettingsDialog, box: InstructionsBox) -> str:
    """Bring the box's tab (when the dialog has tabs) to the front; its title."""
    dialog.show()
    dialog.resize(dialog.sizeHint().expandedTo(QSize(640, 480)))
    tabs = getattr(dialog, "tabs", None)
    if isinstance(tabs, QTabWidget) and box.tab is not None:
        tabs.setCurrentWidget(box.tab)
        return tabs.tabText(tabs.currentIndex())
    return ""


def _send(qtbot: QtBot, rig: Rig, text: str) -> None:
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=15000):
        rig.window.composer.set_text(text)
        qtbot.keyClick(rig.window.composer.input, Qt.Key.Key_Return)


def test_instructions_are_edited_stored_and_sent_first(qtbot: QtBot, rig: Rig,
                                                       screenshot_dir: Path) -> None:
    backend = FakeBackend("", "Quatre.", chunk_chars=4)
    with qtbot.waitSignal(rig.controller.model_changed, timeout=5000):
        rig.controller.load_model(adopted(lambda: backend))
    binder = _binder(rig)
    conversation = rig.controller.new_conversation()
    dialog = _dialog(qtbot, binder)
    box = dialog.instructions_box  # type: ignore[attr-defined]
    assert box.field.isEnabled() and box.text() == ""
    assert "R1" in box.hint.text() and "first message" in box.hint.text()
    assert box.field.accessibleName() == "Instructions for this chat"
    box.field.setPlainText(f"{INSTRUCTION}\n")
    assert _show_box(dialog, box) in ("This chat", "")
    assert box.isVisible()
    snap(dialog, screenshot_dir / "settings_chat_instructions.png")
    dialog.accept()
    assert instructions_of(rig.store, conversation) == INSTRUCTION

    _send(qtbot, rig, "What is 2 + 2?")
    assert backend.calls[-1] == [ChatMessage(Role.SYSTEM, INSTRUCTION),
                                 ChatMessage(Role.USER, "What is 2 + 2?")]
    # a regenerated reply is sent with them too
    reply_id = rig.store.active_path(conversation)[-1].id
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=15000):
        rig.controller.regenerate(reply_id)
    assert backend.calls[-1][0] == ChatMessage(Role.SYSTEM, INSTRUCTION)
    assert [m.role for m in backend.calls[-1]] == [Role.SYSTEM, Role.USER]

    # the next dialog shows them; Cancel keeps them; clearing them and OK removes them
    again = _dialog(qtbot, binder)
    assert again.instructions_box.text() == INSTRUCTION  # type: ignore[attr-defined]
    again.instructions_box.field.setPlainText("")  # type: ignore[attr-defined]
    again.reject()
    assert instructions_of(rig.store, conversation) == INSTRUCTION
    cleared = _dialog(qtbot, binder)
    cleared.instructions_box.field.setPlainText("  ")  # type: ignore[attr-defined]
    cleared.accept()
    assert instructions_of(rig.store, conversation) == ""
    _send(qtbot, rig, "And 3 + 3?")
    assert all(m.role is not Role.SYSTEM for m in backend.calls[-1])

    # another chat has its own (none): nothing of the first one is sent there
    rig.controller.new_conversation()
    _send(qtbot, rig, "Hello")
    assert backend.calls[-1] == [ChatMessage(Role.USER, "Hello")]


def test_without_an_open_chat_the_box_says_how_to_get_one(qtbot: QtBot, rig: Rig) -> None:
    binder = _binder(rig)
    assert rig.controller.conversation_id is None
    dialog = _dialog(qtbot, binder)
    box = dialog.instructions_box  # type: ignore[attr-defined]
    assert not box.field.isEnabled()
    assert box.hint.text() == "Open or start a chat to give it instructions."
    dialog.accept()  # nothing to store, no error
    assert rig.store.list_conversations() == []



def test_the_window_built_for_real_edits_instructions(qtbot: QtBot) -> None:
    gui = build_gui([], language="en")
    window: Any = gui.window
    controller: Any = gui.controller
    controller.show_dialogs = False
    qtbot.addWidget(window)
    try:
        (wiring,) = controller.findChildren(ChatInstructions)
        conversation = controller.new_conversation()
        dialog = _dialog(qtbot, wiring.binder)
        dialog.instructions_box.field.setPlainText("Use SI units.")
        dialog.accept()
        assert instructions_of(controller.store, conversation) == "Use SI units."
    finally:
        gui.client.shutdown()
        window.close()
        controller.store.close()


def test_the_box_in_chinese(qtbot: QtBot, rig: Rig, screenshot_dir: Path) -> None:
    i18n.install("zh_CN")
    binder = _binder(rig)
    rig.controller.new_conversation()
    dialog = _dialog(qtbot, binder)
    box = dialog.instructions_box  # type: ignore[attr-defined]
    assert box.title.text() != "Instructions for this chat"
    assert "R1" in box.hint.text()
    assert _show_box(dialog, box) != "This chat"
    assert box.isVisible()
    snap(dialog, screenshot_dir / "settings_chat_instructions_zh.png")
