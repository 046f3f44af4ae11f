"""Offline proof: with every non-loopback connection refused and HF_HUB_OFFLINE=1, Ponder
starts, finds its model in the models folder and answers through real llama.cpp."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _is_loopback(address: Any) -> bool:
    if not isinstance(address, tuple):
        return True  # AF_UNIX paths never leave the machine
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name that would need DNS


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Refuse every non-loopback connect; returns the refused addresses."""
    refused: list[Any] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_create = socket.create_connection

    def connect(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            refused.append(address)
            raise OSError(f"network blocked by the offline test: {address!r}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            refused.append(address)
            raise OSError(f"network blocked by the offline test: {address!r}")
        return real_connect_ex(self, address)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        if not _is_loopback(address):
            refused.append(address)
            raise OSError(f"network blocked by the offline test: {address!r}")
        return real_create(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return refused


def test_guard_refuses_the_internet(no_network: list[Any]) -> None:
    with pytest.raises(OSError, match="blocked"):
        socket.create_connection(("93.184.216.34", 443), timeout=1)
    with socket.socket() as s, pytest.raises(OSError, match="blocked"):
        s.connect(("1.1.1.1", 53))
    assert len(no_network) == 2


@pytest.mark.slow
def test_app_starts_finds_its_model_and_answers_offline(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smollm2_path: Path,
        no_network: list[Any]) -> None:
    monkeypatch.setenv("PONDER_HOME", str(tmp_path / "home"))
    from app.core import paths
    from app.store.settings import Settings, save_settings
    from app.ui.main import build_gui
    from app.ui.setup.model_setup import safe_start

    # A short reply keeps the test quick on a busy machine; the path is the real one.
    save_settings(Settings(max_tokens=48, n_ctx=2048))
    models = paths.ensure_dir(paths.models_dir())
    shutil.copyfile(smollm2_path, models / smollm2_path.name)
    gui = build_gui([], language="en")
    window, controller = gui.window, gui.controller
    qtbot.addWidget(window)  # type: ignore[arg-type]
    try:
        window.show()  # type: ignore[attr-defined]
        with qtbot.waitSignal(controller.model_changed, timeout=60000) as loaded:  # type: ignore[attr-defined]
            safe_start(gui.setup)  # type: ignore[arg-type]
        assert loaded.args[0].model_name
        assert gui.setup.wizard is None  # type: ignore[attr-defined]
        with qtbot.waitSignal(controller.reply_finished, timeout=120000):  # type: ignore[attr-defined]
            controller.send("What is the capital of France?")  # type: ignore[attr-defined]
        store = controller.store  # type: ignore[attr-defined]
        reply = store.active_path(controller.conversation_id)[-1]  # type: ignore[attr-defined]
        assert str(reply.role) in ("assistant", "Role.ASSISTANT") and reply.content.strip()
        assert no_network == []  # nothing even tried to reach the internet
    finally:
        gui.client.shutdown()
        window.close()  # type: ignore[attr-defined]
        controller.store.close()  # type: ignore[attr-defined]
