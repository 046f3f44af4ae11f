"""The values a download passes around: what to fetch, knobs, progress and result.

Kept apart from the transfer loop (``download.py``) so that front ends can
import the values without the HTTP machinery.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


class DownloadStatus(str, enum.Enum):
    """How a download call ended."""

    COMPLETED = "completed"
    """The verified file is at the target path."""
    PAUSED = "paused"
    """Stopped on request; the partial file is kept for resuming."""
    CANCELLED = "cancelled"
    """Stopped on request; the partial file was deleted."""


class Verification(str, enum.Enum):
    """What a finished download's bytes were checked against."""

    CATALOG = "catalog"
    """The size and SHA-256 pinned in Ponder's catalog."""
    HUB = "hub"
    """The SHA-256 the server reported: not verified against Ponder's catalog."""
    NONE = "none"
    """Nothing (only when the settings allow a file without a known hash)."""


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
        sha256: the pinned digest (the catalog's). When set, the server's own
            hash headers are ignored: a server that serves other bytes cannot
            also supply the hash they are checked against.
        size: the pinned size; a server announcing another size is refused.
    """

    repo_id: str
    filename: str
    revision: str = "main"
    sha256: str | None = None
    size: int | None = None

    @property
    def is_pinned(self) -> bool:
        """Whether the expected SHA-256 comes from the caller, not the server."""
        return self.sha256 is not None


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
        verification: what the bytes were checked against (COMPLETED only).
        endpoint: the base URL of that mirror, to remember the source that worked.
    """

    status: DownloadStatus
    path: Path | None
    size: int
    sha256: str | None
    mirror: str | None
    verification: Verification = Verification.NONE
    endpoint: str | None = None


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
