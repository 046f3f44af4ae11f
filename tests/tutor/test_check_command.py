"""`ponder check` as a user runs it: a subprocess with real GGUF models, JSON out.

The tiny R1's answers are gibberish (random weights): the tests assert the
structure and the counts, not agreement. The command always judges with the
real MathJudge (its worker process starts only when two boxed answers need
comparing).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.support.gguf_bytes import HTML_PAGE

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _ponder(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "app", "check", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env=env)


def _check_structure(vote: dict[str, Any], samples: int, budget: int) -> None:
    assert vote["total"] == samples
    assert vote["plan"]["samples"] == samples and vote["plan"]["max_tokens"] == budget
    assert [s["index"] for s in vote["samples"]] == list(range(vote["done"]))
    assert vote["samples"][0]["stop"] == "original"
    for sample in vote["samples"][1:]:
        assert 0 < sample["tokens"] <= budget
        assert sample["stop"] in ("eos", "max_tokens")
        assert set(sample) == {"index", "answer", "tokens", "stop", "text", "reasoning"}
    assert vote["tokens"] == sum(s["tokens"] for s in vote["samples"])
    assert vote["seconds"] > 0 and vote["first_answer"]["tokens"] > 0
    members = [m for g in vote["groups"] for m in g["members"]]
    boxed = [s["index"] for s in vote["samples"] if s["answer"] is not None]
    assert sorted(members) == boxed  # every boxed answer is in exactly one group
    assert isinstance(vote["summary"], str) and vote["summary"]


def test_tiny_r1_votes_with_three_answers(tiny_r1_gguf: Path) -> None:
    result = _ponder("--model", str(tiny_r1_gguf), "--samples", "3", "--max-tokens", "16",
                     "--threads", "1", "--ctx", "512", "--seed", "7", "What is 1 + 1?")
    assert result.returncode == 0, result.stderr
    vote = json.loads(result.stdout)
    _check_structure(vote, samples=3, budget=16)
    assert vote["backend"] == "CPU" and vote["question"] == "What is 1 + 1?"
    assert not vote["cancelled"]
    if not vote["stopped_early"]:
        assert vote["done"] == 3
    # progress on stderr: the plan line and one line per new sample, no traceback
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("ponder: first answer: ") and "drawing 2 more" in lines[0]
    assert sum(line.startswith("ponder: sample ") for line in lines) == vote["done"] - 1
    assert "Traceback" not in result.stderr


def test_smollm2_samples_are_different_texts(smollm2_path: Path) -> None:
    result = _ponder("--model", str(smollm2_path), "--samples", "4", "--max-tokens", "24",
                     "--temperature", "1.0", "--seed", "3", "--threads", "1", "--ctx", "1024",
                     "What is 2 + 3? Explain.")
    assert result.returncode == 0, result.stderr
    vote = json.loads(result.stdout)
    _check_structure(vote, samples=4, budget=24)
    texts = [s["text"] for s in vote["samples"][1:]]
    assert len(set(texts)) == len(texts) == vote["done"] - 1


def test_a_small_context_is_said_in_one_line(tiny_r1_gguf: Path) -> None:
    result = _ponder("--model", str(tiny_r1_gguf), "--samples", "5", "--max-tokens", "400",
                     "--threads", "1", "--ctx", "512", "Hi")
    assert result.returncode == 0, result.stderr
    vote = json.loads(result.stdout)
    note = vote["plan"]["note"]
    assert note is not None and "512" in note
    assert f"ponder: {note}" in result.stderr.splitlines()
    plan = vote["plan"]
    assert plan["samples"] < 5 or plan["max_tokens"] < 400


def test_broken_file_and_bad_count_exit_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(HTML_PAGE)
    result = _ponder("--model", str(path), "--samples", "3", "Hi", timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ponder: ") and "web page" in lines[0]
    assert result.stdout == ""
    result = _ponder("--model", str(path), "--samples", "1", "Hi", timeout=60)
    assert result.returncode == 2
    assert "2 or more" in result.stderr and "Traceback" not in result.stderr


def test_a_server_is_asked_once_per_answer_and_stops_early() -> None:
    from tests.support.openai_stub import R1_SCRIPT_MODEL, Handler, serve_stub

    with serve_stub() as url:
        seen = len(Handler.requests_seen)
        result = _ponder("--remote", f"{url}/v1", "--model", R1_SCRIPT_MODEL, "--samples", "5",
                         "--max-tokens", "64", "What is 2 + 2?", timeout=120)
        requests = len(Handler.requests_seen) - seen
    assert result.returncode == 0, result.stderr
    vote = json.loads(result.stdout)
    _check_structure(vote, samples=5, budget=64)
    assert vote["backend"] == "remote"
    # the first answer and two samples say 4: the last two were never asked for
    assert vote["summary"] == "3 of 3 agree: 4" and vote["stopped_early"]
    assert requests == 1 + 2


class _Spellings(BaseHTTPRequestHandler):
    """A server whose n-th reply boxes the n-th of ANSWERS (different spellings)."""

    ANSWERS: ClassVar[list[str]] = ["\\frac{1}{2}", "0.5", "\\frac{1}{3}", "1/2", "2/4"]
    served: ClassVar[list[int]] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        answer = self.ANSWERS[len(self.served) % len(self.ANSWERS)]
        self.served.append(1)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in ("<think>\nHalve it.\n</think>\n\n", f"So \\boxed{{{answer}}}."):
            body = {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            self.wfile.write(b"data: " + json.dumps(body).encode() + b"\n\n")
        self.wfile.write(b'data: {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}'
                         b"\n\ndata: [DONE]\n\n")


def test_the_real_judge_groups_spellings_from_a_server() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Spellings)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        result = _ponder("--remote", url, "--model", "halves", "--samples", "5",
                         "--max-tokens", "64", "What is one half?", timeout=120)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr
    vote = json.loads(result.stdout)
    _check_structure(vote, samples=5, budget=64)
    # \frac{1}{2}, 0.5 and 1/2 are one value; 1/3 is not; the fifth answer is not needed
    assert [g["members"] for g in vote["groups"]] == [[0, 1, 3], [2]]
    assert vote["summary"] == "3 of 4 agree: \\frac{1}{2}" and vote["stopped_early"]
    assert len(_Spellings.served) == 4
