"""The hub's resolve endpoint over stdlib HTTP: metadata (HEAD) and byte ranges (GET).

huggingface_hub builds the URLs; the requests are urllib so that Range,
timeouts and proxies are ours. Errors a caller may retry come out as the
exceptions in ``RETRYABLE``; an HTTP error status as ``HttpStatusError``.
"""

from __future__ import annotations

import http.client
import re
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import IO, Any

from app.core.errors import DownloadError
from app.models.download_types import RemoteFile
from app.models.mirrors import Mirror

USER_AGENT = "Ponder/0.1 (model download)"
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
RETRYABLE = (
    urllib.error.URLError,
    http.client.HTTPException,
    ConnectionError,
    TimeoutError,
    socket.timeout,
    OSError,
)


@dataclass(frozen=True)
class RemoteMeta:
    """What the server said about a file before sending it.

    Attributes:
        url: the URL to GET (pinned to the commit when the server named one).
        commit: the repository commit the server resolved, if any.
        etag: the entity tag (the hub's is the LFS SHA-256).
        size: the size in bytes the server announced.
        sha256: the SHA-256 from the etag, if it is one.
    """

    url: str
    commit: str | None
    etag: str | None
    size: int
    sha256: str | None


class HttpStatusError(Exception):
    """The server answered with an error status."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"HTTP {code} {reason}")
        self.code = code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def sha_from_etag(etag: str | None) -> str | None:
    """The SHA-256 inside a hub ETag, or None when the tag is something else."""
    if not etag:
        return None
    value = etag.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"').lower()
    return value if _SHA256_RE.match(value) else None


class HubClient:
    """HEAD and ranged GET against hub-like endpoints, through an optional proxy."""

    def __init__(self, proxy: str | None, timeout_s: float) -> None:
        proxies = urllib.request.ProxyHandler({"http": proxy, "https": proxy} if proxy else None)
        self._opener = urllib.request.build_opener(proxies)
        self._head_opener = urllib.request.build_opener(proxies, _NoRedirect())
        self._timeout = timeout_s

    @staticmethod
    def _request(url: str, method: str, headers: dict[str, str] | None = None
                 ) -> urllib.request.Request:
        h = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
        h.update(headers or {})
        return urllib.request.Request(url, method=method, headers=h)

    def metadata(self, mirror: Mirror, remote: RemoteFile) -> RemoteMeta:
        """Ask `mirror` for the file's size, commit and hash (without following redirects).

        Raises:
            HttpStatusError: the server answered 4xx/5xx.
            DownloadError: the server did not say how big the file is.
        """
        # Imported here: huggingface_hub costs ~0.3 s, and the window imports this
        # module before its first paint (tests/ui/test_cold_imports.py).
        from huggingface_hub import hf_hub_url

        url = hf_hub_url(remote.repo_id, remote.filename, revision=remote.revision,
                         endpoint=mirror.endpoint)
        try:
            with self._head_opener.open(self._request(url, "HEAD"), timeout=self._timeout) as resp:
                headers = resp.headers
        except urllib.error.HTTPError as exc:
            headers = exc.headers
            exc.close()  # the redirect's socket: its headers are all we need
            if not 300 <= exc.code < 400:
                raise HttpStatusError(exc.code, str(exc.reason)) from None
        commit = headers.get("X-Repo-Commit")
        etag = headers.get("X-Linked-Etag") or headers.get("ETag")
        raw_size = headers.get("X-Linked-Size") or headers.get("Content-Length")
        try:
            size = int(raw_size) if raw_size is not None else -1
        except ValueError:
            size = -1
        if size < 0:
            raise DownloadError(
                f"{mirror.name} did not say how big {remote.filename} is. "
                "Try another download source."
            )
        if commit and re.fullmatch(r"[0-9a-f]{40}", commit):
            # Pin the commit so a resumed transfer gets the same bytes.
            url = hf_hub_url(remote.repo_id, remote.filename, revision=commit,
                             endpoint=mirror.endpoint)
        return RemoteMeta(url=url, commit=commit, etag=etag, size=size,
                          sha256=sha_from_etag(etag))

    def open_from(self, url: str, offset: int) -> tuple[IO[bytes] | None, int]:
        """GET `url` from byte `offset`; returns (response, the offset it really starts at).

        The response is None when the server says the range is past the end
        (HTTP 416: the part file is already complete). A server that ignores
        Range starts at 0.

        Raises:
            HttpStatusError: the server answered 4xx/5xx.
            http.client.HTTPException: the server sent bytes from the wrong offset.
        """
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        try:
            resp = self._opener.open(self._request(url, "GET", headers), timeout=self._timeout)
        except urllib.error.HTTPError as exc:
            if exc.code == 416:
                exc.close()
                return None, offset
            exc.close()
            raise HttpStatusError(exc.code, str(exc.reason)) from None
        if offset and resp.status == 200:
            return resp, 0
        if offset:
            try:
                _check_content_range(resp.headers.get("Content-Range"), offset)
            except http.client.HTTPException:
                resp.close()
                raise
        return resp, offset


def _check_content_range(value: str | None, offset: int) -> None:
    match = re.match(r"bytes (\d+)-", value or "")
    if not match or int(match.group(1)) != offset:
        raise http.client.HTTPException(f"the server sent bytes from the wrong offset ({value})")


def describe_error(exc: BaseException) -> str:
    """A short phrase for a transfer error, for "Connection problem (…)"."""
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        reason = exc.reason
        return str(reason) if not isinstance(reason, BaseException) else describe_error(reason)
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "the server stopped sending (timeout)"
    if isinstance(exc, http.client.IncompleteRead):
        return "the connection closed early"
    text = str(exc) or type(exc).__name__
    return text[:120]
