"""Settings → Model: a model on this computer (with the planner's verdicts) or a server.

The server is llama.cpp's own (llama_cpp.server serving SmolLM2 on
127.0.0.1): the page lists its models, one is chosen, and the window answers
through it; the status bar says which is in use.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core import paths
from app.hardware.planner import Plan
from app.models.catalog import load_catalog
from app.services.setup import verdicts
from app.store.records import MessageStatus
from app.store.settings import Settings, load_settings, settings_path
from app.ui.setup.model_setup import ModelSetup
from app.ui.shell.model_settings_page import ModelSettingsPage
from app.ui.shell.settings_dialog import SettingsBinder
from tests.support.llama_server import serve_llama
from tests.support.model_setup import machine
from tests.ui.helpers import Rig, make_rig, snap

SMALL_MACHINE = machine(ram_gib=6)
"""Fits the 1.5B model, not the 7B."""


def small_machine_verdicts() -> dict[str, Plan]:
    return verdicts(load_catalog(), SMALL_MACHINE, False)


@pytest.fixture
def installed(smollm2_path: Path) -> Path:
    folder = paths.models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "SmolLM2-135M-Instruct.Q4_1.gguf"
    shutil.copyfile(smollm2_path, target)
    return target


def test_local_choices_show_installed_and_catalog_models_with_the_verdict(
        qtbot: QtBot, installed: Path, screenshot_dir: Path) -> None:
    page = ModelSettingsPage(Settings(), verdicts=small_machine_verdicts)
    qtbot.addWidget(page)
    page.resize(640, 420)
    page.show()
    qtbot.waitUntil(lambda: "fits this computer" in _texts(page)[1], timeout=10000)
    texts = _texts(page)
    assert texts[0].lower().startswith("smollm2") and texts[0].endswith(" — installed")
    assert texts[1].startswith("DeepSeek-R1-Distill-Qwen-1.5B — not downloaded — fits this "
                               "computer (Q")
    assert texts[2] == ("DeepSeek-R1-Distill-Qwen-7B — not downloaded — too big for this "
                        "computer")
    assert page.local_radio.isChecked() and not page.url.isEnabled()
    page.local_list.setCurrentRow(2)
    assert "not on this computer yet" in page.local_note.text()
    kept = page.result(Settings(last_model=str(installed)))
    assert kept.backend == "local" and kept.last_model == str(installed)  # 7B not downloaded
    page.local_list.setCurrentRow(0)
    chosen = page.result(Settings(backend="remote"))
    assert (chosen.backend, chosen.last_model) == ("local", str(installed))
    snap(page, screenshot_dir / "settings_model_local.png")
    page.stop()


def _texts(page: ModelSettingsPage) -> list[str]:
    return [page.local_list.item(i).text() for i in range(page.local_list.count())]


def test_the_settings_dialog_has_the_model_page(qtbot: QtBot, tmp_path: Path,
                                                screenshot_dir: Path) -> None:
    rig = make_rig(tmp_path / "chats.sqlite3")
    qtbot.addWidget(rig.window)
    try:
        binder = SettingsBinder(Settings())
        binder.attach(rig.controller, rig.window)
        dialog = binder.make_dialog()
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.model_page.title() == "Model"
        dialog.show_tab(dialog.model_page)
        assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Model"
        assert dialog.model_page.isVisible()
        dialog.model_page.stop()
        dialog.reject()
    finally:
        rig.close()


@pytest.fixture(scope="module")
def server(smollm2_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama.cpp's own server with SmolLM2 as "smollm2" on 127.0.0.1; its /v1 URL."""
    log = tmp_path_factory.mktemp("server") / "smollm2.log"
    with serve_llama(smollm2_path, "smollm2", log) as url:
        yield url


@pytest.fixture
def rig(qtbot: QtBot, tmp_path: Path) -> Iterator[Rig]:
    r = make_rig(tmp_path / "chats.sqlite3")
    qtbot.addWidget(r.window)
    yield r
    r.close()


@pytest.mark.slow
def test_a_server_is_chosen_from_its_model_list_and_answers_in_the_window(
        qtbot: QtBot, rig: Rig, server: str, screenshot_dir: Path) -> None:
    setup = ModelSetup(rig.window, rig.controller)
    binder = SettingsBinder(Settings())
    binder.attach(rig.controller, rig.window)
    setup.loads.follow(binder)
    rig.controller._options = binder.generate_options
    dialog = binder.make_dialog()
    qtbot.addWidget(dialog)
    page = dialog.model_page
    page.remote_radio.setChecked(True)
    assert page.url.isEnabled() and not page.local_list.isEnabled()
    page.url.setText(server)
    page.key.setText("not-checked-by-this-server")
    qtbot.mouseClick(page.list_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.server_model.count() > 0, timeout=15000)
    assert [page.server_model.itemText(i) for i in range(page.server_model.count())] == \
        ["smollm2"]
    assert page.server_status.text() == "The server offers 1 model(s)."
    page.server_model.setCurrentIndex(0)
    page.resize(640, 420)
    snap(page, screenshot_dir / "settings_model_server.png")
    chosen = dialog.result_settings()
    # No system keyring here: the key is kept in the settings file, readable only by the user.
    assert (chosen.backend, chosen.remote_url, chosen.remote_model, chosen.remote_api_key) == \
        ("remote", server, "smollm2", "not-checked-by-this-server")
    page.stop()
    with qtbot.waitSignal(rig.controller.model_changed, timeout=15000):
        binder.apply(chosen)
    assert stat.S_IMODE(os.stat(settings_path()).st_mode) == 0o600
    assert load_settings().remote_api_key == "not-checked-by-this-server"
    status = rig.window.status
    assert status.model_label.text() == "smollm2"
    assert status.backend_label.text() == f"server at {server}"
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=120000) as done:
        rig.controller.send("Say hello in one word.")
    reply = rig.store.get_message(int(done.args[0]))
    assert reply.status is MessageStatus.COMPLETE and reply.content.strip()
    assert reply.model == "smollm2"
    snap(rig.window.status, screenshot_dir / "status_bar_server.png")
    snap(rig.window, screenshot_dir / "window_server_reply.png")
    # the choice is remembered: a new window reconnects at start
    assert setup.loads.current is not None and setup.loads.current.remote_model == "smollm2"
    assert load_settings().backend == "remote"


def test_a_server_that_is_not_there_is_explained(qtbot: QtBot, tmp_path: Path) -> None:
    from tests.support.llama_server import free_port

    page = ModelSettingsPage(Settings(backend="remote"), verdicts=dict)
    qtbot.addWidget(page)
    page.url.setText(f"http://127.0.0.1:{free_port()}/v1")
    with qtbot.waitSignal(page.list_button.clicked, timeout=1000):
        qtbot.mouseClick(page.list_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.list_button.isEnabled(), timeout=15000)
    message = page.server_status.text()
    assert "127.0.0.1" in message and "Traceback" not in message
    assert page.server_model.count() == 0
    page.url.setText("not a url")
    qtbot.mouseClick(page.list_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.list_button.isEnabled(), timeout=5000)
    assert "is not a server address" in page.server_status.text()
