"""Download a GGUF with progress, pause, cancel, resume across restarts and SHA-256.

The bytes go to ``<target>.part`` with a JSON sidecar ``<target>.part.json``
(url, commit, etag, size, sha256). A later run, even in a new process, checks
the sidecar, hashes the part it finds and asks the server for the rest with
an HTTP Range request. The final file appears only through ``os.replace``
after its size and SHA-256 matched, so a damaged file is never loaded.

huggingface_hub builds the URLs; the transfer is stdlib urllib so that
Range, timeouts (stalls), retries with backoff and mirror fallback are ours.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import http.client
import json
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from huggingface_hub import hf_hub_url

from app.core.errors import DownloadError, VerificationError
from app.hardware.memory import existing_ancestor, probe_disk_free
from app.models.mirrors import Mirror, is_offline

USER_AGENT = "Ponder/0.1 (model download)"
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_RETRYABLE = (
    urllib.error.URLError,
    http.client.HTTPException,
    ConnectionError,
    TimeoutError,
    socket.timeout,
    OSError,
)


class DownloadStatus(str, enum.Enum):
    """How a download call ended."""

    COMPLETED = "completed"
    """The verified file is at the target path."""
    PAUSED = "paused"
    """Stopped on request; the partial file is kept for resuming."""
    CANCELLED = "cancelled"
    """Stopped on request; the partial file was deleted."""


class Phase(str, enum.Enum):
    """What the downloader is doing, for the progress display."""

    CONNECTING = "connecting"
    """Asking the server for the file's size and hash."""
    CHECKING = "checking"
    """Hashing a partial file from an earlier run before resuming."""
    DOWNLOADING = "downloading"
    """Receiving bytes."""
    RETRYING = "retrying"
    """A transfer failed; waiting before the next attempt (message says why)."""
    VERIFYING = "verifying"
    """Comparing size and SHA-256."""
    DONE = "done"
    """Finished (see the result's status)."""


@dataclass(frozen=True)
class DownloadProgress:
    """One progress report.

    Attributes:
        phase: what is happening.
        done_bytes: bytes on disk so far (including a resumed part).
        total_bytes: the file's size, or None before it is known.
        speed_bps: recent transfer speed in bytes/s.
        eta_s: seconds left at that speed, or None.
        message: a sentence for the user on phase changes, retries and mirror
            switches ("" otherwise).
    """

    phase: Phase
    done_bytes: int
    total_bytes: int | None
    speed_bps: float = 0.0
    eta_s: float | None = None
    message: str = ""


ProgressCallback = Callable[[DownloadProgress], None]


@dataclass(frozen=True)
class RemoteFile:
    """A file in a hub repository.

    Attributes:
        repo_id: "owner/name".
        filename: path inside the repository.
        revision: branch, tag or commit.
        sha256: the expected digest if known (the catalog's); else the hub's.
        size: expected size if known exactly.
    """

    repo_id: str
    filename: str
    revision: str = "main"
    sha256: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class DownloadSettings:
    """Knobs of the downloader (tests shrink the times).

    Attributes:
        timeout_s: connect and read timeout; a stall longer than this retries.
        retries_per_mirror: failed attempts without progress before the next mirror.
        backoff_s: first wait between retries; doubles up to backoff_max_s.
        backoff_max_s: longest wait between retries.
        verify_retries: fresh downloads after a SHA-256 mismatch before giving up.
        chunk_size: bytes per read.
        proxy: explicit proxy URL for http and https; None uses HTTPS_PROXY etc.
        disk_margin: free space to leave on the drive besides the file.
        progress_interval_s: least time between two byte-count reports.
        require_sha256: refuse to finish a file whose SHA-256 is unknown.
    """

    timeout_s: float = 30.0
    retries_per_mirror: int = 4
    backoff_s: float = 1.0
    backoff_max_s: float = 30.0
    verify_retries: int = 1
    chunk_size: int = 1 << 20
    proxy: str | None = None
    disk_margin: int = 256 * 1024 * 1024
    progress_interval_s: float = 0.1
    require_sha256: bool = True


@dataclass(frozen=True)
class DownloadResult:
    """How a download ended.

    Attributes:
        status: completed, paused or cancelled.
        path: the verified file (COMPLETED) or the part file (PAUSED), else None.
        size: the file's size in bytes.
        sha256: the verified digest (COMPLETED) or the expected one.
        mirror: the mirror that served the last bytes.
    """

    status: DownloadStatus
    path: Path | None
    size: int
    sha256: str | None
    mirror: str | None


@dataclass(frozen=True)
class _Meta:
    url: str
    commit: str | None
    etag: str | None
    size: int
    sha256: str | None


class _HttpStatusError(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"HTTP {code} {reason}")
        self.code = code


class _Stop(Exception):
    """Pause or cancel was requested while transferring."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def part_path(target: Path) -> Path:
    """The partial file next to `target`."""
    return target.with_name(target.name + ".part")


def sidecar_path(target: Path) -> Path:
    """The JSON sidecar that describes the partial file."""
    return target.with_name(target.name + ".part.json")


def format_bytes(n: float) -> str:
    """1234567890 -> "1.23 GB" (decimal units, as download sizes are quoted)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.2f} {unit}"
        n /= 1000
    return f"{n:.2f} TB"


def _sha_from_etag(etag: str | None) -> str | None:
    if not etag:
        return None
    value = etag.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"').lower()
    return value if _SHA256_RE.match(value) else None


def _hash_file(path: Path, stop: Callable[[], bool], chunk: int = 1 << 20) -> tuple[Any, int]:
    hasher = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            if stop():
                raise _Stop
            hasher.update(block)
            size += len(block)
    return hasher, size


class _Meter:
    """Bytes/s over the last few seconds, and a throttle for reports."""

    def __init__(self, window_s: float = 3.0) -> None:
        self._samples: deque[tuple[float, int]] = deque()
        self._window = window_s

    def add(self, now: float, done: int) -> float:
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > self._window:
            self._samples.popleft()
        t0, b0 = self._samples[0]
        return (done - b0) / (now - t0) if now > t0 else 0.0

    def reset(self) -> None:
        self._samples.clear()


class Downloader:
    """Downloads hub files with resume, verification, retries and mirror fallback.

    One instance serves one thread at a time; `cancel` and `pause` events may
    be set from any thread and take effect within one chunk (or one backoff
    wait). Library code: reports go through the progress callback, never print.
    """

    def __init__(
        self,
        mirrors: list[Mirror],
        settings: DownloadSettings | None = None,
        *,
        disk_free: Callable[[Path], int | None] = probe_disk_free,
    ) -> None:
        if not mirrors:
            raise ValueError("at least one mirror is needed")
        self.mirrors = list(mirrors)
        self.settings = settings or DownloadSettings()
        self._disk_free = disk_free
        proxy = self.settings.proxy
        proxies = urllib.request.ProxyHandler({"http": proxy, "https": proxy} if proxy else None)
        self._opener = urllib.request.build_opener(proxies)
        self._head_opener = urllib.request.build_opener(proxies, _NoRedirect())

    # -- public -----------------------------------------------------------

    def download(
        self,
        remote: RemoteFile,
        target: Path,
        progress: ProgressCallback | None = None,
        *,
        cancel: threading.Event | None = None,
        pause: threading.Event | None = None,
    ) -> DownloadResult:
        """Download `remote` to `target`, resuming a partial file if one is there.

        Args:
            remote: what to fetch.
            target: the final path; the file appears there only once verified.
            progress: called from this thread with DownloadProgress reports.
            cancel: set to stop and delete the partial file.
            pause: set to stop and keep the partial file for a later call.

        Returns:
            The result; status COMPLETED, PAUSED or CANCELLED.

        Raises:
            DownloadError: offline mode, no disk space, or all mirrors failed
                (the partial file is kept).
            VerificationError: the bytes did not match the SHA-256 even after a
                fresh download (nothing is left at the target).
        """
        report = progress or (lambda _p: None)
        if is_offline():
            raise DownloadError(
                "Downloads are turned off because HF_HUB_OFFLINE is set. Unset it to "
                "download, or import a GGUF file you already have."
            )
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DownloadError(
                f"The models folder {target.parent} cannot be created "
                f"({exc.strerror or exc}). Check that it is writable."
            ) from exc
        try:
            return self._download(remote, target, report, cancel, pause)
        except _Stop:
            return self._stopped(remote, target, report, cancel)

    # -- the loop ----------------------------------------------------------

    def _download(
        self,
        remote: RemoteFile,
        target: Path,
        report: ProgressCallback,
        cancel: threading.Event | None,
        pause: threading.Event | None,
    ) -> DownloadResult:
        s = self.settings

        def should_stop() -> bool:
            return bool((cancel and cancel.is_set()) or (pause and pause.is_set()))

        verify_failures = 0
        last_error = "no mirror answered"
        for index, mirror in enumerate(self.mirrors):
            if index > 0:
                report(DownloadProgress(
                    Phase.RETRYING, self._part_size(target), remote.size,
                    message=f"{self.mirrors[index - 1].name} failed ({last_error}); "
                    f"trying {mirror.name} ({mirror.endpoint}).",
                ))
            failures = 0
            while failures < s.retries_per_mirror:
                if should_stop():
                    raise _Stop
                before = self._part_size(target)
                try:
                    return self._attempt(mirror, remote, target, report, should_stop)
                except VerificationError:
                    verify_failures += 1
                    if verify_failures > s.verify_retries:
                        raise
                    report(DownloadProgress(
                        Phase.RETRYING, 0, remote.size,
                        message="The downloaded bytes did not match the expected SHA-256; "
                        "the damaged file was deleted and the download starts over.",
                    ))
                    continue
                except _HttpStatusError as exc:
                    last_error = str(exc)
                    if exc.code < 500 and exc.code not in (408, 429):
                        break  # 404/401/403: this mirror will not have it
                    failures += 1
                except _RETRYABLE as exc:
                    last_error = _describe(exc)
                    failures = 0 if self._part_size(target) > before else failures + 1
                if failures >= s.retries_per_mirror:
                    break
                wait = min(s.backoff_s * 2 ** max(failures - 1, 0), s.backoff_max_s)
                report(DownloadProgress(
                    Phase.RETRYING, self._part_size(target), remote.size,
                    message=f"Connection problem ({last_error}); retrying in {wait:.0f} s.",
                ))
                _wait(wait, should_stop)
        raise DownloadError(
            f"Could not download {remote.filename} from any mirror (last error: {last_error}). "
            "Check the internet connection or proxy and try again; the partial download is "
            "kept and will resume."
        )

    def _attempt(
        self,
        mirror: Mirror,
        remote: RemoteFile,
        target: Path,
        report: ProgressCallback,
        should_stop: Callable[[], bool],
    ) -> DownloadResult:
        report(DownloadProgress(Phase.CONNECTING, self._part_size(target), remote.size,
                                message=f"Connecting to {mirror.name}…"))
        meta = self._metadata(mirror, remote)
        expected_sha = remote.sha256 or meta.sha256
        if expected_sha is None and self.settings.require_sha256:
            raise DownloadError(
                f"{mirror.name} did not report a SHA-256 for {remote.filename}, so the file "
                "could not be verified. Try another mirror with --mirror."
            )
        part, side = part_path(target), sidecar_path(target)
        offset = self._prepare_part(part, side, meta, expected_sha)
        self._check_disk(target, meta.size - offset)
        hasher: Any = hashlib.sha256()
        if offset:
            report(DownloadProgress(Phase.CHECKING, offset, meta.size,
                                    message="Checking the partial download from earlier…"))
            hasher, offset = _hash_file(part, should_stop)
        if offset < meta.size:
            hasher = self._transfer(meta, part, offset, hasher, report, should_stop)
        report(DownloadProgress(Phase.VERIFYING, meta.size, meta.size,
                                message="Verifying the SHA-256…"))
        size = part.stat().st_size
        digest = hasher.hexdigest()
        if size != meta.size or (expected_sha is not None and digest != expected_sha):
            part.unlink(missing_ok=True)
            side.unlink(missing_ok=True)
            raise VerificationError(
                f"{remote.filename} arrived damaged (size {size:,} of {meta.size:,} bytes, "
                f"SHA-256 {digest[:12]}… instead of {(expected_sha or '?')[:12]}…). It was "
                "deleted; download it again, or try another mirror with --mirror."
            )
        os.replace(part, target)
        side.unlink(missing_ok=True)
        report(DownloadProgress(Phase.DONE, size, size, message=f"{remote.filename} is ready."))
        return DownloadResult(DownloadStatus.COMPLETED, target, size, digest, mirror.name)

    # -- pieces -------------------------------------------------------------

    def _request(self, url: str, method: str, headers: dict[str, str] | None = None
                 ) -> urllib.request.Request:
        h = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
        h.update(headers or {})
        return urllib.request.Request(url, method=method, headers=h)

    def _metadata(self, mirror: Mirror, remote: RemoteFile) -> _Meta:
        url = hf_hub_url(remote.repo_id, remote.filename, revision=remote.revision,
                         endpoint=mirror.endpoint)
        try:
            with self._head_opener.open(self._request(url, "HEAD"),
                                        timeout=self.settings.timeout_s) as resp:
                headers = resp.headers
        except urllib.error.HTTPError as exc:
            if not 300 <= exc.code < 400:
                raise _HttpStatusError(exc.code, str(exc.reason)) from None
            headers = exc.headers
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
                "Try another mirror with --mirror."
            )
        if commit and re.fullmatch(r"[0-9a-f]{40}", commit):
            # Pin the commit so a resumed transfer gets the same bytes.
            url = hf_hub_url(remote.repo_id, remote.filename, revision=commit,
                             endpoint=mirror.endpoint)
        return _Meta(url=url, commit=commit, etag=etag, size=size, sha256=_sha_from_etag(etag))

    def _prepare_part(self, part: Path, side: Path, meta: _Meta, sha: str | None) -> int:
        """Keep a part that belongs to the same file, else start over; return its size."""
        try:
            old = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = None
        same = (
            isinstance(old, dict)
            and old.get("size") == meta.size
            and old.get("sha256") == sha
            and (sha is not None or old.get("etag") == meta.etag)
        )
        size = part.stat().st_size if part.exists() else 0
        if not same or size > meta.size:
            part.unlink(missing_ok=True)
            size = 0
        side.write_text(json.dumps({
            "version": 1, "url": meta.url, "commit": meta.commit, "etag": meta.etag,
            "size": meta.size, "sha256": sha,
        }), encoding="utf-8")
        return size

    def _check_disk(self, target: Path, remaining: int) -> None:
        free = self._disk_free(target.parent)
        need = remaining + self.settings.disk_margin
        if free is not None and free < need:
            drive = existing_ancestor(target.parent).anchor or str(target.parent)
            raise DownloadError(
                f"This download needs {format_bytes(need)}, but only {format_bytes(free)} is "
                f"free on {drive} ({target.parent}). Free some space or choose a smaller "
                "quantization."
            )

    def _transfer(
        self,
        meta: _Meta,
        part: Path,
        offset: int,
        hasher: Any,
        report: ProgressCallback,
        should_stop: Callable[[], bool],
    ) -> Any:
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        try:
            resp = self._opener.open(self._request(meta.url, "GET", headers),
                                     timeout=self.settings.timeout_s)
        except urllib.error.HTTPError as exc:
            if exc.code == 416:  # the part is as long as the server's file: verify it
                exc.close()
                return hasher
            raise _HttpStatusError(exc.code, str(exc.reason)) from None
        with resp:
            if offset and resp.status == 200:
                offset, hasher = 0, hashlib.sha256()  # the server ignored Range: start over
            elif offset:
                _check_content_range(resp.headers.get("Content-Range"), offset)
            mode = "r+b" if offset else "wb"
            with open(part, mode) as fh:
                fh.seek(offset)
                fh.truncate()
                self._copy(resp, fh, offset, meta.size, hasher, report, should_stop)
        return hasher

    def _copy(
        self,
        resp: IO[bytes],
        fh: IO[bytes],
        done: int,
        total: int,
        hasher: Any,
        report: ProgressCallback,
        should_stop: Callable[[], bool],
    ) -> None:
        meter = _Meter()
        last_report = 0.0
        meter.add(time.monotonic(), done)
        while done < total:
            if should_stop():
                fh.flush()
                raise _Stop
            block = resp.read(min(self.settings.chunk_size, total - done))
            if not block:
                raise http.client.IncompleteRead(b"", total - done)
            fh.write(block)
            hasher.update(block)
            done += len(block)
            now = time.monotonic()
            speed = meter.add(now, done)
            if now - last_report >= self.settings.progress_interval_s or done == total:
                last_report = now
                eta = (total - done) / speed if speed > 0 else None
                report(DownloadProgress(Phase.DOWNLOADING, done, total, speed, eta))
        fh.flush()
        with contextlib.suppress(OSError):
            os.fsync(fh.fileno())

    def _part_size(self, target: Path) -> int:
        try:
            return part_path(target).stat().st_size
        except OSError:
            return 0

    def _stopped(
        self,
        remote: RemoteFile,
        target: Path,
        report: ProgressCallback,
        cancel: threading.Event | None,
    ) -> DownloadResult:
        part = part_path(target)
        size = self._part_size(target)
        if cancel is not None and cancel.is_set():
            part.unlink(missing_ok=True)
            sidecar_path(target).unlink(missing_ok=True)
            report(DownloadProgress(Phase.DONE, 0, remote.size, message="Download cancelled."))
            return DownloadResult(DownloadStatus.CANCELLED, None, 0, remote.sha256, None)
        report(DownloadProgress(Phase.DONE, size, remote.size,
                                message="Download paused; it will resume where it stopped."))
        return DownloadResult(DownloadStatus.PAUSED, part, size, remote.sha256, None)


def _wait(seconds: float, should_stop: Callable[[], bool]) -> None:
    """Sleep `seconds` in short slices so pause and cancel act at once."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if should_stop():
            raise _Stop
        time.sleep(min(left, 0.05))
    if should_stop():
        raise _Stop


def _check_content_range(value: str | None, offset: int) -> None:
    match = re.match(r"bytes (\d+)-", value or "")
    if not match or int(match.group(1)) != offset:
        raise http.client.HTTPException(f"the server sent bytes from the wrong offset ({value})")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        reason = exc.reason
        return str(reason) if not isinstance(reason, BaseException) else _describe(reason)
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "the server stopped sending (timeout)"
    if isinstance(exc, http.client.IncompleteRead):
        return "the connection closed early"
    text = str(exc) or type(exc).__name__
    return text[:120]
