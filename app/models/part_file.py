"""The partial file of a download: its sidecar, resuming it, and writing to it.

The bytes go to ``<target>.part`` with a JSON sidecar ``<target>.part.json``
(url, commit, etag, size, sha256). A later run keeps the part only when the
sidecar describes the same file. A write that fails because the disk is full
(or the quota is used up) stops the download with ``DiskFullError``; the part
keeps every byte written so far, so the download resumes once space is free.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import http.client
import json
import os
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from app.core.errors import DownloadError
from app.models.download_types import DownloadProgress, Phase, ProgressCallback, format_bytes
from app.models.hub_http import RemoteMeta

_NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class DiskFullError(DownloadError):
    """The disk filled up while a download was writing; the partial file is kept."""


class ReadOnlyFolderError(DownloadError):
    """The models folder cannot be written to."""


class StopTransfer(Exception):
    """Pause or cancel was requested while transferring or hashing."""


def disk_full(part: Path, done: int, total: int) -> DiskFullError:
    """The message for a disk that filled up after `done` of `total` bytes."""
    return DiskFullError(
        f"The disk filled up while downloading {part.name.removesuffix('.part')} "
        f"({format_bytes(done)} of {format_bytes(total)} saved in {part.parent}). "
        f"Free at least {format_bytes(total - done)} on that drive and start the download "
        "again: it resumes where it stopped."
    )


def is_disk_full(exc: OSError) -> bool:
    """Whether an OSError means the drive (or the user's quota) has no space left."""
    return exc.errno in _NO_SPACE or getattr(exc, "winerror", None) in (39, 112)


def write_failed(part: Path, done: int, total: int, exc: OSError) -> DownloadError:
    """A clear error for a failed write to the part file (full disk, read-only, ...)."""
    if is_disk_full(exc):
        return disk_full(part, done, total)
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return ReadOnlyFolderError(
            f"Ponder cannot write to the models folder {part.parent} ({exc.strerror}). "
            "Choose a writable folder or fix its permissions; nothing was lost."
        )
    return DownloadError(
        f"Writing the download to {part.parent} failed ({exc.strerror or exc}). "
        "Check the drive and try again; the partial download is kept."
    )


def prepare_part(part: Path, side: Path, meta: RemoteMeta, sha: str | None) -> int:
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
    try:
        if not same or size > meta.size:
            part.unlink(missing_ok=True)
            size = 0
        side.write_text(json.dumps({
            "version": 1, "url": meta.url, "commit": meta.commit, "etag": meta.etag,
            "size": meta.size, "sha256": sha,
        }), encoding="utf-8")
    except OSError as exc:
        raise write_failed(part, size, meta.size, exc) from exc
    return size


def hash_part(path: Path, stop: Callable[[], bool], chunk: int = 1 << 20) -> tuple[Any, int]:
    """SHA-256 state and size of a part file from an earlier run."""
    hasher = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            if stop():
                raise StopTransfer
            hasher.update(block)
            size += len(block)
    return hasher, size


def part_size(part: Path) -> int:
    """Bytes in the part file (0 when there is none)."""
    try:
        return part.stat().st_size
    except OSError:
        return 0


class Meter:
    """Bytes/s over the last few seconds."""

    def __init__(self, window_s: float = 3.0) -> None:
        self._samples: deque[tuple[float, int]] = deque()
        self._window = window_s

    def add(self, now: float, done: int) -> float:
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > self._window:
            self._samples.popleft()
        t0, b0 = self._samples[0]
        return (done - b0) / (now - t0) if now > t0 else 0.0


class _WriteFailed(Exception):
    def __init__(self, exc: OSError) -> None:
        super().__init__(str(exc))
        self.exc = exc


def _write_all(fh: IO[bytes], block: bytes) -> None:
    view = memoryview(block)
    try:
        while view:
            n = fh.write(view)
            view = view[n or 0:]
    except OSError as exc:
        raise _WriteFailed(exc) from exc


def append_stream(
    resp: IO[bytes],
    part: Path,
    offset: int,
    total: int,
    hasher: Any,
    report: ProgressCallback,
    should_stop: Callable[[], bool],
    *,
    chunk_size: int,
    progress_interval_s: float,
) -> None:
    """Write `resp` into `part` from `offset` up to `total`, hashing on the way.

    Writes are unbuffered, so after a failed write the part holds exactly the
    bytes that reached the disk (a resume re-hashes them).

    Raises:
        StopTransfer: pause or cancel was asked for.
        DiskFullError: no space left (the part keeps what was written).
        DownloadError: another write failure (read-only folder, I/O error).
        http.client.IncompleteRead: the server closed the connection early.
    """
    try:
        fh = open(part, "r+b" if offset else "wb", buffering=0)  # noqa: SIM115
    except OSError as exc:
        raise write_failed(part, offset, total, exc) from exc
    done = offset
    try:
        with fh:
            try:
                fh.seek(offset)
                fh.truncate()
            except OSError as exc:
                raise _WriteFailed(exc) from exc
            meter = Meter()
            last_report = 0.0
            meter.add(time.monotonic(), done)
            while done < total:
                if should_stop():
                    raise StopTransfer
                block = resp.read(min(chunk_size, total - done))
                if not block:
                    raise http.client.IncompleteRead(b"", total - done)
                _write_all(fh, block)
                hasher.update(block)
                done += len(block)
                now = time.monotonic()
                speed = meter.add(now, done)
                if now - last_report >= progress_interval_s or done == total:
                    last_report = now
                    eta = (total - done) / speed if speed > 0 else None
                    report(DownloadProgress(Phase.DOWNLOADING, done, total, speed, eta))
            with contextlib.suppress(OSError):
                os.fsync(fh.fileno())
    except _WriteFailed as failed:
        raise write_failed(part, part_size(part), total, failed.exc) from failed.exc
