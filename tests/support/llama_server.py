"""Run llama-cpp-python's own OpenAI-compatible server on 127.0.0.1 for tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

R1_SERVER_ALIAS = "deepseek-r1-tiny"
"""The tiny R1 model's name on its server (the name makes Ponder use the R1 rules)."""

START_TIMEOUT_S = 90.0
"""How long the server may take to answer GET /v1/models."""


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_llama(model: Path, alias: str, log_path: Path, n_ctx: int = 2048) -> Iterator[str]:
    """Serve `model` as `alias` with `python -m llama_cpp.server`; yields the /v1 URL.

    One CPU thread, so it shares the test machine politely; the server's own
    output goes to `log_path`. The process is stopped when the block ends.
    """
    port = free_port()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
             "--model_alias", alias, "--host", "127.0.0.1", "--port", str(port),
             "--n_ctx", str(n_ctx), "--n_threads", "1"],
            stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}/v1"
        try:
            _wait_until_up(url, proc)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_until_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(url + "/models", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"llama_cpp.server did not start (exit {proc.poll()})")
        time.sleep(0.2)
