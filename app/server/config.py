"""How the local API is set up: address, key, allowed host names, limits.

Safe by default: it binds 127.0.0.1; binding any other address refuses to
start without an API key; requests must name the server by a loopback name
or an allowed host name in their Host header (which stops DNS-rebinding
pages in the user's browser); CORS is off unless origins are listed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.core.errors import PonderError

DEFAULT_HOST = "127.0.0.1"

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
"""Host names every request may use."""

DEFAULT_MAX_BODY_BYTES = 4 * 2**20
"""Largest request body (4 MiB: far more than a full 128k-token context as text)."""

DEFAULT_MAX_PENDING = 16
"""API requests running or waiting for the model at once; more get 429."""


class ServerConfigError(PonderError):
    """The server cannot start as configured (address, key, port)."""


def is_loopback(host: str) -> bool:
    """Whether a bind address is reachable only from this computer."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServerConfig:
    """The local API's settings.

    Attributes:
        port: the TCP port (0: any free port, for tests).
        host: the address to bind.
        api_key: the key clients must send as `Authorization: Bearer KEY`;
            None or "" accepts any key (loopback binds only).
        allowed_hosts: host names accepted in the Host header besides the
            loopback names (a LAN bind needs the names clients use).
        cors_origins: browser origins allowed to call the API (none: CORS off).
        max_body_bytes: larger request bodies get 413.
        max_pending: more concurrent API requests than this get 429.
        catalog_ids: model file name (lower case) -> catalog id, so a catalog
            model is served under its catalog id.
    """

    port: int
    host: str = DEFAULT_HOST
    api_key: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_pending: int = DEFAULT_MAX_PENDING
    catalog_ids: Mapping[str, str] = field(default_factory=dict)

    def check(self) -> None:
        """Refuse an unsafe or impossible setup.

        Raises:
            ServerConfigError: a non-loopback bind without a key, or a bad port.
        """
        if not 0 <= self.port <= 65535:
            raise ServerConfigError(f"The port must be between 1 and 65535; it was {self.port}.")
        if not is_loopback(self.host) and not self.api_key:
            raise ServerConfigError(
                f"Ponder's API refuses to listen on {self.host} without an API key, because "
                "other computers could reach it. Set a key (--api-key or Settings → Local "
                "API), or keep the default address 127.0.0.1."
            )

    def host_names(self, port: int) -> frozenset[str]:
        """Every Host header value accepted, with and without the port, lower case."""
        names = {*LOOPBACK_NAMES, *(n.strip().lower() for n in self.allowed_hosts if n.strip())}
        if not is_loopback(self.host) and self.host not in ("0.0.0.0", "::"):
            # An address literal cannot be re-pointed by DNS, so the bound one is safe.
            names.add(f"[{self.host}]" if ":" in self.host else self.host)
        return frozenset({*names, *(f"{n}:{port}" for n in names)})
