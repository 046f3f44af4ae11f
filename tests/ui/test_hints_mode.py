"""Hints mode in the window: the preset, the hidden answer, Reveal answer, Next hint.

A real SQLite store and the worker thread; the scripted backend for the
screens, and SmolLM2 through llama.cpp for the real prompt path.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.core.types import Role
from app.engine.fake import FakeBackend
from app.services.hints import ANSWER_PLACEHOLDER, HINT_INSTRUCTION, NEXT_HINT_TEXT, hint_state
from app.store.settings import Settings, save_settings
from app.ui.chat.hint_bar import HintBar, book_of, hint_bar_of
from app.ui.chat.math_queue import warm_up_renderer
from app.ui.chat.message_widget import MessageWidget
from app.ui.common import i18n
from app.ui.main import build_gui
from app.ui.shell.hints_mode import HintsMode
from app.ui.shell.model_loads import ModelLoads
from app.ui.shell.settings_dialog import SettingsBinder
from tests.ui.helpers import Rig, adopted, make_rig, snap

SOLUTION = "Subtract 3 from both sides: 2x = 4, then divide by 2, so x = 2."
HINT = r"Start by getting $2x$ alone. (Then $x = \boxed{2}$.)"


def _wire(rig: Rig) -> tuple[SettingsBinder, HintsMode]:
    binder = SettingsBinder.load()
    binder.attach(rig.controller, rig.window)
    rig.controller._options = binder.generate_options  # as build_gui wires it
    return binder, HintsMode(binder, rig.controller)


@pytest.fixture
def rig(qtbot: QtBot, tmp_path: Path) -> Iterator[Rig]:
    r = make_rig(tmp_path / "chats.sqlite3")
    qtbot.addWidget(r.window)
    yield r
    r.close()


def _load_fake(qtbot: QtBot, rig: Rig) -> FakeBackend:
    backend = FakeBackend(SOLUTION, HINT, chunk_chars=6)
    with qtbot.waitSignal(rig.controller.model_changed, timeout=5000):
        rig.controller.load_model(adopted(lambda: backend))
    return backend


def _send(qtbot: QtBot, rig: Rig, text: str, timeout_ms: int = 15000) -> int:
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=timeout_ms) as blocker:
        rig.controller.send(text)
    return int(blocker.args[0])


def _widget(rig: Rig, message_id: int) -> MessageWidget:
    widget = rig.window.chat_view.widget_for(message_id)
    assert widget is not None
    return widget


def _bar(widget: MessageWidget) -> HintBar:
    bar = hint_bar_of(widget)
    assert bar is not None
    return bar


def test_the_hints_preset_is_chosen_beside_math_tutor(qtbot: QtBot, rig: Rig) -> None:
    binder, _mode = _wire(rig)
    dialog = binder.make_dialog()
    qtbot.addWidget(dialog)
    names = [dialog.preset.itemText(i) for i in range(dialog.preset.count())]
    assert names[names.index("Math tutor") + 1] == "Hints"
    dialog.preset.setCurrentIndex(dialog.preset.findData("hints"))
    binder.apply(dialog.result_settings())
    assert binder.settings.preset == "hints"
    assert binder.generate_options().hints and not binder.generate_options().math_mode


def test_a_hint_answer_hides_its_result_until_revealed(qtbot: QtBot, rig: Rig, tmp_path: Path,
                                                       screenshot_dir: Path) -> None:
    backend = _load_fake(qtbot, rig)
    binder, _mode = _wire(rig)
    binder.apply(dataclasses.replace(binder.settings, preset="hints"))
    reply_id = _send(qtbot, rig, "Solve 2x + 3 = 7.")
    # the model was asked for the next step only, on the user's turn; the store keeps what was typed
    sent = backend.calls[-1]
    assert sent[-1].role is Role.USER
    assert sent[-1].content == f"Solve 2x + 3 = 7.\n\n{HINT_INSTRUCTION}"
    conversation = rig.controller.conversation_id
    assert conversation is not None
    assert rig.store.active_path(conversation)[0].content == "Solve 2x + 3 = 7."
    assert hint_state(rig.store, conversation).answers == {reply_id}

    widget = _widget(rig, reply_id)
    assert ANSWER_PLACEHOLDER in widget.body.text and "boxed{2}" not in widget.body.text
    assert widget.reasoning.isVisible()
    widget.reasoning.toggle_button.click()  # unfolded, it shows only why it is hidden
    assert SOLUTION not in widget.reasoning.body.text
    assert "hidden until you reveal" in widget.reasoning.body.text
    assert widget._boxed_label is None or not widget._boxed_label.isVisible()
    bar = _bar(widget)
    assert bar.isVisible() and bar.reveal_button.isVisible() and bar.next_button.isVisible()
    assert bar.note.text() == "Hint. The answer is hidden."
    warm_up_renderer()  # formulas drawn for the screenshot
    qtbot.waitUntil(lambda: not widget.body.has_pending_math, timeout=20000)
    snap(rig.window, screenshot_dir / "hints_hidden_answer.png")

    bar.reveal_button.click()
    assert "boxed{2}" in widget.body.text and ANSWER_PLACEHOLDER not in widget.body.text
    if widget.reasoning.is_collapsed:
        widget.reasoning.toggle_button.click()
    assert widget.reasoning.body.text == SOLUTION
    assert not bar.reveal_button.isVisible() and bar.next_button.isVisible()
    assert hint_state(rig.store, conversation).revealed == {reply_id}
    qtbot.waitUntil(lambda: not widget.body.has_pending_math, timeout=20000)
    snap(rig.window, screenshot_dir / "hints_revealed.png")

    # Next hint sends a follow-up turn with the same instruction; the new answer is a hint too
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=15000) as blocker:
        bar.next_button.click()
    second = int(blocker.args[0])
    assert backend.calls[-1][-1].content == f"{NEXT_HINT_TEXT}\n\n{HINT_INSTRUCTION}"
    assert sum(m.content.count(HINT_INSTRUCTION) for m in backend.calls[-1]) == 1
    path = rig.store.active_path(conversation)
    assert [m.content for m in path if m.role == "user"] == ["Solve 2x + 3 = 7.", NEXT_HINT_TEXT]
    assert hint_state(rig.store, conversation).answers == {reply_id, second}
    assert not _bar(_widget(rig, reply_id)).next_button.isVisible()  # only under the newest
    new_bar = _bar(_widget(rig, second))
    assert new_bar.reveal_button.isVisible() and new_bar.next_button.isVisible()
    assert ANSWER_PLACEHOLDER in _widget(rig, second).body.text

    # the reveal is remembered per message: a new window over the same chats
    rig.close()
    again = make_rig(tmp_path / "chats.sqlite3")
    qtbot.addWidget(again.window)
    try:
        _wire(again)
        again.controller.open_conversation(conversation)
        assert "boxed{2}" in _widget(again, reply_id).body.text
        assert ANSWER_PLACEHOLDER in _widget(again, second).body.text
    finally:
        again.close()


def test_the_real_window_wires_hints_mode(qtbot: QtBot) -> None:
    gui = build_gui([], language="en")
    window: Any = gui.window
    controller: Any = gui.controller
    qtbot.addWidget(window)
    try:
        (mode,) = controller.findChildren(HintsMode)
        assert book_of(window.chat_view) is mode.book
        assert controller._options == mode.binder.generate_options  # the preset reaches replies
    finally:
        gui.client.shutdown()
        window.close()
        controller.store.close()


def test_the_hint_bar_in_chinese(qtbot: QtBot, rig: Rig, screenshot_dir: Path) -> None:
    _load_fake(qtbot, rig)
    binder, _mode = _wire(rig)
    binder.apply(dataclasses.replace(binder.settings, preset="hints"))
    i18n.install("zh_CN")
    try:
        reply_id = _send(qtbot, rig, "解方程 2x + 3 = 7。")
        widget = _widget(rig, reply_id)
        bar = _bar(widget)
        assert (bar.reveal_button.text(), bar.next_button.text()) == ("显示答案", "下一个提示")
        assert bar.note.text() == "提示。答案已隐藏。"
        widget.reasoning.toggle_button.click()
        assert widget.reasoning.body.text.startswith("推理过程包含完整解答")
        warm_up_renderer()
        qtbot.waitUntil(lambda: not widget.body.has_pending_math, timeout=20000)
        snap(rig.window, screenshot_dir / "hints_hidden_answer_zh.png")
    finally:
        i18n.install("en")


def test_other_presets_show_answers_as_they_are(qtbot: QtBot, rig: Rig) -> None:
    backend = _load_fake(qtbot, rig)
    binder, _mode = _wire(rig)
    binder.apply(dataclasses.replace(binder.settings, preset="math"))
    reply_id = _send(qtbot, rig, "Solve 2x + 3 = 7.")
    assert all(HINT_INSTRUCTION not in m.content for m in backend.calls[-1])
    widget = _widget(rig, reply_id)
    assert "boxed{2}" in widget.body.text
    assert hint_bar_of(widget) is None


@pytest.mark.slow
def test_smollm2_in_hints_mode_gets_the_instruction(qtbot: QtBot, rig: Rig,
                                                    smollm2_path: Path) -> None:
    save_settings(Settings(n_ctx=1024, n_threads=2, preset="hints", max_tokens=24,
                           temperature=0.0))
    _wire(rig)
    with qtbot.waitSignal(rig.controller.model_changed, timeout=60000):
        assert ModelLoads(rig.controller, rig.window).open_file(smollm2_path)
    reply_id = _send(qtbot, rig, "How do I solve 2x + 3 = 7?", timeout_ms=120000)
    loaded = rig.client.loaded
    assert loaded is not None
    backend = loaded.backend
    evaluated = b"".join(backend.token_bytes(t)  # type: ignore[attr-defined]
                         for t in backend.context_tokens  # type: ignore[attr-defined]
                         ).decode("utf-8", "replace")
    assert f"How do I solve 2x + 3 = 7?\n\n{HINT_INSTRUCTION}" in evaluated
    assert evaluated.count(HINT_INSTRUCTION) == 1
    reply = rig.store.get_message(reply_id)
    assert reply.content.strip()
    conversation = rig.controller.conversation_id
    assert conversation is not None
    assert hint_state(rig.store, conversation).answers == {reply_id}
    assert _bar(_widget(rig, reply_id)).next_button.isVisible()
