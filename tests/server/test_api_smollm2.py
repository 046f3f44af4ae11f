"""The API over real HTTP with the real SmolLM2 GGUF: the openai client, errors, queue, cancel."""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import openai
import psutil
import pytest
from openai import OpenAI

from app.core.types import (
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    Role,
    SamplingParams,
    StopReason,
    StreamEvent,
)
from app.server.runner import ApiServer
from app.services.host import ModelHost, Priority
from tests.server.conftest import http_json, start

pytestmark = pytest.mark.slow

USER = [{"role": "user", "content": "Name three colours."}]


def client(server: ApiServer, key: str = "EMPTY") -> OpenAI:
    return OpenAI(base_url=server.address.replace("127.0.0.1", "localhost"), api_key=key,
                  max_retries=0, timeout=120)


@pytest.fixture
def turns(monkeypatch: pytest.MonkeyPatch, smol_host: ModelHost) -> list[dict[str, Any]]:
    """Every host.stream of the test: its first/last event times and its Finished."""
    records: list[dict[str, Any]] = []
    inner = smol_host.stream

    def recording(*args: Any, **kwargs: Any) -> Iterator[StreamEvent]:
        record: dict[str, Any] = {"first": None, "last": None, "finished": None}
        records.append(record)
        for event in inner(*args, **kwargs):
            if record["first"] is None:
                record["first"] = time.perf_counter()
            if isinstance(event, Finished):
                record["finished"] = event
            record["last"] = time.perf_counter()
            yield event

    monkeypatch.setattr(smol_host, "stream", recording)
    return records


def wait_until(check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def open_stream(server: ApiServer, body: dict[str, Any]) -> http.client.HTTPConnection:
    """Send a streaming request and read until its first text chunk."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    conn.request("POST", "/v1/chat/completions", json.dumps({**body, "stream": True}),
                 {"Content-Type": "application/json"})
    response = conn.getresponse()
    assert response.status == 200
    assert response.getheader("content-type", "").startswith("text/event-stream")
    for _ in range(3):
        assert response.readline().startswith(b"data: ")
        response.readline()
    return conn


def drop(conn: http.client.HTTPConnection) -> None:
    """Disconnect like a client that was killed."""
    assert conn.sock is not None
    conn.sock.shutdown(2)
    conn.close()


def test_models_list_and_names(smol_server: ApiServer, smollm2_path: Any) -> None:
    models = client(smol_server).models.list().data
    assert [m.id for m in models] == [smollm2_path.name]
    status, body = http_json(smol_server.port, "GET", f"/v1/models/{smollm2_path.stem}")
    assert status == 200 and body["id"] == smollm2_path.name
    with pytest.raises(openai.NotFoundError) as caught:
        client(smol_server).chat.completions.create(model="gpt-4o", messages=USER)
    assert smollm2_path.name in str(caught.value)  # the 404 names the loaded model


def test_chat_not_streamed(smol_server: ApiServer) -> None:
    response = client(smol_server).chat.completions.create(
        model="ignored-when-omitted" if False else smol_server.state.names()[0],
        messages=USER, max_tokens=12, temperature=0, seed=1)
    choice = response.choices[0]
    assert choice.message.role == "assistant" and choice.message.content
    assert response.usage is not None
    assert response.usage.completion_tokens <= 12 and response.usage.prompt_tokens > 5
    assert response.usage.total_tokens == (response.usage.prompt_tokens
                                           + response.usage.completion_tokens)
    again = client(smol_server).chat.completions.create(messages=USER, model="",
                                                        max_tokens=12, temperature=0, seed=1)
    assert again.choices[0].message.content == choice.message.content


def test_chat_streamed_with_usage_matches_whole(smol_server: ApiServer) -> None:
    c = client(smol_server)
    whole = c.chat.completions.create(model="", messages=USER, max_tokens=10, temperature=0)
    chunks = list(c.chat.completions.create(model="", messages=USER, max_tokens=10,
                                            temperature=0, stream=True,
                                            stream_options={"include_usage": True}))
    text = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    assert text == whole.choices[0].message.content
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [ch.choices[0].finish_reason for ch in chunks if ch.choices][-1] == "length"
    assert not chunks[-1].choices and chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 10


def test_length_and_stop(smol_server: ApiServer) -> None:
    c = client(smol_server)
    full = c.completions.create(model="", prompt="1, 2, 3, 4, 5,", max_tokens=20, temperature=0)
    assert full.choices[0].finish_reason == "length"
    assert full.usage is not None and full.usage.completion_tokens == 20
    text = full.choices[0].text
    cut = text.strip()[2:4]  # a stop sequence that does occur in the text
    stopped = c.completions.create(model="", prompt="1, 2, 3, 4, 5,", max_tokens=20,
                                   temperature=0, stop=[cut])
    assert stopped.choices[0].finish_reason == "stop"
    assert stopped.choices[0].text == text[: text.index(cut)]
    echoed = c.completions.create(model="", prompt="1, 2,", max_tokens=3, temperature=0,
                                  echo=True)
    assert echoed.choices[0].text.startswith("1, 2,")


def test_completions_streamed(smol_server: ApiServer) -> None:
    c = client(smol_server)
    whole = c.completions.create(model="", prompt="Once upon a time", max_tokens=8,
                                 temperature=0)
    parts = list(c.completions.create(model="", prompt="Once upon a time", max_tokens=8,
                                      temperature=0, stream=True))
    assert "".join(p.choices[0].text for p in parts) == whole.choices[0].text
    assert parts[-1].choices[0].finish_reason == "length"


@pytest.mark.parametrize(("method", "path", "body", "status", "code"), [
    ("POST", "/v1/chat/completions", b"{not json", 400, "invalid_json"),
    ("POST", "/v1/chat/completions", b'{"messages": []}', 400, "invalid_value"),
    ("POST", "/v1/chat/completions", b'{"messages": [{"role": "user", "content": "x"}], '
     b'"temperature": "warm"}', 400, "invalid_value"),
    ("POST", "/v1/chat/completions", b"[1, 2]", 400, "invalid_value"),
    ("POST", "/v1/completions", b'{"prompt": 7}', 400, "invalid_value"),
    ("GET", "/v1/chat/completions", None, 405, None),
    ("DELETE", "/v1/models", None, 405, None),
    ("GET", "/v1/engines", None, 404, None),
    ("POST", "/v1/chat/completions", b'{"model": "nope", "messages": '
     b'[{"role": "user", "content": "x"}]}', 404, "model_not_found"),
])
def test_errors_are_openai_json(smol_server: ApiServer, method: str, path: str,
                                body: bytes | None, status: int, code: str | None) -> None:
    got, answer = http_json(smol_server.port, method, path, raw=body)
    assert got == status
    assert set(answer["error"]) == {"message", "type", "param", "code"}
    assert answer["error"]["code"] == code
    assert "Traceback" not in answer["error"]["message"] and answer["error"]["message"]


def test_prompt_too_long_is_400(smol_server: ApiServer) -> None:
    long_text = "word " * 5000  # SmolLM2 is loaded with a 2,048-token context
    for path, body in (("/v1/chat/completions",
                        {"messages": [{"role": "user", "content": long_text}]}),
                       ("/v1/completions", {"prompt": long_text})):
        for stream in (False, True):
            status, answer = http_json(smol_server.port, "POST", path, {**body, "stream": stream})
            assert status == 400, answer
            assert answer["error"]["code"] == "context_length_exceeded"
            assert "context" in answer["error"]["message"]


def test_body_over_limit_is_413(smol_host: ModelHost) -> None:
    server = start(smol_host, max_body_bytes=2000)
    try:
        body = {"messages": [{"role": "user", "content": "x" * 3000}]}
        status, answer = http_json(server.port, "POST", "/v1/chat/completions", body)
        assert status == 413 and answer["error"]["code"] == "request_too_large"
    finally:
        server.stop()


def test_key_required_when_set(smol_host: ModelHost) -> None:
    server = start(smol_host, api_key="s3cret")
    try:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}):
            status, answer = http_json(server.port, "GET", "/v1/models", headers=headers)
            assert status == 401 and answer["error"]["code"] == "invalid_api_key"
        with pytest.raises(openai.AuthenticationError):
            client(server, "EMPTY").models.list()
        assert client(server, "s3cret").models.list().data
        assert http_json(server.port, "GET", "/health")[0] == 200
    finally:
        server.stop()


def test_any_key_accepted_without_one(smol_server: ApiServer) -> None:
    for headers in ({}, {"Authorization": "Bearer anything"}):
        assert http_json(smol_server.port, "GET", "/v1/models", headers=headers)[0] == 200


def test_rebinding_host_refused(smol_server: ApiServer) -> None:
    port = smol_server.port
    for host in (f"attacker.example:{port}", "attacker.example", f"localhost.evil:{port}"):
        status, answer = http_json(port, "GET", "/v1/models", headers={"Host": host})
        assert status == 403 and answer["error"]["code"] == "host_not_allowed"
    for host in (f"localhost:{port}", f"127.0.0.1:{port}"):
        assert http_json(port, "GET", "/v1/models", headers={"Host": host})[0] == 200


def test_allowed_host_name(smol_host: ModelHost) -> None:
    server = start(smol_host, allowed_hosts=("ponder.lan",))
    try:
        headers = {"Host": f"ponder.lan:{server.port}"}
        assert http_json(server.port, "GET", "/v1/models", headers=headers)[0] == 200
    finally:
        server.stop()


def test_no_model_is_503() -> None:
    server = start(ModelHost())
    try:
        status, answer = http_json(server.port, "POST", "/v1/chat/completions",
                                   {"messages": USER})
        assert status == 503 and answer["error"]["code"] == "model_not_loaded"
        assert http_json(server.port, "GET", "/health")[1]["model_loaded"] is False
        assert http_json(server.port, "GET", "/v1/models")[1]["data"] == []
    finally:
        server.stop()


def test_port_in_use_named(smol_server: ApiServer) -> None:
    from app.server.config import ServerConfig, ServerConfigError

    other = ApiServer(smol_server.state.host, ServerConfig(port=smol_server.port))
    with pytest.raises(ServerConfigError, match=f"Port {smol_server.port} on 127.0.0.1 is "
                       "already in use"):
        other.start()


def test_disconnect_mid_stream_cancels(smol_server: ApiServer,
                                       turns: list[dict[str, Any]]) -> None:
    conn = open_stream(smol_server, {"messages": USER, "max_tokens": 1500, "temperature": 1.0})
    dropped_at = time.perf_counter()
    drop(conn)
    wait_until(lambda: bool(turns) and turns[0]["finished"] is not None, 10)
    finished: Finished = turns[0]["finished"]
    assert finished.stats.stop_reason is StopReason.CANCELLED
    assert finished.stats.completion_tokens < 200  # 1,500 were allowed
    assert turns[0]["last"] - dropped_at < 1.0
    began = time.perf_counter()
    answer = client(smol_server).chat.completions.create(model="", messages=USER, max_tokens=4)
    assert answer.choices[0].message.content is not None
    assert time.perf_counter() - began < 5.0  # served at once
    # The server leaves its count just after the client has the whole answer.
    wait_until(lambda: smol_server.state.pending == 0, 5)


def test_queued_client_that_leaves_is_dropped(smol_server: ApiServer,
                                              turns: list[dict[str, Any]]) -> None:
    host = smol_server.state.host
    # The model is held by another job for as long as the test wants (a running
    # reply could end by itself and hand the model over: that raced in CI).
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with host.turn(Priority.INTERACTIVE) as granted:
            assert granted
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        queued = http.client.HTTPConnection("127.0.0.1", smol_server.port, timeout=60)
        queued.request("POST", "/v1/chat/completions",
                       json.dumps({"messages": USER, "max_tokens": 5}),
                       {"Content-Type": "application/json"})
        wait_until(lambda: host.waiting == 1)
        drop(queued)
        wait_until(lambda: host.waiting == 0, 5)
        assert holder.is_alive()  # the job holding the model goes on
    finally:
        release.set()
        holder.join(10)
    wait_until(lambda: smol_server.state.pending == 0, 10)
    assert len(turns) == 1
    left: Finished = turns[0]["finished"]  # it never got the model
    assert left.stats.stop_reason is StopReason.CANCELLED
    assert left.stats.completion_tokens == 0 and left.stats.prompt_tokens == 0


def test_queue_full_is_429(smol_host: ModelHost) -> None:
    server = start(smol_host, max_pending=1)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:  # keeps the first request waiting, whatever SmolLM2 writes
        with smol_host.turn(Priority.INTERACTIVE):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        waiting = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        waiting.request("POST", "/v1/chat/completions",
                        json.dumps({"messages": USER, "max_tokens": 8, "stream": True}),
                        {"Content-Type": "application/json"})
        wait_until(lambda: server.state.pending == 1)
        status, answer = http_json(server.port, "POST", "/v1/chat/completions",
                                   {"messages": USER, "max_tokens": 4})
        assert status == 429 and answer["error"]["code"] == "queue_full"
        drop(waiting)
        release.set()
        holder.join(10)
        wait_until(lambda: server.state.pending == 0, 10)
        assert http_json(server.port, "POST", "/v1/chat/completions",
                         {"messages": USER, "max_tokens": 4})[0] == 200
    finally:
        release.set()
        holder.join(10)
        server.stop()


@pytest.mark.parametrize("clients", [2, 8])
def test_concurrent_clients_served_one_after_the_other(
    smol_server: ApiServer, turns: list[dict[str, Any]], clients: int
) -> None:
    prompts = [f"Write the number {n} in words." for n in range(clients)]
    c = client(smol_server)

    def ask(prompt: str) -> str:
        response = c.chat.completions.create(
            model="", messages=[{"role": "user", "content": prompt}], max_tokens=10,
            temperature=0)
        return response.choices[0].message.content or ""

    alone = [ask(p) for p in prompts]
    turns.clear()
    with ThreadPoolExecutor(clients) as pool:
        together = list(pool.map(ask, prompts))
    assert together == alone  # every client got its own answer
    assert len(turns) == clients and all(t["finished"] for t in turns)
    spans = sorted((t["first"], t["last"]) for t in turns)
    for (_, end), (begin, _) in itertools.pairwise(spans):
        assert begin >= end  # one reply at a time on the one model


def test_window_and_api_share_one_model(smol_server: ApiServer) -> None:
    host = smol_server.state.host
    backend = host.loaded.backend if host.loaded else None
    rss_before = psutil.Process().memory_info().rss
    window: dict[str, Finished] = {}

    def window_reply() -> None:
        messages = [ChatMessage(Role.USER, "Hello from the window")]
        options = GenerateOptions(SamplingParams(max_tokens=30, temperature=0))
        for event in host.stream(messages, options, GenerationControl(), Priority.INTERACTIVE):
            if isinstance(event, Finished):
                window["finished"] = event

    thread = threading.Thread(target=window_reply)
    thread.start()
    api = client(smol_server).chat.completions.create(model="", messages=USER, max_tokens=30)
    thread.join(60)
    assert window["finished"].answer and api.choices[0].message.content
    assert host.loaded is not None and host.loaded.backend is backend
    grown = psutil.Process().memory_info().rss - rss_before
    assert grown < 60 * 2**20  # a second copy of the model would add ~100 MB
