"""The local API from the window: Settings → Local API, and one loaded model serving both.

The window loads SmolLM2 through its engine worker (its ModelHost), the API
is turned on through the settings, the official `openai` client gets an
answer from that same loaded backend (the host's backend object is the one
that served it: no second copy), then the API is turned off and the port is
free again. A port in use is refused with one sentence naming it.
"""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.services.loading import ModelSource
from app.store.settings import Settings, load_settings
from app.ui.shell.api_control import ApiControl
from app.ui.shell.settings_dialog import SettingsBinder
from tests.ui.helpers import Rig, make_rig, snap


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_is_free(port: int) -> bool:
    """Nobody listens there, and a server can bind it again (as ApiServer binds)."""
    from app.server.config import ServerConfigError
    from app.server.runner import bind_socket

    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    try:
        bind_socket("127.0.0.1", port).close()
    except ServerConfigError:
        return False
    return True


@pytest.fixture
def rig(qtbot: QtBot, tmp_path: Path) -> Iterator[Rig]:
    r = make_rig(tmp_path / "chats.sqlite3")
    qtbot.addWidget(r.window)
    yield r
    r.close()


def _binder(rig: Rig) -> SettingsBinder:
    binder = SettingsBinder.load()
    binder.attach(rig.controller, rig.window)
    return binder


def test_local_api_page_shows_address_snippet_and_keeps_the_key(
        qtbot: QtBot, rig: Rig, screenshot_dir: Path) -> None:
    binder = _binder(rig)
    ApiControl(binder, rig.window, rig.controller)
    dialog = binder.make_dialog()
    qtbot.addWidget(dialog)
    page = dialog.api_page
    assert not page.enabled.isChecked() and page.port.value() == 7323
    assert page.address.text() == "http://127.0.0.1:7323/v1"
    snippet = page.snippet.toPlainText()
    assert 'base_url="http://localhost:7323/v1"' in snippet and 'api_key="EMPTY"' in snippet
    assert "completions.create" in snippet
    page.enabled.setChecked(True)
    page.port.setValue(7400)
    page.key.setText("k-secret")
    page.allowed_hosts.setText(" mybox.lan ,, other.lan ")
    assert "localhost:7400" in page.snippet.toPlainText()
    assert "YOUR-API-KEY" in page.snippet.toPlainText()  # the key itself is never shown
    dialog.show()
    dialog.show_tab(page)
    assert page.isVisible()
    snap(page, screenshot_dir / "settings_local_api.png")
    edited = dialog.result_settings()
    assert (edited.api_server_enabled, edited.api_server_port) == (True, 7400)
    assert edited.api_server_allowed_hosts == "mybox.lan,other.lan"
    # No system keyring here: the key stays in the settings file (readable only by the user).
    assert edited.api_server_key == "k-secret"


def test_key_goes_to_the_system_keyring_when_there_is_one(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    import keyring

    from app.services.api_key import ACCOUNT, api_key, store_api_key

    kept: dict[tuple[str, str], str] = {}
    monkeypatch.setattr(keyring, "set_password", lambda s, a, v: kept.__setitem__((s, a), v))
    monkeypatch.setattr(keyring, "get_password", lambda s, a: kept.get((s, a)))
    monkeypatch.setattr(keyring, "delete_password", lambda s, a: kept.pop((s, a)))
    saved = store_api_key(Settings(), "k-123")
    assert saved.api_server_key == ""  # not in the file
    assert kept == {("Ponder", ACCOUNT): "k-123"} and api_key(saved) == "k-123"
    assert api_key(store_api_key(saved, "")) == "" and kept == {}


def test_port_in_use_is_one_clear_sentence(qtbot: QtBot, rig: Rig) -> None:
    binder = _binder(rig)
    control = ApiControl(binder, rig.window, rig.controller)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        with qtbot.waitSignal(control.failed, timeout=15000) as failed:
            binder.apply(dataclasses.replace(binder.settings, api_server_enabled=True,
                                             api_server_port=port))
    message = failed.args[0]
    assert f"Port {port}" in message and "already in use" in message
    assert "Traceback" not in message
    assert control.server is None and not rig.window.status.api_label.isVisible()
    assert control.status_text == message  # the settings page shows it too


@pytest.mark.slow
def test_openai_client_is_answered_by_the_windows_loaded_model(
        qtbot: QtBot, rig: Rig, smollm2_path: Path, screenshot_dir: Path) -> None:
    from openai import OpenAI

    host = rig.client.host
    with qtbot.waitSignal(rig.controller.model_changed, timeout=60000):
        rig.client.load(ModelSource(path=smollm2_path),
                        Settings(n_ctx=1024, n_gpu_layers=0, n_threads=2))
    loaded = host.loaded
    assert loaded is not None
    served_by: list[object] = []
    generate = loaded.backend.generate

    def recording_generate(*args: object, **kwargs: object) -> object:
        served_by.append(loaded.backend)
        return generate(*args, **kwargs)  # type: ignore[arg-type]

    loaded.backend.generate = recording_generate  # type: ignore[method-assign]
    binder = _binder(rig)
    control = ApiControl(binder, rig.window, rig.controller)
    port = _free_port()
    with qtbot.waitSignal(control.started, timeout=20000) as started:
        binder.apply(dataclasses.replace(binder.settings, api_server_enabled=True,
                                         api_server_port=port))
    assert load_settings().api_server_enabled and load_settings().api_server_port == port
    address = started.args[0]
    assert address == f"http://127.0.0.1:{port}/v1"
    assert address in rig.window.status.api_label.text()
    snap(rig.window.status, screenshot_dir / "status_api_on.png")
    client = OpenAI(base_url=f"http://localhost:{port}/v1", api_key="EMPTY", timeout=60)
    models = client.models.list()
    assert models.data[0].id == smollm2_path.name
    answer: dict[str, str] = {}

    def ask() -> None:  # the window's event loop keeps running meanwhile
        chat = client.chat.completions.create(
            model=smollm2_path.name, max_tokens=12, temperature=0.0,
            messages=[{"role": "user", "content": "Say hello."}])
        answer["text"] = chat.choices[0].message.content or ""
        answer["finish"] = str(chat.choices[0].finish_reason)

    import threading

    thread = threading.Thread(target=ask)
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=60000)
    assert answer["text"].strip() and answer["finish"] in ("stop", "length")
    # One copy: the backend the window loaded is the one that answered.
    assert served_by == [loaded.backend] and host.loaded is loaded
    with qtbot.waitSignal(control.stopped, timeout=15000):
        binder.apply(dataclasses.replace(binder.settings, api_server_enabled=False))
    assert _port_is_free(port)
    assert not rig.window.status.api_label.isVisible()


def test_api_on_in_the_settings_starts_after_the_window_paints(qtbot: QtBot, tmp_path: Path
                                                               ) -> None:
    from app.store.settings import save_settings

    port = _free_port()
    save_settings(Settings(api_server_enabled=True, api_server_port=port))
    rig = make_rig(tmp_path / "start.sqlite3")  # shown at once
    qtbot.addWidget(rig.window)
    try:
        control = ApiControl(_binder(rig), rig.window, rig.controller)
        assert control.server is None  # nothing bound before the first paint
        with qtbot.waitSignal(control.started, timeout=15000) as started:
            rig.window.update()
        assert started.args[0] == f"http://127.0.0.1:{port}/v1"
        with qtbot.waitSignal(control.stopped, timeout=15000):
            rig.window.close()  # closing the window stops the API
        assert _port_is_free(port)
    finally:
        rig.close()
