"""The Models page's conversation memory line: space used against the budget, Clear."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.chat.reply import TokenSource
from app.core.types import ChatMessage, GenerateOptions, GenerationControl
from app.engine.kv_files import SavedState, key_of, state_files, state_name, write_state
from app.services.states import states_folder
from app.store.settings import Settings, save_settings
from app.ui.setup.models_page import ModelsPage
from app.ui.setup.states_box import StatesBox
from tests.ui.helpers import adopted, fake, make_rig


def _save_states(count: int) -> None:
    folder = states_folder()
    folder.mkdir(parents=True, exist_ok=True)
    for key in range(count):
        write_state(folder / state_name(str(key), bytes(32)), bytes(32),
                    SavedState((1, 2), b"k" * 500_000))


def test_the_box_shows_the_space_and_clear_empties_it(qtbot: QtBot) -> None:
    save_settings(Settings(state_budget_mb=300))
    _save_states(3)
    box = StatesBox()
    qtbot.addWidget(box)
    text = box.label.text()
    assert "1.50 MB of 300.00 MB" in text
    assert "28.67 MB per 1,000 tokens" in text  # what a state costs
    assert box.clear_button.isEnabled()
    box.clear_button.click()
    assert state_files(states_folder()) == []
    assert "0 B of 300.00 MB" in box.label.text()
    assert not box.clear_button.isEnabled()


def test_the_models_page_carries_the_box(qtbot: QtBot, tmp_path: Path) -> None:
    _save_states(1)
    page = ModelsPage(tmp_path / "models")
    qtbot.addWidget(page)
    page.show()
    assert page.states_box.isVisible()
    assert "500.07 KB of 2.00 GB" in page.states_box.label.text()


def test_window_replies_carry_their_conversation_and_delete_drops_its_state(
        qtbot: QtBot, tmp_path: Path) -> None:
    rig = make_rig(tmp_path / "chats.sqlite3")
    qtbot.addWidget(rig.window)
    try:
        backend = fake()
        keys: list[str | None] = []
        open_source = backend.open_source

        def recording(messages: Sequence[ChatMessage], options: GenerateOptions,
                      control: GenerationControl) -> TokenSource:
            keys.append(options.conversation)
            return open_source(messages, options, control)

        backend.open_source = recording  # type: ignore[method-assign]
        with qtbot.waitSignal(rig.controller.model_changed, timeout=5000):
            rig.controller.load_model(adopted(lambda: backend))
        with qtbot.waitSignal(rig.controller.reply_finished, timeout=15000):
            rig.controller.send("hello")
        cid = rig.controller.conversation_id
        assert cid is not None and keys == [str(cid)]

        other = rig.store.create_conversation("other").id
        folder = states_folder()
        folder.mkdir(parents=True, exist_ok=True)
        for key in (cid, other):
            write_state(folder / state_name(str(key), bytes(32)), bytes(32),
                        SavedState((1,), b"s" * 10))
        rig.controller.delete_conversation(cid)
        assert [key_of(p) for p in state_files(folder)] == [str(other)]
    finally:
        rig.close()
