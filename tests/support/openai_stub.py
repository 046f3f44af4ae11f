"""A small stdlib OpenAI-style server that misbehaves on request (for remote tests).

The model name in a request picks the behaviour: "inline" (a <think> block
inside `content`), "fields" (reasoning in its own field), "slow", "silent",
broken JSON or events, HTTP errors, a reply that ignores `stream`, the R1
server styles, and "deepseek-r1-script": a fixed R1-style reply (reasoning,
then `</think>`, then an answer with \\boxed{4}) that honours `max_tokens`
like a real server, for the reply-contract tests.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

R1_SCRIPT_MODEL = "deepseek-r1-script"
"""The model name of the scripted R1 reply."""

R1_SCRIPT_REASONING = [f"Step {i}: two and two make four. " for i in range(1, 25)]
"""The scripted reply's reasoning, one chunk (one token) each."""

R1_SCRIPT_ANSWER = ["</think>", "\n\n", "So 2 + 2 = ", "\\boxed{4}", "."]
"""The rest of the scripted reply: the closing tag, then the answer."""

R1_SCRIPT_PROMPT_TOKENS = 17
"""The prompt size the scripted reply reports in its usage."""

LATE_HEADERS_S = 0.3
"""How long the "late-headers" mode waits before it answers at all."""

R1_SCRIPT_DELAY_S = 0.004
"""Pause between the scripted reply's chunks, like a server decoding."""


def _chunk(content: str | None = None, reasoning: str | None = None,
           finish: str | None = None) -> bytes:
    delta: dict[str, str] = {}
    if content is not None:
        delta["content"] = content
    if reasoning is not None:
        delta["reasoning_content"] = reasoning
    body = {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(body).encode() + b"\n\n"


class Handler(BaseHTTPRequestHandler):
    requests_seen: ClassVar[list[dict[str, object]]] = []

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _sse_headers(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()

    def _r1_script(self, max_tokens: int) -> None:
        """The fixed R1 reply, cut at `max_tokens` chunks with finish_reason "length"."""
        self._sse_headers()
        script = R1_SCRIPT_REASONING + R1_SCRIPT_ANSWER
        sent = script[:max_tokens]
        finish = "length" if len(sent) < len(script) else "stop"
        usage = {"prompt_tokens": R1_SCRIPT_PROMPT_TOKENS, "completion_tokens": len(sent)}
        try:
            for piece in sent:
                self.wfile.write(_chunk(piece))
                self.wfile.flush()
                time.sleep(R1_SCRIPT_DELAY_S)
            self.wfile.write(_chunk(finish=finish))
            self.wfile.write(b"data: " + json.dumps({"choices": [], "usage": usage}).encode()
                             + b"\n\n")
            self.wfile.write(b"data: [DONE]\n\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (Stop)

    def do_GET(self) -> None:
        if self.path == "/v1/models":
            body = json.dumps({"data": [{"id": "inline"}, {"id": "fields"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        body = json.loads(self.rfile.read(length))
        Handler.requests_seen.append({"path": self.path, "body": body,
                                      "auth": self.headers.get("Authorization")})
        mode = body["model"]
        if mode == "inline":
            self._sse_headers()
            for piece in ["<thi", "nk>\nLet me", " add.</th", "ink>\n\nIt is ", "\\boxed{4}", "."]:
                self.wfile.write(_chunk(piece))
            self.wfile.write(_chunk(finish="stop"))
            usage = {"choices": [], "usage": {"prompt_tokens": 11, "completion_tokens": 9}}
            self.wfile.write(b"data: " + json.dumps(usage).encode() + b"\n\n")
            self.wfile.write(b"data: [DONE]\n\n")
        elif mode == "silent":
            self._sse_headers()
            self.wfile.write(_chunk("Hello"))
            self.wfile.flush()
            time.sleep(20)  # the server goes quiet without closing the stream
        elif mode == "bad-usage":
            self._sse_headers()
            self.wfile.write(_chunk("Four."))
            self.wfile.write(_chunk(finish="stop"))
            usage = {"choices": [], "usage": {"prompt_tokens": "n/a", "completion_tokens": None}}
            self.wfile.write(b"data: " + json.dumps(usage).encode() + b"\n\n")
            self.wfile.write(b"data: [DONE]\n\n")
        elif mode == "fields":
            self._sse_headers()
            self.wfile.write(b": keep-alive\n\n")
            self.wfile.write(_chunk(reasoning="Thinking hard."))
            self.wfile.write(_chunk(content="Four."))
            self.wfile.write(_chunk(finish="length"))
            self.wfile.write(b"data: [DONE]\n\n")
        elif mode == "bad-json":
            self._sse_headers()
            self.wfile.write(_chunk("ok"))
            self.wfile.write(b"data: {this is not json\n\n")
        elif mode == "no-choices":
            self._sse_headers()
            self.wfile.write(b'data: {"id": 1}\n\n')
        elif mode == "garbage":
            self._sse_headers()
            self.wfile.write(b"<html>oops</html>\n\n")
        elif mode == "http500":
            body_bytes = json.dumps({"error": {"message": "model exploded"}}).encode()
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body_bytes)))
            self.end_headers()
            self.wfile.write(body_bytes)
        elif mode == "whole":
            reply = {"choices": [{"message": {"role": "assistant", "content": "Plain 4"},
                                  "finish_reason": "stop"}],
                     "usage": {"prompt_tokens": 5, "completion_tokens": 2}}
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif mode == "slow":
            self._sse_headers()
            try:
                for i in range(200):
                    self.wfile.write(_chunk(f"w{i} "))
                    self.wfile.flush()
                    time.sleep(0.01)
                self.wfile.write(b"data: [DONE]\n\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif mode == R1_SCRIPT_MODEL:
            self._r1_script(int(body.get("max_tokens") or 10**6))
        elif mode.startswith("deepseek-r1"):
            self._sse_headers()
            if mode.endswith("close-only"):
                pieces = ["Reasoning", " here.</think>", "\n\nThe answer."]
                fields: list[str | None] = [None, None, None]
            elif mode.endswith("open"):
                pieces = ["<think>\nR", "</think>\n\n", "A"]
                fields = [None, None, None]
            else:
                pieces = ["", "", "Answer only"]
                fields = ["Hidden ", "thoughts", None]
            for piece, thought in zip(pieces, fields, strict=True):
                self.wfile.write(_chunk(piece or None, thought))
            self.wfile.write(b"data: [DONE]\n\n")
        elif mode == "late-headers":
            # a server that answers only once its prompt is evaluated
            time.sleep(LATE_HEADERS_S)
            self._sse_headers()
            self.wfile.write(_chunk("Four."))
            self.wfile.write(_chunk(finish="stop"))
            self.wfile.write(b"data: [DONE]\n\n")
        elif mode == "cut-off":
            # like llama-cpp-python's server when the prompt overflows its
            # context: 200 OK, a chunk or none, then the stream just ends
            self._sse_headers()
            self.wfile.write(_chunk("Par"))
        elif mode == "hang":
            time.sleep(2.0)
        else:
            self.send_error(404, "model not found")


@contextmanager
def serve_stub() -> Iterator[str]:
    """Run the stub on a free port of 127.0.0.1; yields its root URL (no /v1)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
