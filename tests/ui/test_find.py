"""Find in the conversation (Ctrl+F) and jump from a chat-search hit (Ctrl+Shift+F)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QTextBrowser
from pytestqt.qtbot import QtBot

from app.ui.chat.message_widget import MessageWidget
from tests.ui.helpers import Rig, make_rig, snap


@pytest.fixture
def rig(qtbot: QtBot, tmp_path: Path) -> Iterator[Rig]:
    r = make_rig(tmp_path / "chats.sqlite3")
    qtbot.addWidget(r.window)
    r.window.show_chat(True)
    yield r
    r.close()


def _long_chat(rig: Rig, title: str, turns: int, special: int) -> dict[int, int]:
    """A conversation of `turns` exchanges; exchange `special` mentions pineapples twice."""
    store = rig.store
    conv = store.create_conversation(title)
    parent = None
    ids: dict[int, int] = {}
    for n in range(turns):
        user = store.add_message(conv.id, parent, "user", f"Question {n}: what is {n} squared?")
        answer = f"Step one.\n\nThe square of {n} is {n * n}. " + ("Filler sentence. " * 30)
        if n == special:
            answer += "\n\nPineapples grow slowly; pineapples are not apples."
        reply = store.add_message(conv.id, user.id, "assistant", answer)
        ids[n] = reply.id
        parent = reply.id
    ids[-1] = conv.id
    return ids


def _highlighted(widget: MessageWidget) -> int:
    return sum(len(b.extraSelections()) for b in widget.findChildren(QTextBrowser))


def _in_viewport(rig: Rig, widget: MessageWidget) -> bool:
    view = rig.window.chat_view
    top = widget.mapTo(view.viewport(), QPoint(0, 0)).y()
    return top < view.viewport().height() and top + widget.height() > 0


def test_ctrl_f_finds_highlights_and_steps(qtbot: QtBot, rig: Rig, screenshot_dir: Path) -> None:
    ids = _long_chat(rig, "Squares", turns=20, special=2)
    rig.controller.open_conversation(ids[-1])
    window = rig.window
    window.activateWindow()
    qtbot.keyClick(window.composer.input, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = window.find_bar
    assert bar.isVisible() and bar.field.hasFocus()
    with qtbot.waitSignal(window.find_controller.finder.matches_changed, timeout=3000):
        qtbot.keyClicks(bar.field, "pineapples")
    finder = window.find_controller.finder
    # Two in the answer of exchange 2, which was older than the first page: now shown.
    assert len(finder.matches) == 2
    assert bar.count_label.text() == "2 of 2"
    widget = window.chat_view.widget_for(ids[2])
    assert widget is not None and _highlighted(widget) == 2
    qtbot.waitUntil(lambda: _in_viewport(rig, widget), timeout=3000)
    snap(window, screenshot_dir / "find_in_conversation.png")
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert bar.count_label.text() == "1 of 2"
    qtbot.keyClick(bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.count_label.text() == "2 of 2"
    bar.field.setText("no such words")
    qtbot.waitUntil(lambda: bar.count_label.text() == "No matches", timeout=3000)
    assert _highlighted(widget) == 0
    bar.field.setText("squared")
    qtbot.waitUntil(lambda: bar.count_label.text() == "20 of 20", timeout=3000)
    qtbot.keyClick(bar.field, Qt.Key.Key_Escape)
    assert not bar.isVisible() and _highlighted(widget) == 0


def test_chat_search_hit_opens_the_message_highlighted(qtbot: QtBot, rig: Rig,
                                                       screenshot_dir: Path) -> None:
    other = _long_chat(rig, "Other", turns=3, special=99)
    ids = _long_chat(rig, "Fruit", turns=20, special=1)
    rig.controller.open_conversation(other[-1])
    window = rig.window
    window.activateWindow()
    qtbot.keyClick(window.composer.input, Qt.Key.Key_F,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.sidebar.search_box.hasFocus()
    qtbot.keyClicks(window.sidebar.search_box, "pineapples")
    hits = window.sidebar.list
    qtbot.waitUntil(lambda: hits.count() >= 1 and "\n" in hits.item(0).text(), timeout=3000)
    item = next(hits.item(i) for i in range(hits.count())
                if hits.item(i).data(Qt.ItemDataRole.UserRole) == ids[-1]
                and hits.item(i).data(Qt.ItemDataRole.UserRole + 2) is not None)
    with qtbot.waitSignal(window.sidebar.hit_selected, timeout=3000):
        hits.itemClicked.emit(item)
    assert rig.controller.conversation_id == ids[-1]
    assert window.find_controller.last_jump == ids[1]
    widget = window.chat_view.widget_for(ids[1])
    assert widget is not None and _highlighted(widget) == 2
    qtbot.waitUntil(lambda: _in_viewport(rig, widget), timeout=3000)
    snap(window, screenshot_dir / "search_hit_jump.png")
