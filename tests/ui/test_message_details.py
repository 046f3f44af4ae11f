"""Message details on hover: time (and date when not today), model, tokens, tokens/s."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDateTime, QLocale
from pytestqt.qtbot import QtBot

from app.store.records import MessageStatus
from app.ui.chat.message_data import MessageData
from app.ui.chat.message_details import details_text, when_text
from tests.ui.helpers import Rig, adopted, fake, make_rig


@pytest.fixture
def rig(qtbot: QtBot, tmp_path: Path) -> Iterator[Rig]:
    r = make_rig(tmp_path / "chats.sqlite3")
    qtbot.addWidget(r.window)
    yield r
    r.close()


def _clock(moment: datetime) -> str:
    return QLocale().toString(QDateTime.fromSecsSinceEpoch(int(moment.timestamp())).time(),
                              QLocale.FormatType.ShortFormat)


def test_time_today_and_date_otherwise() -> None:
    now = datetime.now()
    assert when_text(now.timestamp(), now) == _clock(now)
    earlier = now - timedelta(days=3)
    text = when_text(earlier.timestamp(), now)
    assert text.startswith(_clock(earlier) + ", ") and len(text) > len(_clock(earlier)) + 4
    assert when_text(0) == ""


def test_answer_details_list_model_tokens_and_speed() -> None:
    now = datetime.now()
    answer = MessageData(7, "assistant", "42", created_at=now.timestamp(), model="R1 1.5B",
                         tokens=512, thinking_tokens=300, tokens_per_s=19.44)
    assert details_text(answer, now).split("\n") == [
        f"Written {_clock(now)}", "Model: R1 1.5B", "Tokens: 512 (300 thinking)",
        "Speed: 19.4 tokens/s"]
    user = MessageData(6, "user", "hi", created_at=now.timestamp(), model="ignored", tokens=3)
    assert details_text(user, now) == f"Sent {_clock(now)}"
    streaming = MessageData(8, "assistant", "4", status=MessageStatus.STREAMING,
                            created_at=now.timestamp())
    assert details_text(streaming, now) == ""


def test_hovering_a_stored_answer_shows_its_details(qtbot: QtBot, rig: Rig) -> None:
    with qtbot.waitSignal(rig.controller.model_changed, timeout=5000):
        rig.controller.load_model(adopted(fake))
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=15000):
        rig.controller.send("Sum of odd numbers?")
    user, answer = rig.window.chat_view.message_widgets[-2:]
    assert user.toolTip().startswith("Sent ")
    lines = answer.toolTip().split("\n")
    assert lines[0].startswith("Written ") and lines[1] == "Model: Fake model"
    assert lines[2].startswith("Tokens: ") and lines[3].endswith(" tokens/s")
    assert answer.role_label.toolTip() == answer.toolTip()
    assert answer.accessibleDescription() == answer.toolTip()
    # The same after the chat is opened again from the store.
    rig.controller.open_conversation(rig.controller.conversation_id)
    again = rig.window.chat_view.message_widgets[-1]
    assert again.toolTip() == answer.toolTip()
