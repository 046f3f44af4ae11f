"""The checks every request passes first: the Host header, then the API key.

A pure ASGI middleware, so it runs before any routing or body parsing. The
Host check refuses requests addressed to any name but the loopback names and
the allowed ones: a web page whose DNS name was re-pointed at 127.0.0.1 (DNS
rebinding) sends its own name and is refused. The key is compared in
constant time (hmac over SHA-256 digests, so neither content nor length
leaks); with no key set, any key or none is accepted.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.server.errors import error_body

OPEN_PATHS = ("/health",)
"""Paths that need no key (they reveal only whether the server runs)."""


def key_matches(header: str | None, key: str) -> bool:
    """Whether an Authorization header carries `key` (constant time)."""
    given = ""
    if header is not None:
        scheme, _, value = header.partition(" ")
        given = value.strip() if scheme.lower() == "bearer" else ""
    a = hashlib.sha256(given.encode("utf-8", "surrogatepass")).digest()
    b = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
    return hmac.compare_digest(a, b) and bool(given)


class Guard:
    """ASGI middleware: Host allow-list, then the API key.

    Args:
        app: the application behind it.
        host_names: the accepted Host values (read per request: the port is
            known only once the socket is bound).
        api_key: the required key, or None for any.
    """

    def __init__(self, app: ASGIApp, host_names: Callable[[], frozenset[str]],
                 api_key: str | None) -> None:
        self.app = app
        self._host_names = host_names
        self._key = api_key or None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: dict[str, str] = {k.decode("latin-1").lower(): v.decode("latin-1")
                                   for k, v in scope.get("headers", [])}
        host = headers.get("host", "").strip().lower()
        if host not in self._host_names():
            await _refuse(scope, receive, send, 403,
                          f"This server answers only requests addressed to localhost or an "
                          f"allowed host name, not {host or 'an empty Host'}. Add the name in "
                          "Settings → Local API (or --allow-host) if you trust it.",
                          "host_not_allowed")
            return
        path: str = scope.get("path", "")
        if self._key is not None and path not in OPEN_PATHS and \
                not key_matches(headers.get("authorization"), self._key):
            await _refuse(scope, receive, send, 401,
                          "This server needs an API key: send it as 'Authorization: Bearer "
                          "KEY' (api_key= in the openai client).", "invalid_api_key")
            return
        await self.app(scope, receive, send)


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, message: str,
                  code: str) -> None:
    extra: dict[str, Any] = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    response = JSONResponse(error_body(status, message, code), status_code=status, headers=extra)
    await response(scope, receive, send)
