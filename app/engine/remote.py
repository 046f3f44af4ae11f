"""The remote backend: an OpenAI-compatible chat server over HTTP.

Works with llama.cpp's server, vLLM, Ollama, LM Studio and llama-cpp-python's
server: POST /v1/chat/completions with `stream: true`, read Server-Sent
Events line by line, and stop reading (closing the connection) on cancel.
Reasoning arrives either inline as a <think> block in `content` (split here)
or in a separate `reasoning_content` / `reasoning` field (vLLM, llama.cpp
with a reasoning format, Ollama). Uses only the standard library.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from typing import Any

from app.chat.profile import ModelProfile, detect_profile
from app.chat.prompt import estimate_prompt_tokens, prepare_messages
from app.chat.reply import Piece, ReplySetup, SourceUsage, run_reply
from app.core.errors import BackendError
from app.core.types import (
    BackendInfo,
    Channel,
    ChatMessage,
    GenerateOptions,
    GenerationControl,
    PromptMeasure,
    StopReason,
    StreamEvent,
)
from app.engine.remote_http import (
    error_detail,
    http_message,
    malformed,
    network_error,
    parse_json,
    read_json,
    server_error,
    shut,
    sse_data,
    usage_count,
)

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

    def measure_prompt(
        self, messages: Sequence[ChatMessage], options: GenerateOptions
    ) -> PromptMeasure:
        """An estimate of the prompt's tokens (see Backend)."""
        prepared = prepare_messages(messages, self._profile, math_mode=options.math_mode)
        tokens = estimate_prompt_tokens(prepared, self.count_tokens)
        return PromptMeasure(tokens, self._info.n_ctx, is_estimate=True)

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
            raise network_error(self.base_url, exc, self._timeout) from exc
        if response.status >= 400:
            detail = error_detail(response)
            conn.close()
            raise BackendError(http_message(self.base_url, response.status, detail, self._model))
        return conn, response

    def list_models(self) -> list[str]:
        """Model ids the server offers (GET /models).

        Raises:
            BackendError: the server is unreachable or answers nonsense.
        """
        conn, response = self._open("GET", "/models", None)
        try:
            data = read_json(response, self.base_url)
        finally:
            conn.close()
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise BackendError(malformed(self.base_url, "no model list"))
        return [str(item.get("id")) for item in items if isinstance(item, dict)]

    # -- generation --------------------------------------------------------

    def generate(
        self,
        messages: Sequence[ChatMessage],
        options: GenerateOptions,
        control: GenerationControl,
    ) -> Iterator[StreamEvent]:
        """Stream the reply through the shared reply loop; see Backend.generate."""
        return run_reply(self.open_source(messages, options, control), options, control)

    def open_source(
        self,
        messages: Sequence[ChatMessage],
        options: GenerateOptions,
        control: GenerationControl,
    ) -> ServerSource:
        """Send the request; the raw stream of its reply, for the reply loop."""
        started = time.perf_counter()
        if self._closed:
            raise BackendError("This server connection was closed. Connect again.")
        body = self._request_body(list(messages), options)
        conn, response = self._open("POST", "/chat/completions", body)
        # Stop must not wait for the server's next line (up to timeout_s when
        # it goes silent): cancelling shuts the socket, which ends the read.
        sock = self._last_socket
        control.call_on_cancel(lambda: shut(sock))
        profile = self._profile
        setup = ReplySetup(
            n_ctx=self._info.n_ctx,
            starts_in_reasoning=profile.force_think,
            think_open=profile.think_open,
            think_close=profile.think_close,
            requested_max_tokens=options.sampling.max_tokens,
            started_at=started,
        )
        return ServerSource(self.base_url, conn, response, setup, control)

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


class ServerSource:
    """The TokenSource of one server reply: one piece per streamed chunk.

    Reasoning in a separate field (`reasoning_content` / `reasoning`) arrives
    tagged as reasoning; `content` is split by the reply loop. For R1 the
    content starts inside the think block (servers whose template opens
    <think> in the prompt send only the closing tag) unless the server sends
    reasoning in its own field. A server cannot be told to close the think
    block, so `close_reasoning` declines.
    """

    def __init__(
        self,
        where: str,
        conn: http.client.HTTPConnection,
        response: http.client.HTTPResponse,
        setup: ReplySetup,
        control: GenerationControl,
    ) -> None:
        self._where = where
        self._conn = conn
        self._setup = setup
        self._control = control
        self._stop = StopReason.EOS
        self._has_finish = False  # a finish_reason arrived
        self._usage: dict[str, Any] = {}
        self._pending: list[Piece] = []
        is_sse = "text/event-stream" in (response.getheader("Content-Type") or "")
        self._events = sse_data(response, where, control) if is_sse else None
        self._response = response

    @property
    def setup(self) -> ReplySetup:
        return self._setup

    @property
    def stop_reason(self) -> StopReason:
        return self._stop

    def close_reasoning(self) -> None:
        return None

    def usage(self) -> SourceUsage:
        prompt = usage_count(self._usage.get("prompt_tokens"), 0)
        return SourceUsage(prompt_tokens=prompt, evaluated_tokens=prompt,
                           completion_tokens=usage_count(self._usage.get("completion_tokens"), 0))

    def close(self) -> None:
        self._conn.close()

    def next_piece(self) -> Piece | None:
        try:
            while not self._pending:
                if not self._read_more():
                    return None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if not self._control.is_cancelled:
                raise network_error(self._where, exc, self._conn.timeout) from exc
            return None  # the read ended because Stop shut the socket
        return self._pending.pop(0)

    def _read_more(self) -> bool:
        """Read the next event into `_pending`; False at the end of the reply."""
        if self._events is None:
            self._whole_reply()
            self._has_finish = True  # a whole JSON reply is complete
            self._events = iter(())
            return bool(self._pending)
        for data in self._events:
            if data == "[DONE]":
                return False
            self._take_chunk(parse_json(data, self._where))
            if self._pending:
                return True
        if not self._has_finish and not self._control.is_cancelled:
            # No finish_reason and no [DONE]: the server failed mid-reply
            # (llama-cpp-python's server does this when the prompt is longer
            # than its context), which must not pass for a finished reply.
            raise BackendError(
                f"The server at {self._where} broke off the reply before finishing it. "
                "A common cause is a conversation longer than the model's context on the "
                "server: start a new chat or give the server a larger context. The "
                "server's log says more."
            )
        return False

    def _take_chunk(self, chunk: dict[str, Any]) -> None:
        where = self._where
        if isinstance(chunk.get("usage"), dict):
            self._usage = chunk["usage"]
        if "error" in chunk:
            raise BackendError(server_error(where, chunk["error"]))
        choices = chunk.get("choices")
        if not isinstance(choices, list):
            raise BackendError(malformed(where, "a chunk without choices"))
        if not choices:
            return
        choice = choices[0]
        if not isinstance(choice, dict):
            raise BackendError(malformed(where, "a choice is not an object"))
        delta = choice.get("delta") or {}
        if not isinstance(delta, dict):
            raise BackendError(malformed(where, "a delta is not an object"))
        self._take_message(delta)
        reason = choice.get("finish_reason")
        if isinstance(reason, str):
            self._has_finish = True
            self._stop = _STOP_REASONS.get(reason, StopReason.EOS)

    def _take_message(self, message: dict[str, Any]) -> None:
        thought = message.get("reasoning_content") or message.get("reasoning")
        content = message.get("content")
        if isinstance(thought, str) and thought:
            self._pending.append(Piece(thought, channel=Channel.REASONING))
        if isinstance(content, str) and content:
            # A chunk with both counts once.
            self._pending.append(Piece(content, tokens=0 if self._pending else 1))

    def _whole_reply(self) -> None:
        """A server that ignored `stream: true` and sent one JSON reply."""
        data = read_json(self._response, self._where)
        try:
            choice = data["choices"][0]
            message = choice["message"]
            if not isinstance(message, dict):
                raise TypeError
        except (KeyError, IndexError, TypeError):
            raise BackendError(malformed(self._where, "a reply without choices")) from None
        self._take_message(message)
        self._stop = _STOP_REASONS.get(str(choice.get("finish_reason")), StopReason.EOS)
        usage = data.get("usage")
        self._usage = usage if isinstance(usage, dict) else {}
