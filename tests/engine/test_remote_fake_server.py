"""RemoteBackend against a small stdlib OpenAI-style server that misbehaves on request."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from app.core.errors import BackendError
from app.core.types import (
    Channel,
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    Role,
    StopReason,
    StreamEvent,
    TextDelta,
)
from app.engine.remote import RemoteBackend

USER = [ChatMessage(Role.USER, "What is 2+2?")]


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
        elif mode == "hang":
            time.sleep(2.0)
        else:
            self.send_error(404, "model not found")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _run(backend: RemoteBackend, control: GenerationControl | None = None,
         options: GenerateOptions | None = None) -> list[StreamEvent]:
    stream = backend.generate(USER, options or GenerateOptions(), control or GenerationControl())
    return list(stream)


def test_inline_think_block_is_split_and_usage_read(server: str) -> None:
    backend = RemoteBackend(server, "inline", api_key="sekret")
    assert backend.base_url.endswith("/v1")
    events = _run(backend)
    fin = events[-1]
    assert isinstance(fin, Finished)
    assert fin.reasoning.strip() == "Let me add."
    assert fin.answer.strip() == "It is \\boxed{4}."
    assert fin.boxed == "4"
    assert fin.stats.prompt_tokens == 11
    assert fin.stats.completion_tokens == 9
    assert fin.stats.stop_reason is StopReason.EOS
    sent = Handler.requests_seen[-1]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["auth"] == "Bearer sekret"
    body = sent["body"]
    assert isinstance(body, dict) and body["stream"] is True
    assert body["messages"] == [{"role": "user", "content": "What is 2+2?"}]


def test_reasoning_field_and_length_stop(server: str) -> None:
    events = _run(RemoteBackend(server + "/v1/", "fields"))
    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert deltas[0] == TextDelta(Channel.REASONING, "Thinking hard.")
    fin = events[-1]
    assert isinstance(fin, Finished)
    assert fin.answer == "Four."
    assert fin.reasoning == "Thinking hard."
    assert fin.stats.stop_reason is StopReason.MAX_TOKENS


def test_server_ignoring_stream_flag_still_works(server: str) -> None:
    fin = _run(RemoteBackend(server, "whole"))[-1]
    assert isinstance(fin, Finished)
    assert fin.answer == "Plain 4"
    assert fin.stats.completion_tokens == 2


def test_list_models(server: str) -> None:
    assert RemoteBackend(server, "x").list_models() == ["inline", "fields"]


@pytest.mark.parametrize(("model", "pattern"), [
    ("bad-json", r"cannot read \(not valid JSON"),
    ("no-choices", r"cannot read \(a chunk without choices\)"),
    ("garbage", r"cannot read \(a line that is not an event"),
    ("http500", r"answered HTTP 500: model exploded\. The server failed"),
    ("unknown-model", r"answered HTTP 404.*model name 'unknown-model'"),
])
def test_malformed_and_failing_servers_give_backend_errors(
    server: str, model: str, pattern: str
) -> None:
    with pytest.raises(BackendError, match=pattern):
        _run(RemoteBackend(server, model))


def test_cancel_stops_reading_and_keeps_partial_text(server: str) -> None:
    control = GenerationControl()
    events: list[StreamEvent] = []
    started = time.perf_counter()
    for event in RemoteBackend(server, "slow").generate(USER, GenerateOptions(), control):
        events.append(event)
        if isinstance(event, TextDelta) and event.text.startswith("w4 "):
            control.cancel()
    assert time.perf_counter() - started < 1.5  # not the full 2 s stream
    fin = events[-1]
    assert isinstance(fin, Finished)
    assert fin.stats.stop_reason is StopReason.CANCELLED
    assert fin.answer.startswith("w0 w1 w2 w3 w4")
    assert "w20 " not in fin.answer


def test_connection_refused_bad_host_and_timeout(server: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free_port = sock.getsockname()[1]
    with pytest.raises(BackendError, match="connection refused"):
        _run(RemoteBackend(f"http://127.0.0.1:{free_port}/v1", "m"))
    with pytest.raises(BackendError, match="not a server address"):
        RemoteBackend("ftp://example/v1", "m")
    with pytest.raises(BackendError, match=r"did not answer within 0\.3 seconds"):
        _run(RemoteBackend(server, "hang", timeout_s=0.3))


@pytest.mark.parametrize(("model", "reasoning", "answer"), [
    ("deepseek-r1-close-only", "Reasoning here.", "The answer."),
    ("deepseek-r1-open", "R", "A"),
    ("deepseek-r1-fields", "Hidden thoughts", "Answer only"),
])
def test_r1_reasoning_in_every_server_style(
    server: str, model: str, reasoning: str, answer: str
) -> None:
    events = _run(RemoteBackend(server, model))
    fin = events[-1]
    assert isinstance(fin, Finished)
    assert (fin.reasoning, fin.answer) == (reasoning, answer)
    streamed = {c: "".join(e.text for e in events if isinstance(e, TextDelta) and e.channel is c)
                for c in Channel}
    assert streamed[Channel.REASONING] == reasoning
    assert streamed[Channel.ANSWER] == answer


def test_non_numeric_usage_from_a_server_is_ignored(server: str) -> None:
    backend = RemoteBackend(server, "bad-usage")
    fin = _run(backend)[-1]
    assert isinstance(fin, Finished)
    assert fin.answer == "Four."
    assert fin.stats.prompt_tokens == 0  # unknown
    assert fin.stats.completion_tokens == 1  # counted from the stream's text chunks
    assert backend.profile.name == "generic"


def test_stop_ends_a_read_from_a_silent_server_at_once(server: str) -> None:
    import threading

    backend = RemoteBackend(server, "silent", timeout_s=60)
    control = GenerationControl()
    events: list[StreamEvent] = []
    stream = backend.generate(USER, GenerateOptions(), control)
    events.append(next(stream))  # "Hello" arrived; the next read blocks
    timer = threading.Timer(0.3, control.cancel)
    started = time.monotonic()
    timer.start()
    events.extend(stream)
    waited = time.monotonic() - started
    assert waited < 5, waited  # not the 60 s read timeout
    fin = events[-1]
    assert isinstance(fin, Finished)
    assert fin.stats.stop_reason is StopReason.CANCELLED
    assert fin.answer == "Hello"
