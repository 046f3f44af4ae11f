"""`ponder chat` as a user runs it: a subprocess with real models and broken files."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.gguf_bytes import HTML_PAGE

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _ponder(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "app", "chat", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env,
    )


def test_json_summary_from_a_real_model(smollm2_path: Path) -> None:
    result = _ponder("--model", str(smollm2_path), "--json", "--max-tokens", "8",
                     "--temperature", "0", "--threads", "1", "--ctx", "512", "What is 2+2?")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert set(summary) >= {"answer", "reasoning", "boxed", "stats", "model", "notices"}
    assert summary["answer"].strip()
    stats = summary["stats"]
    assert stats["completion_tokens"] <= 8
    assert stats["prompt_tokens"] > 10
    assert stats["stop_reason"] in ("eos", "max_tokens")
    assert stats["decode_tps"] > 0
    assert result.stderr == ""  # llama.cpp's chatter went to logging, not the terminal


def test_plain_output_streams_answer_and_stats(smollm2_path: Path) -> None:
    result = _ponder("--model", str(smollm2_path), "--max-tokens", "6", "--temperature", "0",
                     "--threads", "1", "--ctx", "512", "Hello")
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stdout  # no ANSI codes when stdout is not a terminal
    body, _, stats = result.stdout.rpartition("\n\n-- ")
    assert body.strip()
    assert "tok/s" in stats and "stop: " in stats


@pytest.mark.parametrize(("content", "pattern"), [
    (b"", "is empty"),
    (HTML_PAGE, "web page"),
    (b"GGUF\x03\x00\x00\x00" + b"\x00" * 4, "far too short"),
])
def test_broken_file_exits_1_with_one_line(tmp_path: Path, content: bytes, pattern: str) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(content)
    result = _ponder("--model", str(path), "Hi", timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ponder: ")
    assert pattern in lines[0]
    assert "Traceback" not in result.stderr


def test_unreachable_server_exits_1_with_one_line() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = _ponder("--remote", f"http://127.0.0.1:{port}/v1", "--model", "x", "Hi", timeout=60)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "connection refused" in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX-only")
def test_ctrl_c_cancels_and_prints_the_partial_reply(smollm2_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "chat", "--model", str(smollm2_path), "--max-tokens",
         "2000", "--threads", "1", "--ctx", "2048", "Write a very long story."],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
    )
    assert proc.stdout is not None
    # Interrupt once the reply is streaming (a fixed sleep raced with short replies).
    seen = ""
    while len(seen) < 40:
        piece = proc.stdout.read(1)
        assert piece, "the reply ended before it could be interrupted"
        seen += piece
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=60)
    out = seen + rest
    assert proc.returncode == 130, err
    body, _, stats = out.rpartition("\n\n-- ")
    assert body.strip()
    assert "stop: cancelled" in stats
    assert "Traceback" not in err
