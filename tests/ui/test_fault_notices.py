"""Faults met at start are told in the window (the real start: build_gui).

Each test sets the fault up on disk the way a user meets it, starts the
window, and checks the notice, what the user can still do, and that no data
was lost. The counts of faults tried, survived and data lost are printed.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.core import paths
from app.models.installed import get_default_model
from app.store.chat_store import ChatStore
from app.ui.main import Gui, build_gui
from app.ui.shell.notice_bar import Notice
from tests.support.tiny_gguf import write_tiny_gguf
from tests.ui.helpers import snap

FAULTS = {"tried": 0, "survived": 0, "data_lost": 0}


@pytest.fixture
def start(qtbot: QtBot) -> Iterator[Any]:
    opened: list[Gui] = []

    def _start() -> Gui:
        FAULTS["tried"] += 1
        gui = build_gui([], language="en")
        qtbot.addWidget(gui.window)  # type: ignore[arg-type]
        gui.window.show()  # type: ignore[attr-defined]
        opened.append(gui)
        return gui

    yield _start
    for gui in opened:
        gui.client.shutdown()
        gui.window.close()  # type: ignore[attr-defined]
        gui.controller.store.close()  # type: ignore[attr-defined]


def _notice(gui: Gui, name: str) -> Notice:
    found = gui.window.notices.named(name)  # type: ignore[attr-defined]
    assert found is not None, [n.objectName() for n in gui.window.notices.notices]  # type: ignore[attr-defined]
    return found  # type: ignore[no-any-return]


def _fill_store(db: Path, titles: list[str]) -> None:
    store = ChatStore(db)
    for title in titles:
        conv = store.create_conversation(title)
        store.add_message(conv.id, None, "user", f"question in {title}")
    store.close()


def _titles(store: Any) -> list[str]:
    return sorted(c.title for c in store.list_conversations())


def test_a_damaged_chat_database_says_where_the_old_file_is(
        start: Any, screenshot_dir: Path) -> None:
    db = paths.ensure_dir(paths.data_dir()) / paths.DB_FILENAME
    db.write_bytes(b"this is not a database at all" * 200)
    gui = start()
    notice = _notice(gui, "database_damaged")
    kept = [p for p in db.parent.iterdir() if ".damaged-" in p.name
            and not p.name.endswith(("-wal", "-shm"))]
    assert kept, list(db.parent.iterdir())
    assert str(kept[0]) in notice.text
    assert kept[0].read_bytes().startswith(b"this is not a database")  # nothing thrown away
    assert notice.buttons and notice.buttons[0].text() == "Show the file"
    # The fresh database works: a new chat can be written.
    store = gui.controller.store  # type: ignore[attr-defined]
    store.create_conversation("after the damage")
    assert "after the damage" in _titles(store)
    snap(gui.window, screenshot_dir / "fault_database_damaged.png")  # type: ignore[arg-type]
    FAULTS["survived"] += 1


def test_a_truncated_database_recovers_what_it_can(start: Any) -> None:
    db = paths.ensure_dir(paths.data_dir()) / paths.DB_FILENAME
    _fill_store(db, [f"chat {n}" for n in range(40)])
    data = db.read_bytes()
    db.write_bytes(data[: len(data) * 2 // 3])
    gui = start()
    notice = _notice(gui, "database_damaged")
    assert "damaged file is kept at" in notice.text
    recovered = _titles(gui.controller.store)  # type: ignore[attr-defined]
    recovery = gui.controller.store.recovery  # type: ignore[attr-defined]
    assert len(recovered) == recovery.conversations_recovered
    assert f"{recovery.conversations_recovered} conversation(s)" in notice.text or \
        recovery.conversations_recovered == 0
    # Every conversation is either in the new database or in the kept file.
    assert recovery.damaged_path.exists()
    FAULTS["survived"] += 1


@pytest.fixture
def read_only_data(ponder_home: Path) -> Iterator[Path]:
    """The data folder with a chat database, then read-only (a tmpfs remount as root)."""
    folder = ponder_home / "data"
    folder.mkdir(parents=True)
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    mounted = is_root and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)],
        capture_output=True, check=False).returncode == 0
    if is_root and not mounted:
        pytest.fail("as root a read-only folder needs a tmpfs mount, and mount failed")
    try:
        _fill_store(folder / paths.DB_FILENAME, ["kept chat"])
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        else:
            folder.chmod(0o555)
        yield folder
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        else:
            folder.chmod(0o755)


def test_a_read_only_data_folder_opens_for_reading_and_says_why(
        read_only_data: Path, start: Any, screenshot_dir: Path) -> None:
    gui = start()
    notice = _notice(gui, "read_only")
    assert str(read_only_data) in notice.text and "reading only" in notice.text
    window: Any = gui.window
    assert _titles(gui.controller.store) == ["kept chat"]  # type: ignore[attr-defined]
    for widget in (window.composer, window.sidebar.new_button):
        assert not widget.isEnabled() and "reading only" in widget.toolTip()
    for action in (window.new_action, window.import_action):
        assert not action.isEnabled() and "reading only" in action.toolTip()
    snap(window, screenshot_dir / "fault_read_only.png")
    FAULTS["survived"] += 1


def test_a_missing_model_offers_locate_and_another(
        qtbot: QtBot, start: Any, tmp_path: Path, screenshot_dir: Path) -> None:
    models = paths.ensure_dir(paths.models_dir())
    (models / "default-model.json").write_text(json.dumps({"file": "gone.gguf"}))
    gui = start()
    notice = _notice(gui, "model_missing")
    assert str(models / "gone.gguf") in notice.text
    assert [b.text() for b in notice.buttons] == ["Locate…", "Choose another model"]
    snap(gui.window, screenshot_dir / "fault_model_missing.png")  # type: ignore[arg-type]
    moved = tmp_path / "moved"
    moved.mkdir()
    found = write_tiny_gguf(moved / "found again.gguf")
    faults: Any = gui.faults
    faults.locate = lambda: found
    controller: Any = gui.controller
    with qtbot.waitSignal(controller.model_changed, timeout=60000):
        notice.buttons[0].click()
        page = gui.setup.models_page  # type: ignore[attr-defined]
        assert page is not None and page.isVisible()
        assert gui.window.notices.named("model_missing") is None  # type: ignore[attr-defined]
    # Imported, made the default and loaded.
    assert get_default_model(models) == models / "found again.gguf"
    assert gui.setup.loaded_path == models / "found again.gguf"  # type: ignore[attr-defined]
    FAULTS["survived"] += 1


def test_choose_another_model_opens_the_models_page(start: Any) -> None:
    models = paths.ensure_dir(paths.models_dir())
    (models / "default-model.json").write_text(json.dumps({"file": "gone.gguf"}))
    gui = start()
    _notice(gui, "model_missing").buttons[1].click()
    assert gui.setup.models_page is not None and gui.setup.models_page.isVisible()  # type: ignore[attr-defined]
    FAULTS["survived"] += 1


def test_damaged_settings_are_told_and_kept(start: Any, screenshot_dir: Path) -> None:
    settings = paths.ensure_dir(paths.config_dir()) / "settings.json"
    settings.write_text('{"temperature": 0.3, "theme": ')  # cut off mid-write
    earlier = settings.with_name("settings.json.bak")
    earlier.write_text("an earlier backup")
    gui = start()
    notice = _notice(gui, "settings_damaged")
    kept = settings.with_name("settings.json.bak.1")
    assert str(kept) in notice.text
    assert kept.read_text() == '{"temperature": 0.3, "theme": '
    assert earlier.read_text() == "an earlier backup"  # never overwritten
    snap(gui.window, screenshot_dir / "fault_settings_damaged.png")  # type: ignore[arg-type]
    FAULTS["survived"] += 1


def test_a_healthy_start_shows_no_notice(start: Any) -> None:
    gui = start()
    assert gui.window.notices.notices == []  # type: ignore[attr-defined]
    assert not gui.window.notices.isVisible()  # type: ignore[attr-defined]


def test_zz_fault_counts() -> None:
    print(f"\nFAULTS tried={FAULTS['tried']} survived={FAULTS['survived']} "
          f"data_lost={FAULTS['data_lost']}")
    assert FAULTS["data_lost"] == 0
    assert FAULTS["survived"] == FAULTS["tried"] - 1  # all but the healthy start

