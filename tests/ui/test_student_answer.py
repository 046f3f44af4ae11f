""""Is my answer right?" in the window, with the real judge (a `ponder math-worker` process).

The model's answer is \\frac{1}{2}; the student types 0.5 (equivalent), 0.6
(not equivalent) and }{ (can't tell: it is not math). The verdict shows off
the GUI thread (a spinner meanwhile), is saved with the message and shown
again when the conversation is opened again. Screenshots of the three
verdicts in light and dark, and in Chinese.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ui.chat.message_widget import MessageWidget
from app.ui.common import i18n, theme
from app.ui.shell.tutor_wiring import TutorWiring
from app.ui.threads.tutor_tasks import UNREADABLE, Verdict
from tests.ui.helpers import Rig, make_rig, snap
from tests.ui.test_tutor_check import seed

JUDGE_TIMEOUT_MS = 90000
"""The first comparison starts the worker (sympy's import): seconds on a busy machine."""


@pytest.fixture(params=[theme.Scheme.LIGHT, theme.Scheme.DARK], ids=["light", "dark"])
def rig(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path) -> Iterator[Rig]:
    r = make_rig(tmp_path / "student.sqlite3", request.param)
    qtbot.addWidget(r.window)
    yield r
    r.close()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply(app, theme.Scheme.LIGHT)
    i18n.install("en")


def _widget(rig: Rig, message_id: int) -> MessageWidget:
    widget = rig.window.chat_view.widget_for(message_id)
    assert widget is not None
    return widget


def _check(qtbot: QtBot, wiring: TutorWiring, widget: MessageWidget, text: str) -> None:
    row = widget.student_answer
    row.input.clear()
    qtbot.keyClicks(row.input, text)
    with qtbot.waitSignal(wiring.student_checked, timeout=JUDGE_TIMEOUT_MS) as blocker:
        qtbot.keyClick(row.input, Qt.Key.Key_Return)
        assert row.is_checking and row.verdict_text()  # the spinner and "Checking…"
        assert not row.check_button.isEnabled()
    assert blocker.args == [widget.message_id]
    assert not row.is_checking and row.check_button.isEnabled()


def test_student_answer_verdicts_saved_and_shown_again(
        qtbot: QtBot, rig: Rig, screenshot_dir: Path, request: pytest.FixtureRequest) -> None:
    scheme = request.node.callspec.id
    wiring = TutorWiring(rig.controller)
    conv_id, answer_id = seed(rig.store)
    other_id, _ = seed(rig.store, "Other")
    rig.controller.open_conversation(conv_id)
    widget = _widget(rig, answer_id)
    row = widget.student_answer
    qtbot.waitUntil(row.isVisible, timeout=3000)
    assert row.input.placeholderText() == "Your answer"
    assert row.input.accessibleName() and row.check_button.accessibleName()

    _check(qtbot, wiring, widget, "0.5")
    assert row.verdict is Verdict.EQUIVALENT
    assert row.verdict_label.text() == "✓ Equivalent to the model's answer"
    snap(widget, screenshot_dir / f"tutor_student_equivalent_{scheme}.png")

    _check(qtbot, wiring, widget, "0.6")
    assert row.verdict is Verdict.NOT_EQUIVALENT
    assert row.verdict_label.text() == "✗ Not equivalent to the model's answer"
    snap(widget, screenshot_dir / f"tutor_student_not_equivalent_{scheme}.png")

    _check(qtbot, wiring, widget, "}{")
    assert row.verdict is Verdict.CANT_TELL and row.reason == UNREADABLE
    assert row.verdict_label.text() == "? Can't tell: your answer could not be read as math"
    snap(widget, screenshot_dir / f"tutor_student_cant_tell_{scheme}.png")

    saved = rig.store.load_check(answer_id, "student")
    assert saved == {"answer": "}{", "verdict": "cant_tell", "reason": UNREADABLE}
    # Typing again clears the old verdict (it was about other text).
    qtbot.keyClicks(row.input, "x")
    assert row.verdict is None and row.verdict_label.text() == ""

    # A new widget for the message (the chat opened again) shows the saved verdict.
    _check(qtbot, wiring, widget, r"\frac{2}{4}")
    rig.controller.open_conversation(other_id)
    rig.controller.open_conversation(conv_id)
    again = _widget(rig, answer_id)
    assert again is not widget
    assert again.student_answer.verdict is Verdict.EQUIVALENT
    assert again.student_answer.input.text() == r"\frac{2}{4}"
    wiring.shutdown()


@pytest.fixture
def light_rig(qtbot: QtBot, tmp_path: Path) -> Iterator[Rig]:
    r = make_rig(tmp_path / "student-zh.sqlite3")
    qtbot.addWidget(r.window)
    yield r
    r.close()
    i18n.install("en")


def test_student_answer_in_chinese(qtbot: QtBot, light_rig: Rig, screenshot_dir: Path) -> None:
    rig = light_rig
    i18n.install("zh_CN")
    wiring = TutorWiring(rig.controller)
    conv_id, answer_id = seed(rig.store)
    rig.controller.open_conversation(conv_id)
    widget = _widget(rig, answer_id)
    qtbot.waitUntil(widget.student_answer.isVisible, timeout=3000)
    _check(qtbot, wiring, widget, "1/2")
    row = widget.student_answer
    assert row.verdict is Verdict.EQUIVALENT
    assert row.verdict_label.text().startswith("✓ ") and "Equivalent" not in \
        row.verdict_label.text()
    assert widget.check_button.text() != "Check" and row.input.placeholderText() != "Your answer"
    snap(widget, screenshot_dir / "tutor_student_equivalent_zh.png")
    wiring.shutdown()


def test_tab_reaches_the_tutor_controls_after_the_message_actions(qtbot: QtBot,
                                                                  light_rig: Rig) -> None:
    rig = light_rig
    TutorWiring(rig.controller)
    conv_id, answer_id = seed(rig.store)
    rig.controller.open_conversation(conv_id)
    widget = _widget(rig, answer_id)
    row = widget.student_answer
    qtbot.waitUntil(row.isVisible, timeout=3000)
    rig.window.activateWindow()
    qtbot.waitUntil(rig.window.isActiveWindow, timeout=3000)
    widget.check_button.setFocus()
    seen = []
    for _ in range(8):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert seen.index(row.input) < seen.index(row.check_button)
    assert seen.index(row.input) == seen.index(widget.delete_button) + 1
    names = [w.accessibleName() for w in (widget.check_button, row.input, row.check_button)]
    assert all(names), names
