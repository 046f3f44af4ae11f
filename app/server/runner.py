"""Start and stop the local API in a background thread (no Qt, no web import until start).

The window and `ponder serve` use the same controller:

    server = ApiServer(host, ServerConfig(port=7323, api_key=None))
    server.start()          # binds now: a port in use raises ServerConfigError
    server.address          # "http://127.0.0.1:7323/v1"
    server.snippet()        # ready-to-copy Python for the openai client
    server.stop()

The socket is bound here, before uvicorn runs, so a port that is taken gets
one clear sentence naming it (uvicorn alone would log and exit the process),
and port 0 picks a free port (tests). uvicorn runs its own event loop in a
daemon thread; it installs no signal handlers there.
"""

from __future__ import annotations

import errno
import logging
import socket
import sys
import threading
import time
from typing import Any

from app.server.config import ServerConfig, ServerConfigError, is_loopback
from app.server.state import ApiState
from app.services.host import ModelHost

log = logging.getLogger(__name__)

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0

WRITEUP_PROMPT = "求解方程:x^2 - 5x + 6 = 0"

SNIPPET = (
    "from openai import OpenAI\n"
    'client = OpenAI(base_url="{base}", api_key="{key}")\n'
    'response = client.completions.create(model="{model}", prompt="{prompt}", '
    "max_tokens=256, temperature=0.7)\n"
    "print(response.choices[0].text)\n"
)
"""The write-up's snippet: only the address (and a key, when one is set) change."""

CHAT_SNIPPET = (
    "from openai import OpenAI\n"
    'client = OpenAI(base_url="{base}", api_key="{key}")\n'
    'response = client.chat.completions.create(model="{model}", '
    'messages=[{{"role": "user", "content": "{prompt}"}}])\n'
    "message = response.choices[0].message\n"
    'print(getattr(message, "reasoning_content", None))  # the think block\n'
    "print(message.content)  # the answer\n"
)


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready socket on (host, port).

    Raises:
        ServerConfigError: the port is in use, or the address is not this computer's.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if sys.platform != "win32":  # on Windows this would let two servers share a port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)) or \
                getattr(exc, "winerror", None) == 10048:
            raise ServerConfigError(
                f"Port {port} on {host} is already in use by another program. Choose another "
                "port (ponder serve --port N, or Settings → Local API) or close that program."
            ) from exc
        raise ServerConfigError(
            f"Ponder's API cannot listen on {host}:{port} ({exc.strerror or exc}). Check the "
            "address: it must belong to this computer."
        ) from exc
    sock.set_inheritable(True)
    return sock


class ApiServer:
    """The local API of one model host, run in a background thread.

    Args:
        host: the model host whose model is served.
        config: address, key, allowed hosts, limits.
    """

    def __init__(self, host: ModelHost, config: ServerConfig) -> None:
        self.config = config
        self.state = ApiState(host, config)
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def port(self) -> int:
        """The bound port (the configured one, or the one picked for port 0)."""
        return self.state.port

    @property
    def is_running(self) -> bool:
        """Whether the server thread is serving."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def address(self) -> str:
        """The API root clients use, e.g. http://127.0.0.1:7323/v1."""
        host = self.config.host
        if host in ("0.0.0.0", "::") or is_loopback(host):
            host = "127.0.0.1" if host != "localhost" else host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}/v1"

    def snippet(self, chat: bool = False, host_name: str = "localhost") -> str:
        """Ready-to-copy Python for the official openai client (the key is never included)."""
        base = self.address.replace("127.0.0.1", host_name, 1)
        key = "YOUR-API-KEY" if self.config.api_key else "EMPTY"
        try:
            model = self.state.names()[0]
        except Exception:
            model = "deepseek-r1-distill-qwen-1.5b"
        template = CHAT_SNIPPET if chat else SNIPPET
        return template.format(base=base, key=key, model=model, prompt=WRITEUP_PROMPT)

    def start(self) -> None:
        """Bind and serve in a background thread; returns once requests are answered.

        Raises:
            ServerConfigError: an unsafe setup, a port in use, or a start failure.
        """
        if self.is_running:
            return
        self.config.check()
        import uvicorn

        from app.server.app import build_app

        sock = bind_socket(self.config.host, self.config.port)
        self.state.port = int(sock.getsockname()[1])
        config = uvicorn.Config(build_app(self.state), log_level="warning", access_log=False,
                                lifespan="off", timeout_graceful_shutdown=2)
        server = uvicorn.Server(config)
        self._server = server
        self._error = None

        def serve() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as exc:  # SystemExit included: uvicorn exits on failures
                self._error = exc
                log.exception("the API server stopped with an error")
            finally:
                sock.close()

        self._thread = threading.Thread(target=serve, name="ponder-api", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                why = self._error or "it did not answer in time"
                raise ServerConfigError(
                    f"Ponder's API could not start on port {self.port} ({why}). See the "
                    "log file for details."
                )
            time.sleep(0.01)
        log.info("API server listening on %s", self.address)

    def stop(self) -> None:
        """Stop serving: running replies are cancelled by their closed connections."""
        server, thread = self._server, self._thread
        if server is not None:
            server.should_exit = True
            server.force_exit = False
        if thread is not None and thread is not threading.current_thread():
            thread.join(STOP_TIMEOUT_S)
            if thread.is_alive() and server is not None:
                server.force_exit = True
                thread.join(STOP_TIMEOUT_S)
        self._thread = None
        self._server = None

    def wait(self) -> None:
        """Block until the server stops (for `ponder serve`); Ctrl+C raises KeyboardInterrupt."""
        while self.is_running:
            time.sleep(0.2)
