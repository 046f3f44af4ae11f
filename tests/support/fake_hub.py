"""A local HTTP server that behaves like the Hugging Face hub's resolve endpoint.

It serves files from memory on 127.0.0.1 the way the hub serves LFS files:

- ``HEAD /<repo>/resolve/<rev>/<file>`` answers 302 to a CDN path with
  ``X-Repo-Commit``, ``ETag`` and ``X-Linked-Etag`` (the SHA-256) and
  ``X-Linked-Size``;
- ``GET`` on the same path redirects to ``/cdn/<sha256>``, which honours
  ``Range: bytes=N-`` with 206 Partial Content.

Faults are queued per request: a 5xx answer, a connection dropped after N
bytes, a stall (the server stops sending for a while), or wrong bytes. Every
request is logged so tests can check e.g. that a resume asked for the right
Range.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@dataclass(frozen=True)
class Fault:
    """One misbehaviour, applied to the next matching request.

    Attributes:
        kind: "status" (answer `status`), "drop" (close after `at` bytes),
            "stall" (stop sending for `seconds` after `at` bytes) or "corrupt"
            (flip the bytes in [at, at + length) of this response).
        on: which requests it hits: "head", "get" (file bytes) or "any".
        at: byte position inside this response's body.
        status: HTTP status for kind "status".
        seconds: stall duration.
        length: how many bytes to corrupt.
    """

    kind: str
    on: str = "get"
    at: int = 0
    status: int = 503
    seconds: float = 1.0
    length: int = 16


@dataclass(frozen=True)
class LoggedRequest:
    """One request the server saw."""

    method: str
    path: str
    range_start: int | None


@dataclass
class HubFile:
    """A file the fake hub serves."""

    data: bytes
    sha256: str = ""

    def __post_init__(self) -> None:
        self.sha256 = hashlib.sha256(self.data).hexdigest()


@dataclass
class _State:
    files: dict[tuple[str, str], HubFile]
    faults: deque[Fault] = field(default_factory=deque)
    log: list[LoggedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    send_etag: bool = True
    chunk: int = 16 * 1024


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _take_fault(self, kind_of_request: str, body: bool) -> Fault | None:
        """The next queued fault if it applies here (body faults only hit file bytes)."""
        st = self.server.state
        with st.lock:
            if not st.faults or st.faults[0].on not in (kind_of_request, "any"):
                return None
            if st.faults[0].kind != "status" and not body:
                return None
            return st.faults.popleft()

    def _log(self) -> int | None:
        match = re.match(r"bytes=(\d+)-", self.headers.get("Range", ""))
        start = int(match.group(1)) if match else None
        with self.server.state.lock:
            self.server.state.log.append(LoggedRequest(self.command, self.path, start))
        return start

    def _empty(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        start = self._log()
        st = self.server.state
        is_cdn = self.path.startswith("/cdn/")
        fault = self._take_fault("head" if head else "get", body=is_cdn and not head)
        if fault is not None and fault.kind == "status":
            self._empty(fault.status)
            return
        resolve = re.fullmatch(r"/(.+?/.+?)/resolve/([^/]+)/(.+)", self.path.split("?")[0])
        if resolve:
            repo, rev, name = resolve.groups()
            hub_file = st.files.get((repo, name))
            if hub_file is None or rev not in ("main", COMMIT):
                self._empty(404, {"X-Error-Code": "EntryNotFound"})
                return
            headers = {"Location": f"/cdn/{hub_file.sha256}?download=1", "X-Repo-Commit": COMMIT,
                       "X-Linked-Size": str(len(hub_file.data))}
            if st.send_etag:
                headers["X-Linked-Etag"] = f'"{hub_file.sha256}"'
                headers["ETag"] = f'"{hub_file.sha256}"'
            self._empty(302, headers)
            return
        cdn = re.fullmatch(r"/cdn/([0-9a-f]{64})", self.path.split("?")[0])
        found = [f for f in st.files.values() if cdn and f.sha256 == cdn.group(1)]
        if not found:
            self._empty(404)
            return
        data = found[0].data
        offset = start or 0
        if offset >= len(data) and start is not None:
            self._empty(416, {"Content-Range": f"bytes */{len(data)}"})
            return
        body = data[offset:]
        self.send_response(206 if start is not None else 200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        if start is not None:
            self.send_header("Content-Range", f"bytes {offset}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if head:
            return
        self._send_body(body, fault)

    def _send_body(self, body: bytes, fault: Fault | None) -> None:
        if fault is not None and fault.kind == "corrupt":
            a, b = fault.at, min(fault.at + fault.length, len(body))
            body = body[:a] + bytes(x ^ 0xFF for x in body[a:b]) + body[b:]
        pos = 0
        chunk = self.server.state.chunk
        try:
            while pos < len(body):
                end = min(pos + chunk, len(body))
                if fault is not None and fault.kind in ("drop", "stall") and pos <= fault.at < end:
                    end = fault.at
                    self.wfile.write(body[pos:end])
                    self.wfile.flush()
                    pos = end
                    if fault.kind == "drop":
                        self.close_connection = True
                        return
                    time.sleep(fault.seconds)
                    fault = None
                    continue
                self.wfile.write(body[pos:end])
                pos = end
        except OSError:
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: _State) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # dropped connections are the point of this server


class FakeHub:
    """Run a fake hub on 127.0.0.1 in a background thread.

    Use as a context manager; `endpoint` is its base URL.
    """

    def __init__(self, files: dict[tuple[str, str], bytes]) -> None:
        self.state = _State({k: HubFile(v) for k, v in files.items()})
        self._server = _Server(self.state)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add_faults(self, *faults: Fault) -> None:
        """Queue faults; each hits the next matching request."""
        with self.state.lock:
            self.state.faults.extend(faults)

    def clear_faults(self) -> None:
        with self.state.lock:
            self.state.faults.clear()

    @property
    def requests(self) -> list[LoggedRequest]:
        with self.state.lock:
            return list(self.state.log)

    def sha256(self, repo: str, name: str) -> str:
        return self.state.files[(repo, name)].sha256

    def __enter__(self) -> FakeHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
