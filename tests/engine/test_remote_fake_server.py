"""RemoteBackend against a small stdlib OpenAI-style server that misbehaves on request."""

from __future__ import annotations

import socket
import time

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
from tests.support.openai_stub import LATE_HEADERS_S, Handler

USER = [ChatMessage(Role.USER, "What is 2+2?")]


@pytest.fixture(scope="module")
def server(openai_stub: str) -> str:
    return openai_stub


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
    ("cut-off", r"broke off the reply before finishing it\. .*context"),
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


def test_time_to_first_token_counts_from_the_request(server: str) -> None:
    # the clock starts before the request is sent, not when the headers came
    fin = _run(RemoteBackend(server, "late-headers"))[-1]
    assert isinstance(fin, Finished)
    assert fin.answer == "Four."
    assert fin.stats.ttft_s >= LATE_HEADERS_S
    assert fin.stats.total_s >= fin.stats.ttft_s
