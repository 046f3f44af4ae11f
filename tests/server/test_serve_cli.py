"""`ponder serve` as a user runs it: headless, the write-up's snippet as written."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.server.runner import SNIPPET, WRITEUP_PROMPT

pytestmark = pytest.mark.slow

CATALOG_FILE = "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf"

# Runs `ponder serve` with Qt made unimportable: serving must never need it.
LAUNCH = """
import sys
class NoQt:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6"):
            raise ImportError("Qt imported by ponder serve: " + name)
sys.meta_path.insert(0, NoQt())
from app.cli import main
sys.exit(main(sys.argv[1:]))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PONDER_HOME": str(home)}
    return subprocess.Popen([sys.executable, "-c", LAUNCH, "serve", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory,
           tiny_r1_gguf: Path) -> Iterator[tuple[subprocess.Popen[str], int, Path]]:
    home = tmp_path_factory.mktemp("home")
    model = tmp_path_factory.mktemp("models") / CATALOG_FILE  # a catalog file's name
    shutil.copy(tiny_r1_gguf, model)
    port = free_port()
    proc = serve(home, "--model", str(model), "--port", str(port), "--ctx", "2048")
    assert proc.stdout is not None
    line = proc.stdout.readline()
    expected = f"Serving deepseek-r1-distill-qwen-1.5b on http://127.0.0.1:{port}/v1"
    assert line.startswith(expected), (line, proc.stderr and proc.stderr.read())
    yield proc, port, home
    proc.terminate()
    proc.communicate(timeout=30)  # closes the pipes


def test_writeup_snippet_as_written(served: tuple[subprocess.Popen[str], int, Path],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    _, port, home = served
    code = SNIPPET.format(base=f"http://localhost:{port}/v1", key="EMPTY",
                          model="deepseek-r1-distill-qwen-1.5b", prompt=WRITEUP_PROMPT)
    assert code.splitlines()[2] == (
        'response = client.completions.create(model="deepseek-r1-distill-qwen-1.5b", '
        'prompt="求解方程:x^2 - 5x + 6 = 0", max_tokens=256, temperature=0.7)')
    exec(compile(code, "snippet", "exec"), {})
    printed = capsys.readouterr().out
    assert printed.strip()  # random weights: some text, 256 tokens at most
    assert not list(home.rglob("settings.json"))  # the window's last model is untouched


def test_port_in_use_message(served: tuple[subprocess.Popen[str], int, Path],
                             tmp_path: Path, tiny_r1_gguf: Path) -> None:
    _, port, _ = served
    second = serve(tmp_path, "--model", str(tiny_r1_gguf), "--port", str(port))
    _, err = second.communicate(timeout=120)
    assert second.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use by another program" in err
    assert "Traceback" not in err


def test_lan_bind_without_key_refused(tmp_path: Path, tiny_r1_gguf: Path) -> None:
    proc = serve(tmp_path, "--model", str(tiny_r1_gguf), "--host", "0.0.0.0",
                 "--port", str(free_port()))
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1 and "without an API key" in err and "Traceback" not in err

