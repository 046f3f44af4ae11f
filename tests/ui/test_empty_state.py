"""The no-model screen: the product mark, and text and buttons that reflow at any width."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QBoxLayout, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from app.ui.shell.empty_state import EmptyState
from tests.ui.helpers import snap


@pytest.mark.parametrize("width", [200, 320, 700])
def test_empty_state_reflows_inside_its_width(qtbot: QtBot, width: int,
                                              screenshot_dir: Path) -> None:
    state = EmptyState()
    qtbot.addWidget(state)
    state.resize(width, 460)
    state.show()
    qtbot.waitExposed(state)
    assert not state.mark.pixmap().isNull()
    inside = QRect(0, 0, state.width(), state.height())
    for child in [*state.findChildren(QLabel), *state.findChildren(QPushButton)]:
        assert inside.contains(child.geometry()), (type(child).__name__, child.geometry())
    stacked = state.buttons.direction() == QBoxLayout.Direction.TopToBottom
    assert stacked is (width < 250)  # the two buttons need about 280 px side by side
    assert state.hint.heightForWidth(state.hint.width()) <= state.hint.height() + 1
    snap(state, screenshot_dir / f"empty_state_{width}px.png")
