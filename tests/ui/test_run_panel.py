"""Run on Python code blocks: the confirmation, output streamed into a panel, limits, Stop.

The code runs in the real sandbox (app.sandbox: `ponder run-code` in a
separate process); the window is the real one with the scripted backend
writing the answer that holds the code.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.engine.fake import FakeBackend
from app.sandbox import RunResult, SandboxLimits
from app.store.settings import Settings, load_settings, save_settings
from app.ui.chat.markdown_view import CodeBlock, MarkdownView
from app.ui.chat.run_panel import RunConfirmation, RunPanel, panel_of, run_code_block
from tests.ui.helpers import Rig, adopted, make_rig, snap

SQUARES = "for n in range(1, 6):\n    print(n, 'squared is', n * n)\n"
FAILING = "print('dividing...')\nvalues = [1, 2, 0]\nprint(6 / values[2])\n"


@pytest.fixture
def rig(qtbot: QtBot, tmp_path: Path) -> Iterator[Rig]:
    r = make_rig(tmp_path / "chats.sqlite3")
    qtbot.addWidget(r.window)
    yield r
    r.close()


@pytest.fixture
def confirmed() -> None:
    """The user said "don't ask again" earlier."""
    save_settings(Settings(code_run_confirmed=True))


def _answer_with(qtbot: QtBot, rig: Rig, code: str) -> CodeBlock:
    """The window shows an answer holding `code` as a Python block; that block."""
    answer = f"Here is the program:\n\n```python\n{code}```\n\nRun it to see."
    backend = FakeBackend("", answer, chunk_chars=50)
    with qtbot.waitSignal(rig.controller.model_changed, timeout=5000):
        rig.controller.load_model(adopted(lambda: backend))
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=15000):
        rig.controller.send("Show me some Python.")
    widget = rig.window.chat_view.message_widgets[-1]
    blocks = widget.body.findChildren(CodeBlock)
    assert len(blocks) == 1
    return blocks[0]


def _finished(qtbot: QtBot, panel: RunPanel, timeout_ms: int = 30000) -> RunResult:
    qtbot.waitUntil(lambda: panel.result is not None, timeout=timeout_ms)
    assert panel.result is not None
    return panel.result


def _answer_dialog(run: bool, remember: bool, seen: list[str]) -> None:
    """Answer the confirmation once it is open (closes any other modal so nothing hangs)."""

    def act() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, RunConfirmation):
            seen.append(box.text())
            box.remember.setChecked(remember)
            (box.run_button if run else box.cancel_button).click()
        elif box is not None:
            box.close()

    QTimer.singleShot(50, act)


def test_run_is_offered_on_python_blocks_only(qtbot: QtBot) -> None:
    view = MarkdownView()
    qtbot.addWidget(view)
    view.set_markdown("```python\nprint(1)\n```\n\n```py\nprint(2)\n```\n\n"
                      "```javascript\nconsole.log(3)\n```\n\n```\nplain\n```\n\n"
                      "```bash\necho 4\n```\n")
    blocks = view.findChildren(CodeBlock)
    assert len(blocks) == 5
    assert [not b.run_button.isHidden() for b in blocks] == [True, True, False, False, False]
    assert blocks[0].run_button.text() == "Run"
    assert blocks[0].run_button.accessibleName() == "Run this code on this computer"
    assert panel_of(blocks[0]) is None  # nothing runs until a click


def test_the_confirmation_appears_once(qtbot: QtBot, rig: Rig) -> None:
    block = _answer_with(qtbot, rig, "print(2 + 2)\n")
    assert not load_settings().code_run_confirmed
    seen: list[str] = []
    _answer_dialog(run=False, remember=False, seen=seen)
    block.run_button.click()  # Cancel: nothing runs
    assert seen == ["Run this code on this computer? It runs with limits in a temporary folder."]
    assert panel_of(block) is None
    _answer_dialog(run=True, remember=True, seen=seen)
    block.run_button.click()  # Run, and don't ask again
    assert len(seen) == 2
    panel = panel_of(block)
    assert panel is not None
    assert _finished(qtbot, panel).reason == "finished"
    assert panel.text == "4\n"
    assert load_settings().code_run_confirmed
    _answer_dialog(run=False, remember=False, seen=seen)  # would cancel if it were asked
    block.run_button.click()
    qtbot.waitUntil(lambda: panel.result is not None and not panel.is_running, timeout=30000)
    qtbot.wait(100)  # the timer had its chance: no dialog was open
    assert len(seen) == 2 and panel.text == "4\n"


@pytest.mark.usefixtures("confirmed")
def test_output_streams_into_the_panel(qtbot: QtBot, rig: Rig, screenshot_dir: Path) -> None:
    block = _answer_with(qtbot, rig, SQUARES)
    started = time.perf_counter()
    block.run_button.click()
    assert time.perf_counter() - started < 1.0  # the window is not held while it runs
    panel = panel_of(block)
    assert panel is not None and panel.is_running
    assert panel.stop_button.isVisible()
    result = _finished(qtbot, panel)
    assert result.reason == "finished" and result.exit_code == 0
    assert panel.text.splitlines() == [f"{n} squared is {n * n}" for n in range(1, 6)]
    assert panel.summary.text() == result.summary()
    assert panel.summary.text().startswith("Finished in ")
    assert not panel.stop_button.isVisible()
    rig.window.chat_view.scroll_to_bottom()
    snap(rig.window, screenshot_dir / "code_run_output.png")


@pytest.mark.usefixtures("confirmed")
def test_an_exception_shows_the_traceback_and_an_error(qtbot: QtBot, rig: Rig,
                                                       screenshot_dir: Path) -> None:
    block = _answer_with(qtbot, rig, FAILING)
    block.run_button.click()
    panel = panel_of(block)
    assert panel is not None
    result = _finished(qtbot, panel)
    assert result.reason == "error" and result.exit_code == 1
    assert panel.text.startswith("dividing...\n")
    assert "Traceback (most recent call last)" in panel.text
    assert "ZeroDivisionError: division by zero" in panel.text
    assert panel.summary.text() == result.summary()
    assert "error" in panel.summary.text() and "exit code 1" in panel.summary.text()
    rig.window.chat_view.scroll_to_bottom()
    snap(rig.window, screenshot_dir / "code_run_error.png")


@pytest.mark.usefixtures("confirmed")
def test_an_endless_loop_stops_at_the_time_limit(qtbot: QtBot) -> None:
    block = CodeBlock()
    qtbot.addWidget(block)
    started = time.monotonic()
    panel = run_code_block(block, "while True:\n    pass\n", SandboxLimits(wall_s=1.5, cpu_s=30))
    assert panel is not None
    result = _finished(qtbot, panel)
    assert result.reason == "timeout"
    assert 1.4 <= time.monotonic() - started < 10
    assert panel.summary.text() == result.summary() and "time limit" in panel.summary.text()


@pytest.mark.usefixtures("confirmed")
def test_stop_ends_a_run(qtbot: QtBot) -> None:
    block = CodeBlock()
    qtbot.addWidget(block)
    block.show()
    code = "import time\nprint('started', flush=True)\ntime.sleep(60)\nprint('never')\n"
    panel = run_code_block(block, code)
    assert panel is not None
    qtbot.waitUntil(lambda: "started" in panel.text, timeout=30000)
    assert panel.is_running and panel.stop_button.isVisible()
    stopped_at = time.monotonic()
    panel.stop_button.click()
    result = _finished(qtbot, panel, timeout_ms=10000)
    assert time.monotonic() - stopped_at < 5
    assert result.reason == "stopped" and "never" not in panel.text
    assert panel.summary.text() == result.summary() and panel.summary.text().startswith("Stopped")
    assert not panel.stop_button.isVisible()
