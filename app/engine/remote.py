"""The remote backend: an OpenAI-compatible chat server over HTTP.

Works with llama.cpp's server, vLLM, Ollama, LM Studio and llama-cpp-python's
server: POST /v1/chat/completions with `stream: true`, read Server-Sent
Events line by line, and stop reading (closing the connection) on cancel.
Reasoning arrives either inline as a <think> block in `content` (split here)
or in a separate `reasoning_content` / `reasoning` field (vLLM, llama.cpp
with a reasoning format, Ollama). Uses only the standard library.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from typing import Any

from app.chat.answer import extract_boxed
from app.chat.profile import ModelProfile, detect_profile
from app.chat.prompt import prepare_messages
from app.chat.reasoning import ReasoningSplitter
from app.core.errors import BackendError
from app.core.types import (
    BackendInfo,
    Channel,
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    GenerationStats,
    Notice,
    NoticeKind,
    StopReason,
    StreamEvent,
    TextDelta,
)
from app.engine.timing import decode_rate

CHARS_PER_TOKEN = 4
"""Rough estimate used by count_tokens (the server's tokenizer is unknown)."""

_STOP_REASONS = {"stop": StopReason.EOS, "length": StopReason.MAX_TOKENS,
                 "eos": StopReason.EOS}


class RemoteBackend:
    """A model served by an OpenAI-compatible HTTP server.

    Args:
        base_url: the server's API root, e.g. "http://127.0.0.1:8080/v1"
            (a bare "http://host:port" gets "/v1" added).
        model: the model name the server knows.
        api_key: sent as a Bearer token when given.
        timeout_s: seconds to wait for the connection and for each read.
        n_ctx: the server's context length, if known (shown in `info`).

    Raises:
        BackendError: the URL is not an http(s) URL.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_s: float = 60,
        *,
        n_ctx: int = 0,
    ) -> None:
        parsed = urllib.parse.urlsplit(base_url.strip())
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise BackendError(
                f"{base_url!r} is not a server address. Write it like "
                "http://127.0.0.1:8080/v1."
            )
        path = parsed.path.rstrip("/")
        if not path:
            path = "/v1"
        self._scheme = parsed.scheme
        self._host = parsed.hostname
        self._port = parsed.port
        self._path = path
        self.base_url = f"{parsed.scheme}://{parsed.netloc}{path}"
        self._model = model
        self._api_key = api_key
        self._timeout = timeout_s
        self._profile = detect_profile(None, model)
        self._last_socket: socket.socket | None = None
        self._info = BackendInfo(model_name=model, backend="remote", n_ctx=n_ctx)
        self._closed = False

    @property
    def profile(self) -> ModelProfile:
        """The model family's rules, guessed from the model name."""
        return self._profile

    @property
    def info(self) -> BackendInfo:
        """The model name, backend "remote", and the context if known."""
        return self._info

    def count_tokens(self, text: str) -> int:
        """An estimate: about four characters per token."""
        return -(-len(text) // CHARS_PER_TOKEN)

    def close(self) -> None:
        """Nothing to free; later calls fail."""
        self._closed = True

    # -- HTTP --------------------------------------------------------------

    def _connection(self) -> http.client.HTTPConnection:
        cls = (
            http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
        )
        return cls(self._host, self._port, timeout=self._timeout)

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers

    def _open(
        self, method: str, endpoint: str, body: dict[str, Any] | None
    ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        conn = self._connection()
        payload = json.dumps(body).encode("utf-8") if body is not None else None
        try:
            conn.request(method, self._path + endpoint, body=payload, headers=self._headers())
            # getresponse() may hand the socket to the response and forget it.
            self._last_socket = conn.sock
            response = conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise self._network_error(exc) from exc
        if response.status >= 400:
            detail = _error_detail(response)
            conn.close()
            raise BackendError(_http_message(self.base_url, response.status, detail, self._model))
        return conn, response

    def _network_error(self, exc: Exception) -> BackendError:
        where = self.base_url
        if isinstance(exc, ConnectionRefusedError):
            return BackendError(
                f"Nothing answers at {where} (connection refused). Check that the server "
                "is running and that the address and port are right."
            )
        if isinstance(exc, socket.gaierror):
            return BackendError(
                f"The server name in {where} cannot be found. Check the address."
            )
        if isinstance(exc, TimeoutError | socket.timeout):
            return BackendError(
                f"The server at {where} did not answer within {self._timeout:g} seconds. "
                "It may be busy or loading a model; try again, or raise the timeout."
            )
        return BackendError(
            f"The connection to {where} failed ({exc}). Check the server and the network."
        )

    def list_models(self) -> list[str]:
        """Model ids the server offers (GET /models).

        Raises:
            BackendError: the server is unreachable or answers nonsense.
        """
        conn, response = self._open("GET", "/models", None)
        try:
            data = _read_json(response, self.base_url)
        finally:
            conn.close()
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise BackendError(_malformed(self.base_url, "no model list"))
        return [str(item.get("id")) for item in items if isinstance(item, dict)]

    # -- generation --------------------------------------------------------

    def generate(
        self,
        messages: Sequence[ChatMessage],
        options: GenerateOptions,
        control: GenerationControl,
    ) -> Iterator[StreamEvent]:
        """Stream the reply from the server; see Backend.generate."""
        if self._closed:
            raise BackendError("This server connection was closed. Connect again.")
        return self._stream(list(messages), options, control)

    def _request_body(
        self, messages: list[ChatMessage], options: GenerateOptions
    ) -> dict[str, Any]:
        prepared = prepare_messages(messages, self._profile, math_mode=options.math_mode)
        sampling = options.sampling
        body: dict[str, Any] = {
            "model": self._model,
            "messages": [{"role": m.role.value, "content": m.content} for m in prepared],
            "stream": True,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "max_tokens": sampling.max_tokens,
        }
        if sampling.seed is not None:
            body["seed"] = sampling.seed
        return body

    def _stream(
        self, messages: list[ChatMessage], options: GenerateOptions, control: GenerationControl
    ) -> Iterator[StreamEvent]:
        started = time.perf_counter()
        body = self._request_body(messages, options)
        splitter: ReasoningSplitter | None = None
        reasoning_field: list[str] = []
        first_at: float | None = None
        chunks = 0
        reasoning_chunks = 0
        stop = StopReason.EOS
        usage: dict[str, Any] = {}
        is_answer_now_told = False
        conn, response = self._open("POST", "/chat/completions", body)
        # Stop must not wait for the server's next line (up to timeout_s when
        # it goes silent): cancelling shuts the socket, which ends the read.
        sock = self._last_socket
        control.call_on_cancel(lambda: _shut(sock))
        is_sse = "text/event-stream" in (response.getheader("Content-Type") or "")
        try:
            if not is_sse:
                events, stop, usage, splitter, thought_text = self._whole_reply(response)
                if thought_text:
                    reasoning_field.append(thought_text)
                first_at = time.perf_counter()
                chunks = 1
                yield from events
            else:
                for data in _sse_data(response, self.base_url, control):
                    if data == "[DONE]":
                        break
                    if control.is_answer_now_requested and not is_answer_now_told:
                        is_answer_now_told = True
                        yield Notice(
                            NoticeKind.ANSWER_NOW,
                            "A model on a server cannot be told to stop thinking; press "
                            "Stop to end the reply.",
                        )
                    chunk = _parse_json(data, self.base_url)
                    if isinstance(chunk.get("usage"), dict):
                        usage = chunk["usage"]
                    if "error" in chunk:
                        raise BackendError(_server_error(self.base_url, chunk["error"]))
                    choices = chunk.get("choices")
                    if not isinstance(choices, list):
                        raise BackendError(_malformed(self.base_url, "a chunk without choices"))
                    if not choices:
                        continue
                    choice = choices[0]
                    if not isinstance(choice, dict):
                        raise BackendError(_malformed(self.base_url, "a choice is not an object"))
                    delta = choice.get("delta") or {}
                    if not isinstance(delta, dict):
                        raise BackendError(_malformed(self.base_url, "a delta is not an object"))
                    thought = delta.get("reasoning_content") or delta.get("reasoning")
                    content = delta.get("content")
                    if thought or content:
                        if first_at is None:
                            first_at = time.perf_counter()
                        chunks += 1
                    if isinstance(thought, str) and thought:
                        reasoning_chunks += 1
                        reasoning_field.append(thought)
                        yield TextDelta(Channel.REASONING, thought)
                    if isinstance(content, str) and content:
                        if splitter is None:
                            splitter = self._splitter(has_reasoning_field=bool(reasoning_field))
                        if splitter.in_reasoning:
                            reasoning_chunks += 1
                        yield from splitter.feed(content)
                    reason = choice.get("finish_reason")
                    if isinstance(reason, str):
                        stop = _STOP_REASONS.get(reason, StopReason.EOS)
                if control.is_cancelled:
                    stop = StopReason.CANCELLED
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if not control.is_cancelled:
                raise self._network_error(exc) from exc
            stop = StopReason.CANCELLED  # the read ended because Stop shut the socket
        finally:
            conn.close()
        if splitter is None:
            splitter = self._splitter(has_reasoning_field=True)
        yield from splitter.flush()
        ended = time.perf_counter()
        first_at = first_at or ended
        answer = splitter.answer
        reasoning = "".join(reasoning_field) + splitter.reasoning
        completion = _count(usage.get("completion_tokens"), chunks)
        prompt_tokens = _count(usage.get("prompt_tokens"), 0)
        decode_s = ended - first_at
        stats = GenerationStats(
            prompt_tokens=prompt_tokens,
            evaluated_tokens=prompt_tokens,
            completion_tokens=completion,
            reasoning_tokens=reasoning_chunks,
            ttft_s=first_at - started,
            decode_tps=decode_rate(completion, decode_s),
            total_s=ended - started,
            stop_reason=stop,
        )
        yield Finished(answer=answer, reasoning=reasoning, stats=stats, boxed=extract_boxed(answer))

    def _splitter(self, has_reasoning_field: bool) -> ReasoningSplitter:
        """A splitter for `content`, made when the first content arrives.

        R1 servers whose template opens <think> in the prompt send only the
        closing tag, so for R1 the content starts inside reasoning (a leading
        <think> is dropped) unless the server sends reasoning in its own field.
        """
        profile = self._profile
        starts = profile.force_think and not has_reasoning_field
        return ReasoningSplitter(profile.think_open, profile.think_close, starts)

    def _whole_reply(
        self, response: http.client.HTTPResponse
    ) -> tuple[list[StreamEvent], StopReason, dict[str, Any], ReasoningSplitter, str]:
        """A server that ignored `stream: true` and sent one JSON reply."""
        data = _read_json(response, self.base_url)
        try:
            choice = data["choices"][0]
            message = choice["message"]
            content = message.get("content") or ""
            thought = message.get("reasoning_content") or message.get("reasoning") or ""
        except (KeyError, IndexError, TypeError, AttributeError):
            raise BackendError(_malformed(self.base_url, "a reply without choices")) from None
        events: list[StreamEvent] = []
        splitter = self._splitter(has_reasoning_field=bool(thought))
        if thought:
            events.append(TextDelta(Channel.REASONING, str(thought)))
        events.extend(splitter.feed(str(content)))
        stop = _STOP_REASONS.get(str(choice.get("finish_reason")), StopReason.EOS)
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        return events, stop, usage or {}, splitter, str(thought)


def _sse_data(
    response: http.client.HTTPResponse, where: str, control: GenerationControl
) -> Iterator[str]:
    """The `data:` payloads of a Server-Sent Events stream, one event at a time."""
    parts: list[str] = []
    while True:
        if control.is_cancelled:
            return
        raw = response.readline()
        if not raw:
            if parts:
                yield "\n".join(parts)
            return
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not line:
            if parts:
                yield "\n".join(parts)
                parts = []
            continue
        if line.startswith(":"):
            continue  # comment / keep-alive
        field, _, value = line.partition(":")
        if field == "data":
            parts.append(value[1:] if value.startswith(" ") else value)
        elif field not in ("event", "id", "retry"):
            raise BackendError(_malformed(where, f"a line that is not an event: {line[:60]!r}"))


def _parse_json(data: str, where: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except json.JSONDecodeError:
        raise BackendError(_malformed(where, f"not valid JSON: {data[:60]!r}")) from None
    if not isinstance(value, dict):
        raise BackendError(_malformed(where, "a JSON value that is not an object"))
    return value


def _read_json(response: http.client.HTTPResponse, where: str) -> dict[str, Any]:
    return _parse_json(response.read().decode("utf-8", errors="replace"), where)


def _malformed(where: str, detail: str) -> str:
    return (
        f"The server at {where} sent a reply Ponder cannot read ({detail}). "
        "Check that it is an OpenAI-compatible server and the address ends in /v1."
    )


def _server_error(where: str, error: object) -> str:
    message = error.get("message") if isinstance(error, dict) else error
    return f"The server at {where} reported an error: {message}. Check the server's log."


def _error_detail(response: http.client.HTTPResponse) -> str:
    try:
        text = response.read(4096).decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException):
        return ""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return _plain_text(text)
    if isinstance(data, dict):
        error = data.get("error", data.get("detail", data))
        if isinstance(error, dict):
            return str(error.get("message", error))[:200]
        return str(error)[:200]
    return text.strip()[:200]


def _plain_text(text: str) -> str:
    """One short line from an error body; HTML pages give their title only."""
    if "<html" in text[:200].lower():
        match = re.search(r"<title>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        text = match.group(1) if match else ""
    return " ".join(text.split())[:200]


def _http_message(where: str, status: int, detail: str, model: str) -> str:
    said = f": {detail}" if detail else ""
    if status in (401, 403):
        hint = "Check the API key."
    elif status == 404:
        hint = f"Check the address (it usually ends in /v1) and the model name {model!r}."
    elif status >= 500:
        hint = "The server failed; see its log, or try again."
    else:
        hint = "Check the model name and settings."
    return f"The server at {where} answered HTTP {status}{said}. {hint}"


def _count(value: object, default: int) -> int:
    """A token count from a server's `usage`; anything but a number means unknown."""
    if isinstance(value, bool):
        return default
    if isinstance(value, (int, float)) and value > 0:
        return int(value)
    if isinstance(value, str) and value.isdigit() and int(value) > 0:
        return int(value)
    return default


def _shut(sock: socket.socket | None) -> None:
    """Shut a connection's socket from another thread so a blocked read returns."""
    if sock is None:
        return
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)
