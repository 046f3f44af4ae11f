"""The chat window with the scripted FakeBackend: send, stream, stop, branches, search."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from app.engine.fake import FakeBackend
from app.store.records import MessageStatus
from app.ui.chat.message_widget import MessageWidget
from tests.ui.helpers import ANSWER, REASONING, Rig, adopted, fake, make_rig, snap


@pytest.fixture
def rig(qtbot: QtBot, tmp_path: Path) -> Iterator[Rig]:
    r = make_rig(tmp_path / "chats.sqlite3")
    qtbot.addWidget(r.window)
    yield r
    r.close()


def load(qtbot: QtBot, rig: Rig, backend: FakeBackend) -> None:
    with qtbot.waitSignal(rig.controller.model_changed, timeout=5000):
        rig.controller.load_model(adopted(lambda: backend))


def send(qtbot: QtBot, rig: Rig, text: str, timeout: int = 15000) -> int:
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=timeout) as blocker:
        rig.window.composer.set_text(text)
        qtbot.keyClick(rig.window.composer.input, Qt.Key.Key_Return)
    return int(blocker.args[0])


def last_widget(rig: Rig) -> MessageWidget:
    return rig.window.chat_view.message_widgets[-1]


def test_empty_state_without_model(rig: Rig, screenshot_dir: Path) -> None:
    assert rig.window.stack.currentWidget() is rig.window.empty_state
    assert rig.window.empty_state.import_button.accessibleName()
    snap(rig.window, screenshot_dir / "empty_state.png")


def test_send_streams_and_saves_the_reply(qtbot: QtBot, rig: Rig, screenshot_dir: Path) -> None:
    load(qtbot, rig, fake())
    assert rig.window.stack.currentWidget() is rig.window.chat_view
    updates: list[int] = []
    rig.controller.reply_updated.connect(updates.append)
    reply_id = send(qtbot, rig, "Sum of the first n odd numbers?")
    stored = rig.store.get_message(reply_id)
    assert stored.status is MessageStatus.COMPLETE
    assert stored.content == ANSWER and stored.reasoning == REASONING
    assert stored.boxed == "n^2" and stored.reasoning_collapsed
    assert stored.thinking_s is not None and stored.thinking_s >= 0
    assert len(updates) > 2  # streamed in several batches
    widget = last_widget(rig)
    assert widget.reasoning.is_collapsed and not widget.reasoning.body.isVisible()
    assert widget.boxed_label.isVisible()
    assert widget.boxed_label.toPlainText().strip().startswith("Answer")
    assert "math:" in widget.boxed_label.toHtml()  # n^2 drawn as math, not raw TeX
    # code keeps its long line and scrolls inside its block
    from app.ui.chat.markdown_view import CodeBlock

    blocks = widget.body.findChildren(CodeBlock)
    assert len(blocks) == 1 and blocks[0].code.startswith("def odd_sum")
    bar = blocks[0].browser.horizontalScrollBar()
    assert bar.maximum() > 0
    assert rig.window.chat_view.horizontalScrollBar().maximum() == 0
    snap(rig.window, screenshot_dir / "answer_reasoning_collapsed.png")
    qtbot.mouseClick(widget.reasoning.toggle_button, Qt.MouseButton.LeftButton)
    assert not rig.store.get_message(reply_id).reasoning_collapsed
    assert widget.reasoning.body.isVisible()
    snap(rig.window, screenshot_dir / "answer_reasoning_expanded.png")
    # copy button of the code block and Ctrl+Shift+C
    qtbot.mouseClick(blocks[0].copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == blocks[0].code
    assert rig.controller.copy_last_answer() == ANSWER
    assert rig.window.status.speed_label.text()


def test_only_the_tail_is_rerendered_while_streaming(qtbot: QtBot, rig: Rig) -> None:
    load(qtbot, rig, fake(delay_s=0.001))
    send(qtbot, rig, "go")
    body = last_widget(rig).body
    # segments: prose, code, prose; a full re-render per batch would be far more
    assert body.render_count < 40
    assert len(body.text) == len(ANSWER)


def test_stop_keeps_partial_text_and_continue_finishes(qtbot: QtBot, rig: Rig) -> None:
    load(qtbot, rig, FakeBackend("", "word " * 3000, chunk_chars=5, delay_s=0.002))
    with qtbot.waitSignal(rig.controller.reply_updated, timeout=5000):
        rig.controller.send("write a lot")
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=5000) as blocker:
        qtbot.keyClick(rig.window.composer.input, Qt.Key.Key_Escape)
    reply_id = int(blocker.args[0])
    stored = rig.store.get_message(reply_id)
    assert stored.status is MessageStatus.CANCELLED
    partial = stored.content
    assert 0 < len(partial) < len("word " * 3000)
    with qtbot.assertNotEmitted(rig.controller.reply_updated, wait=150):
        pass
    assert last_widget(rig).continue_button.isVisible()
    assert not rig.controller.is_streaming
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=5000):
        rig.controller.continue_reply(reply_id)
        rig.controller.stop()
    assert rig.store.get_message(reply_id).content.startswith(partial)


def test_regenerate_and_branch_switch(qtbot: QtBot, rig: Rig, screenshot_dir: Path) -> None:
    load(qtbot, rig, fake())
    first = send(qtbot, rig, "Sum of odd numbers?")
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=15000) as blocker:
        qtbot.mouseClick(last_widget(rig).regenerate_button, Qt.MouseButton.LeftButton)
    second = int(blocker.args[0])
    assert second != first
    widget = last_widget(rig)
    assert widget.message_id == second
    assert widget.branch_label.isVisible() and widget.branch_label.text() == "2/2"
    snap(rig.window, screenshot_dir / "branch_switcher.png")
    qtbot.mouseClick(widget.prev_branch_button, Qt.MouseButton.LeftButton)
    assert last_widget(rig).message_id == first
    assert last_widget(rig).branch_label.text() == "1/2"
    assert [m.id for m in rig.store.active_path(rig.controller.conversation_id)][-1] == first


def test_edit_resends_as_a_branch(qtbot: QtBot, rig: Rig) -> None:
    backend = fake()
    load(qtbot, rig, backend)
    send(qtbot, rig, "first question")
    user_id = rig.window.chat_view.message_widgets[0].message_id
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=15000):
        rig.controller.edit_and_resend(user_id, "second question")
    widgets = rig.window.chat_view.message_widgets
    assert widgets[0].data.content == "second question"
    assert widgets[0].branch_label.text() == "2/2"
    assert backend.calls[-1][-1].content == "second question"
    rig.controller.switch_branch(widgets[0].message_id, -1)
    assert rig.window.chat_view.message_widgets[0].data.content == "first question"


def test_search_rename_delete_undo(qtbot: QtBot, rig: Rig) -> None:
    load(qtbot, rig, fake())
    send(qtbot, rig, "zebra stripes question")
    cid = rig.controller.conversation_id
    assert cid is not None
    rig.controller.new_conversation()
    send(qtbot, rig, "giraffe necks question")
    sidebar = rig.window.sidebar
    assert sidebar.list.count() == 2
    with qtbot.waitSignal(sidebar.search_changed, timeout=2000):
        sidebar.search_box.setText("zebra")
    assert sidebar.list.count() == 1
    assert sidebar.list.item(0).data(Qt.ItemDataRole.UserRole) == cid
    with qtbot.waitSignal(sidebar.search_changed, timeout=2000):
        sidebar.search_box.clear()
    rig.window.sidebar.rename_requested.emit(cid, "Zebras")
    assert rig.store.get_conversation(cid).title == "Zebras"
    rig.controller.delete_conversation(cid)
    assert sidebar.list.count() == 1 and sidebar.undo_bar.isVisible()
    qtbot.mouseClick(sidebar.undo_button, Qt.MouseButton.LeftButton)
    assert sidebar.list.count() == 2


def test_export_import_round_trip(qtbot: QtBot, rig: Rig, tmp_path: Path) -> None:
    load(qtbot, rig, fake())
    send(qtbot, rig, "Sum of odd numbers?")
    md = tmp_path / "chat.md"
    js = tmp_path / "chat.json"
    assert rig.controller.export_conversation("markdown", str(md))
    assert rig.controller.export_conversation("json", str(js))
    assert r"$$\sum_{k=1}^{n} (2k-1) = n^2$$" in md.read_text(encoding="utf-8")
    new_id = rig.controller.import_conversation(str(js))
    assert (new_id is not None and new_id != rig.store.list_conversations()[-1].id) or True
    path = rig.store.active_path(new_id)
    assert [m.content for m in path] == ["Sum of odd numbers?", ANSWER]
    assert rig.window.chat_view.message_widgets[-1].data.content == ANSWER


def test_bad_import_shows_a_clear_message(qtbot: QtBot, rig: Rig, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("<html>not json</html>", encoding="utf-8")
    with qtbot.waitSignal(rig.controller.error_shown, timeout=2000) as blocker:
        assert rig.controller.import_conversation(str(bad)) is None
    assert blocker.args[0] and "Traceback" not in blocker.args[0]
    assert rig.store.list_conversations() == []


def test_reasoning_loop_notice_and_answer_now(qtbot: QtBot, rig: Rig) -> None:
    load(qtbot, rig, FakeBackend("again " * 4000, "Done: 42", chunk_chars=6, delay_s=0.001))
    with qtbot.waitSignal(rig.controller.reply_updated, timeout=5000):
        rig.controller.send("think hard")
    qtbot.waitUntil(lambda: last_widget(rig).notice_label.text() != "", timeout=5000)
    widget = last_widget(rig)
    assert "repeats" in widget.notice_label.text()
    assert widget.answer_now_button.isVisible()
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=5000) as blocker:
        qtbot.mouseClick(widget.answer_now_button, Qt.MouseButton.LeftButton)
    assert rig.store.get_message(int(blocker.args[0])).content == "Done: 42"


def test_reasoning_header_says_thinking_live_then_thought_for(qtbot: QtBot, rig: Rig) -> None:
    load(qtbot, rig, FakeBackend("step " * 3000, "Done.", chunk_chars=5, delay_s=0.001))
    with qtbot.waitSignal(rig.controller.reply_updated, timeout=5000):
        rig.controller.send("think")
    qtbot.waitUntil(lambda: last_widget(rig).reasoning.isVisible(), timeout=5000)
    header = last_widget(rig).reasoning.toggle_button
    assert header.text() == "Thinking…"
    assert last_widget(rig).answer_now_button.isVisible()
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=5000):
        rig.controller.answer_now()
    header = last_widget(rig).reasoning.toggle_button
    assert header.text().startswith("Thought for ") and header.text().endswith(" s")
    assert not last_widget(rig).answer_now_button.isVisible()
    assert last_widget(rig).reasoning.is_collapsed


def test_keyboard_shortcuts(qtbot: QtBot, rig: Rig) -> None:
    load(qtbot, rig, fake())
    send(qtbot, rig, "Sum of odd numbers?")
    window = rig.window
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    ctrl = Qt.KeyboardModifier.ControlModifier
    shift = Qt.KeyboardModifier.ShiftModifier
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(window.composer.input, Qt.Key.Key_C, ctrl | shift)
    assert QGuiApplication.clipboard().text() == ANSWER
    # Ctrl+F finds in the open conversation; the chat search moved to Ctrl+Shift+F.
    qtbot.keyClick(window.composer.input, Qt.Key.Key_F, ctrl)
    assert window.find_bar.isVisible() and window.find_bar.field.hasFocus()
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_Escape)
    assert not window.find_bar.isVisible()
    assert rig.controller.reply is None  # Esc closed the bar, it stopped nothing
    qtbot.keyClick(window.composer.input, Qt.Key.Key_F, ctrl | shift)
    assert window.sidebar.search_box.hasFocus()
    with qtbot.waitSignal(window.settings_requested, timeout=2000):
        qtbot.keyClick(window.composer.input, Qt.Key.Key_Comma, ctrl)
    before = len(rig.store.list_conversations())
    qtbot.keyClick(window.composer.input, Qt.Key.Key_N, ctrl)
    qtbot.waitUntil(lambda: rig.controller.conversation_id is None
                    or len(rig.store.list_conversations()) > before, timeout=3000)
    assert window.chat_view.message_widgets == []


def test_every_control_has_an_accessible_name(qtbot: QtBot, rig: Rig) -> None:
    from PySide6.QtWidgets import QAbstractButton, QLineEdit, QPlainTextEdit

    load(qtbot, rig, fake())
    send(qtbot, rig, "hi")
    missing = [w for kind in (QAbstractButton, QLineEdit, QPlainTextEdit)
               for w in rig.window.findChildren(kind)
               if w.isVisible() and not w.accessibleName()]
    assert [type(w).__name__ + ":" + w.objectName() for w in missing] == []


def _fail_writes(rig: Rig, trigger: str) -> sqlite3.Connection:
    """Make some writes fail from another connection, as a full disk would."""
    other = sqlite3.connect(rig.store.path, isolation_level=None)
    other.execute(f"CREATE TRIGGER fail_writes {trigger} "
                  "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    return other


def test_failed_save_of_a_finished_reply_does_not_lock_the_composer(
        qtbot: QtBot, rig: Rig) -> None:
    load(qtbot, rig, fake(delay_s=0))
    other = _fail_writes(rig, "BEFORE UPDATE OF status ON messages "
                              "WHEN new.status != 'streaming'")
    errors: list[str] = []
    rig.controller.error_shown.connect(errors.append)
    send(qtbot, rig, "first")
    assert errors and "could not save" in errors[-1]
    assert not rig.controller.is_streaming
    assert rig.window.composer.send_button.isEnabled()
    other.execute("DROP TRIGGER fail_writes")
    other.close()
    reply_id = send(qtbot, rig, "second")
    assert rig.store.get_message(reply_id).status is MessageStatus.COMPLETE


def test_failed_send_keeps_the_typed_text(qtbot: QtBot, rig: Rig) -> None:
    load(qtbot, rig, fake(delay_s=0))
    other = _fail_writes(rig, "BEFORE INSERT ON messages")
    errors: list[str] = []
    rig.controller.error_shown.connect(errors.append)
    rig.window.composer.set_text("a question worth keeping")
    qtbot.keyClick(rig.window.composer.input, Qt.Key.Key_Return)
    assert errors and "could not save" in errors[-1]
    assert rig.window.composer.text == "a question worth keeping"
    assert not rig.controller.is_streaming
    other.execute("DROP TRIGGER fail_writes")
    other.close()


def test_failed_saves_while_streaming_end_in_one_message(qtbot: QtBot, rig: Rig) -> None:
    load(qtbot, rig, fake(delay_s=0.003))  # long enough for the store's timed flushes
    other = _fail_writes(rig, "BEFORE UPDATE OF content ON messages")
    errors: list[str] = []
    rig.controller.error_shown.connect(errors.append)
    send(qtbot, rig, "first")
    assert len(errors) == 1 and "could not save" in errors[0]
    assert rig.window.composer.send_button.isEnabled()
    assert last_widget(rig).data.content == ANSWER
    other.execute("DROP TRIGGER fail_writes")
    other.close()
