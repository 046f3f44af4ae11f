"""HTTP and Server-Sent Events helpers of the remote backend (stdlib only).

Reading an event stream, parsing JSON bodies, and turning a server's errors
into sentences a user can act on.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
from collections.abc import Iterator
from typing import Any

from app.core.errors import BackendError
from app.core.types import GenerationControl


def sse_data(
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
            raise BackendError(malformed(where, f"a line that is not an event: {line[:60]!r}"))


def parse_json(data: str, where: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except json.JSONDecodeError:
        raise BackendError(malformed(where, f"not valid JSON: {data[:60]!r}")) from None
    if not isinstance(value, dict):
        raise BackendError(malformed(where, "a JSON value that is not an object"))
    return value


def read_json(response: http.client.HTTPResponse, where: str) -> dict[str, Any]:
    return parse_json(response.read().decode("utf-8", errors="replace"), where)


def malformed(where: str, detail: str) -> str:
    return (
        f"The server at {where} sent a reply Ponder cannot read ({detail}). "
        "Check that it is an OpenAI-compatible server and the address ends in /v1."
    )


def server_error(where: str, error: object) -> str:
    message = error.get("message") if isinstance(error, dict) else error
    return f"The server at {where} reported an error: {message}. Check the server's log."


def error_detail(response: http.client.HTTPResponse) -> str:
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


def http_message(where: str, status: int, detail: str, model: str) -> str:
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


def usage_count(value: object, default: int) -> int:
    """A token count from a server's `usage`; anything but a number means unknown."""
    if isinstance(value, bool):
        return default
    if isinstance(value, (int, float)) and value > 0:
        return int(value)
    if isinstance(value, str) and value.isdigit() and int(value) > 0:
        return int(value)
    return default


def shut(sock: socket.socket | None) -> None:
    """Shut a connection's socket from another thread so a blocked read returns."""
    if sock is None:
        return
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


def network_error(where: str, exc: Exception, timeout_s: float | None) -> BackendError:
    """A sentence for a failed connection or read."""
    if isinstance(exc, ConnectionRefusedError):
        return BackendError(
            f"Nothing answers at {where} (connection refused). Check that the server "
            "is running and that the address and port are right."
        )
    if isinstance(exc, socket.gaierror):
        return BackendError(f"The server name in {where} cannot be found. Check the address.")
    if isinstance(exc, TimeoutError | socket.timeout):
        return BackendError(
            f"The server at {where} did not answer within {timeout_s or 0:g} seconds. "
            "It may be busy or loading a model; try again, or raise the timeout."
        )
    return BackendError(
        f"The connection to {where} failed ({exc}). Check the server and the network."
    )
