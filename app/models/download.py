"""Download a GGUF with progress, pause, cancel, resume across restarts and SHA-256.

The bytes go to ``<target>.part`` (see ``part_file.py``). A later run, even in
a new process, hashes the part it finds and asks the server for the rest with
an HTTP Range request. The final file appears only through ``os.replace``
after its size and SHA-256 matched, so a damaged file is never loaded.

The expected SHA-256 and size come from the caller when it has them pinned
(Ponder's catalog); the server's own headers are then never trusted, so a
mirror or proxy that serves other bytes cannot also supply their hash. Only
for files outside the catalog is the server's hash used (the result says
``Verification.HUB``). Transfers retry with backoff and fall back to the next
mirror; the mirror that served the file is named in the result.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.core.errors import DownloadError, VerificationError
from app.hardware.memory import existing_ancestor, probe_disk_free
from app.models.download_types import (
    DownloadProgress,
    DownloadResult,
    DownloadSettings,
    DownloadStatus,
    Phase,
    ProgressCallback,
    RemoteFile,
    Verification,
    format_bytes,
    part_path,
    sidecar_path,
)
from app.models.hub_http import RETRYABLE, HttpStatusError, HubClient, RemoteMeta, describe_error
from app.models.mirrors import Mirror, is_offline
from app.models.part_file import (
    DiskFullError,
    StopTransfer,
    append_stream,
    hash_part,
    part_size,
    prepare_part,
)
from app.models.trust import Ledger

__all__ = [
    "DiskFullError",
    "DownloadProgress",
    "DownloadResult",
    "DownloadSettings",
    "DownloadStatus",
    "Downloader",
    "Phase",
    "ProgressCallback",
    "RemoteFile",
    "Verification",
    "WrongFileError",
    "format_bytes",
    "part_path",
    "sidecar_path",
]


class WrongFileError(VerificationError):
    """Every source announced a file whose size differs from the pinned one."""


class _WrongSize(Exception):
    def __init__(self, announced: int) -> None:
        super().__init__(f"it offers {announced:,} bytes")
        self.announced = announced


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
        self._client = HubClient(self.settings.proxy, self.settings.timeout_s)

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
            remote: what to fetch (with its pinned SHA-256 and size when known).
            target: the final path; the file appears there only once verified.
            progress: called from this thread with DownloadProgress reports.
            cancel: set to stop and delete the partial file.
            pause: set to stop and keep the partial file for a later call.

        Returns:
            The result; status COMPLETED, PAUSED or CANCELLED.

        Raises:
            DownloadError: offline mode, no disk space (at the start or midway:
                DiskFullError, the partial file kept), or all mirrors failed
                (the partial file is kept).
            VerificationError: the bytes did not match the SHA-256 even after a
                fresh download, or every source offers a file of another size
                than the pinned one (nothing is left at the target).
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
        except StopTransfer:
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
        wrong_sizes: list[str] = []
        last_error = "no mirror answered"
        for index, mirror in enumerate(self.mirrors):
            if index > 0:
                report(DownloadProgress(
                    Phase.RETRYING, part_size(part_path(target)), remote.size,
                    message=f"{self.mirrors[index - 1].name} failed ({last_error}); "
                    f"trying {mirror.name} ({mirror.endpoint}).",
                ))
            failures = 0
            while failures < s.retries_per_mirror:
                if should_stop():
                    raise StopTransfer
                before = part_size(part_path(target))
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
                except _WrongSize as exc:
                    last_error = f"{mirror.name} offers a different file ({exc})"
                    wrong_sizes.append(f"{mirror.name}: {exc.announced:,} bytes")
                    break
                except HttpStatusError as exc:
                    last_error = str(exc)
                    if exc.code < 500 and exc.code not in (408, 429):
                        break  # 404/401/403: this mirror will not have it
                    failures += 1
                except DownloadError:
                    raise  # disk full, read-only folder: retrying will not help
                except RETRYABLE as exc:
                    last_error = describe_error(exc)
                    grew = part_size(part_path(target)) > before
                    failures = 0 if grew else failures + 1
                if failures >= s.retries_per_mirror:
                    break
                wait = min(s.backoff_s * 2 ** max(failures - 1, 0), s.backoff_max_s)
                report(DownloadProgress(
                    Phase.RETRYING, part_size(part_path(target)), remote.size,
                    message=f"Connection problem ({last_error}); retrying in {wait:.0f} s.",
                ))
                _wait(wait, should_stop)
        if wrong_sizes:
            others = ("" if len(wrong_sizes) == len(self.mirrors)
                      else f" The other sources failed (last error: {last_error}).")
            raise WrongFileError(
                f"No download source offers the file Ponder's catalog pins for "
                f"{remote.filename} ({remote.size or 0:,} bytes; "
                f"{'; '.join(wrong_sizes)}). Nothing was saved.{others} Try another download "
                "source; if this keeps happening, the source serves a different file."
            )
        raise DownloadError(
            f"Could not download {remote.filename} from any source (last error: {last_error}). "
            "Check the internet connection or proxy, or try another download source; the "
            "partial download is kept and will resume."
        )

    def _attempt(
        self,
        mirror: Mirror,
        remote: RemoteFile,
        target: Path,
        report: ProgressCallback,
        should_stop: Callable[[], bool],
    ) -> DownloadResult:
        part, side = part_path(target), sidecar_path(target)
        report(DownloadProgress(Phase.CONNECTING, part_size(part), remote.size,
                                message=f"Connecting to {mirror.name}…"))
        meta = self._client.metadata(mirror, remote)
        if remote.size is not None and meta.size != remote.size:
            raise _WrongSize(meta.size)
        # A pinned hash wins over anything the server says about its bytes.
        expected_sha = remote.sha256 if remote.is_pinned else meta.sha256
        verification = (Verification.CATALOG if remote.is_pinned
                        else Verification.HUB if expected_sha else Verification.NONE)
        if expected_sha is None and self.settings.require_sha256:
            raise DownloadError(
                f"{mirror.name} did not report a SHA-256 for {remote.filename}, so the file "
                "could not be verified. Try another download source."
            )
        offset = prepare_part(part, side, meta, expected_sha)
        self._check_disk(target, meta.size - offset)
        hasher: Any = hashlib.sha256()
        if offset:
            report(DownloadProgress(Phase.CHECKING, offset, meta.size,
                                    message="Checking the partial download from earlier…"))
            hasher, offset = hash_part(part, should_stop)
        if offset < meta.size:
            hasher = self._transfer(meta, part, offset, hasher, report, should_stop)
        report(DownloadProgress(Phase.VERIFYING, meta.size, meta.size,
                                message="Verifying the SHA-256…"))
        size = part.stat().st_size
        digest = hasher.hexdigest()
        if size != meta.size or (expected_sha is not None and digest != expected_sha):
            part.unlink(missing_ok=True)
            side.unlink(missing_ok=True)
            against = "Ponder's catalog" if remote.is_pinned else "the server's hash"
            raise VerificationError(
                f"{remote.filename} arrived damaged or is not the expected file (size "
                f"{size:,} of {meta.size:,} bytes, SHA-256 {digest[:12]}… instead of "
                f"{(expected_sha or '?')[:12]}… from {against}). It was deleted; download "
                "it again, or try another download source."
            )
        ledger = Ledger.open(target.parent)
        os.replace(part, target)
        side.unlink(missing_ok=True)
        ledger.record(target, verification.value, digest, remote.repo_id)
        ledger.save()
        report(DownloadProgress(Phase.DONE, size, size, message=f"{remote.filename} is ready."))
        return DownloadResult(DownloadStatus.COMPLETED, target, size, digest, mirror.name,
                              verification, mirror.endpoint)

    # -- pieces -------------------------------------------------------------

    def _check_disk(self, target: Path, remaining: int) -> None:
        free = self._disk_free(target.parent)
        need = remaining + self.settings.disk_margin
        if free is not None and free < need:
            drive = existing_ancestor(target.parent).anchor or str(target.parent)
            raise DiskFullError(
                f"This download needs {format_bytes(need)}, but only {format_bytes(free)} is "
                f"free on {drive} ({target.parent}). Free some space or choose a smaller "
                "quantization."
            )

    def _transfer(
        self,
        meta: RemoteMeta,
        part: Path,
        offset: int,
        hasher: Any,
        report: ProgressCallback,
        should_stop: Callable[[], bool],
    ) -> Any:
        resp, start = self._client.open_from(meta.url, offset)
        if resp is None:  # the part is as long as the server's file: verify it
            return hasher
        if start != offset:
            hasher = hashlib.sha256()  # the server ignored Range: start over
        with resp:
            append_stream(resp, part, start, meta.size, hasher, report, should_stop,
                          chunk_size=self.settings.chunk_size,
                          progress_interval_s=self.settings.progress_interval_s)
        return hasher

    def _stopped(
        self,
        remote: RemoteFile,
        target: Path,
        report: ProgressCallback,
        cancel: threading.Event | None,
    ) -> DownloadResult:
        part = part_path(target)
        size = part_size(part)
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
            raise StopTransfer
        time.sleep(min(left, 0.05))
    if should_stop():
        raise StopTransfer
