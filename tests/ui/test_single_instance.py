"""One Ponder window per user, tried with real processes (offscreen).

A first `ponder` opens the window; a second `ponder FILE.gguf` hands the file
to it and exits; the first window imports the file into its models folder.
Headless commands run beside the window; a socket left by a killed window
does not block the next start.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import split_model_file
from tests.support.tiny_gguf import write_tiny_gguf

ROOT = Path(__file__).resolve().parents[2]


def _env(home: Path) -> dict[str, str]:
    return dict(os.environ, PONDER_HOME=str(home), QT_QPA_PLATFORM="offscreen",
                PYTHONPATH=str(ROOT))


def _ponder(home: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "app", *args], env=_env(home), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _log(home: Path) -> str:
    log = home / "logs" / "ponder.log"
    return log.read_text(encoding="utf-8") if log.exists() else ""


def _wait_for(check: object, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def _listening(home: Path) -> bool:
    # The window writes no marker; the socket answers once it listens.
    probe = subprocess.run(
        [sys.executable, "-c",
         "import sys; from PySide6.QtNetwork import QLocalSocket\n"
         "from app.ui.shell.single_instance import server_name\n"
         "s = QLocalSocket(); s.connectToServer(server_name())\n"
         "sys.exit(0 if s.waitForConnected(500) else 1)"],
        env=_env(home), cwd=ROOT, capture_output=True, timeout=60, check=False)
    return probe.returncode == 0


@pytest.fixture
def first_window(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    home = tmp_path / "home"
    first = _ponder(home)
    try:
        assert _wait_for(lambda: _listening(home) or first.poll() is not None), \
            "the first window never listened"
        assert first.poll() is None, first.communicate()[0]
        yield home, first
    finally:
        if first.poll() is None:
            first.send_signal(signal.SIGKILL)
        first.communicate(timeout=30)


def test_a_second_start_hands_its_file_to_the_first_window(
        first_window: tuple[Path, subprocess.Popen[str]], tmp_path: Path) -> None:
    home, first = first_window
    (tmp_path / "elsewhere").mkdir()
    model = write_tiny_gguf(tmp_path / "elsewhere" / "my model.gguf")
    second = _ponder(home, str(model))
    out, _ = second.communicate(timeout=60)
    assert second.returncode == 0, out
    assert "already open" in out
    assert first.poll() is None  # the first window is still there
    assert _wait_for(lambda: "handed over" in _log(home), 30), _log(home)
    assert str(model) in _log(home)
    # The first window opened the import of that file: it lands in its models folder.
    assert _wait_for(lambda: (home / "models" / "my model.gguf").exists(), 60), _log(home)


def test_headless_commands_are_not_locked(
        first_window: tuple[Path, subprocess.Popen[str]]) -> None:
    home, first = first_window
    done = subprocess.run([sys.executable, "-m", "app", "models", "--json"], env=_env(home),
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert '"models"' in done.stdout
    assert first.poll() is None


def test_a_socket_left_by_a_killed_window_does_not_block_the_next(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = _ponder(home)
    assert _wait_for(lambda: _listening(home)), "the first window never listened"
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=30)
    assert not _listening(home)
    again = _ponder(home)
    try:
        assert _wait_for(lambda: _listening(home) or again.poll() is not None)
        assert again.poll() is None, again.communicate()[0]  # it is the window now
    finally:
        again.send_signal(signal.SIGKILL)
        again.communicate(timeout=30)


def test_two_data_folders_are_two_apps(tmp_path: Path) -> None:
    from app.ui.shell.single_instance import server_name

    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
    assert server_name(tmp_path / "a") == server_name(tmp_path / "a")


@pytest.mark.parametrize(("argv", "expected"), [
    (["model.gguf"], ("model.gguf", [])),
    (["--self-test", "--model", "x.gguf"], (None, ["--self-test", "--model", "x.gguf"])),
    (["chat", "hello.gguf"], (None, ["chat", "hello.gguf"])),
    (["download", "--help"], (None, ["download", "--help"])),
    (["nonsense"], (None, ["nonsense"])),
    ([], (None, [])),
])
def test_the_model_file_argument_leaves_subcommands_alone(
        argv: list[str], expected: tuple[str | None, list[str]]) -> None:
    assert split_model_file(argv) == expected


def test_a_window_that_does_not_answer_is_not_replaced(qapp: object, tmp_path: Path) -> None:
    # A server that accepts and never answers stands for a busy or hung window.
    from PySide6.QtNetwork import QLocalServer

    from app.ui.shell import single_instance

    name = single_instance.server_name(tmp_path / "hung")
    server = QLocalServer()
    assert server.listen(name)
    try:
        started = time.monotonic()
        assert single_instance.hand_over([], name) is None
        assert time.monotonic() - started < 10
        assert single_instance.hand_over([], name + "-nobody") is False
    finally:
        server.close()
