"""Pasting 1 MB of text and pressing Enter: the context message, not a hang.

The real start (build_gui), the real composer (a paste from the clipboard, an
Enter key), the real store and SmolLM2 through llama.cpp with a 2048-token
context. The stall itself is measured by bench/gui.py (long_paste_*).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core.types import LoadParams
from app.services.loading import ModelLoader, ModelSource
from app.ui.main import Gui, build_gui
from tests.ui.helpers import snap

MEGABYTE_TEXT = (("The quick brown fox jumps over the lazy dog. " * 23 + "\n") * 1000)[:1_000_000]


@pytest.fixture
def gui(qtbot: QtBot, smollm2_path: Path) -> Iterator[Gui]:
    started = build_gui([], language="en")
    window: Any = started.window
    controller: Any = started.controller
    controller.show_dialogs = False
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(controller.model_changed, timeout=60000):
        controller.load_model(lambda: ModelLoader().load_params(
            ModelSource(path=smollm2_path), LoadParams(smollm2_path, n_ctx=2048)))
    yield started
    started.client.shutdown()
    window.close()
    controller.store.close()


def _paste_and_send(qtbot: QtBot, gui: Gui, text: str) -> None:
    window: Any = gui.window
    clipboard = QApplication.clipboard()
    clipboard.setText(text)
    window.composer.input.setFocus()
    window.composer.input.paste()
    assert window.composer.text == text
    qtbot.keyClick(window.composer.input, Qt.Key.Key_Return)


def test_a_megabyte_paste_gets_the_context_message_at_once(
        qtbot: QtBot, gui: Gui, screenshot_dir: Path) -> None:
    window: Any = gui.window
    controller: Any = gui.controller
    shown: list[str] = []
    controller.error_shown.connect(shown.append)
    started = time.monotonic()
    _paste_and_send(qtbot, gui, MEGABYTE_TEXT)
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)  # not a hang
    assert time.monotonic() - started < 10
    assert "too long for the model" in shown[0]
    assert f"{len(MEGABYTE_TEXT.strip()):,} characters" in shown[0]
    notice = window.notices.named("prompt_too_long")
    assert notice is not None and notice.text == shown[0]
    assert window.composer.text == MEGABYTE_TEXT.strip()  # nothing lost: back in the box
    assert controller.store.list_conversations() == []  # nothing half-sent was stored
    assert not controller.is_streaming
    snap(window, screenshot_dir / "long_paste_context_message.png")


def test_a_long_message_under_the_guard_gets_the_engines_context_message(
        qtbot: QtBot, gui: Gui) -> None:
    # 20,000 characters could in principle fit 2048 tokens at 16 per token: the
    # engine counts them and answers with its own context message.
    controller: Any = gui.controller
    shown: list[str] = []
    controller.error_shown.connect(shown.append)
    _paste_and_send(qtbot, gui, MEGABYTE_TEXT[:20_000])
    qtbot.waitUntil(lambda: bool(shown), timeout=60000)
    assert "too long for the model" in shown[0]
    assert gui.window.notices.named("prompt_too_long") is None  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not controller.is_streaming, timeout=30000)
