"""The downloader trusts the pinned hash and size, never the server's own, and
survives a disk that fills up midway. Real HTTP on 127.0.0.1 (tests/support/fake_hub.py)."""

from __future__ import annotations

import errno
import hashlib
import os
import random
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import VerificationError
from app.models.download import (
    DiskFullError,
    Downloader,
    DownloadSettings,
    DownloadStatus,
    RemoteFile,
    Verification,
    WrongFileError,
    part_path,
    sidecar_path,
)
from app.models.mirrors import Mirror
from tests.support.fake_hub import FakeHub

REPO = "unsloth/DeepSeek-R1-Distill-Qwen-1.5B-GGUF"
NAME = "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf"
SIZE = 3 * 1024 * 1024 + 777
FAST = DownloadSettings(timeout_s=0.5, retries_per_mirror=3, backoff_s=0.01, backoff_max_s=0.02,
                        chunk_size=64 * 1024, disk_margin=0, progress_interval_s=0.0)


@pytest.fixture(autouse=True)
def _no_proxy_no_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                "all_proxy", "HF_HUB_OFFLINE", "HF_ENDPOINT"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="module")
def real_bytes() -> bytes:
    return random.Random(7).randbytes(SIZE)


def _pinned(data: bytes) -> RemoteFile:
    return RemoteFile(REPO, NAME, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def _downloader(*hubs: FakeHub, **kw: object) -> Downloader:
    return Downloader([Mirror(f"hub{i}", h.endpoint) for i, h in enumerate(hubs)], FAST,
                      **kw)  # type: ignore[arg-type]


def test_a_wrong_file_of_another_size_is_refused_before_any_byte(real_bytes: bytes,
                                                                 tmp_path: Path) -> None:
    # The case: a small file served under the Q4_K_M name, with its own
    # (correct for itself) hash headers.
    impostor = random.Random(1).randbytes(98 * 1024)
    target = tmp_path / "models" / NAME
    with FakeHub({(REPO, NAME): impostor}) as hub:
        with pytest.raises(WrongFileError, match="Ponder's catalog pins") as info:
            _downloader(hub).download(_pinned(real_bytes), target)
        assert not any(r.path.startswith("/cdn/") for r in hub.requests)
    assert "another download source" in str(info.value)
    assert not target.exists() and not part_path(target).exists()


def test_a_wrong_file_of_the_same_size_fails_verification(real_bytes: bytes,
                                                          tmp_path: Path) -> None:
    impostor = random.Random(2).randbytes(SIZE)  # same size, other bytes, own ETag
    target = tmp_path / NAME
    with FakeHub({(REPO, NAME): impostor}) as hub:
        assert hub.sha256(REPO, NAME) != hashlib.sha256(real_bytes).hexdigest()
        with pytest.raises(VerificationError, match="Ponder's catalog"):
            _downloader(hub).download(_pinned(real_bytes), target)
    assert not target.exists()
    assert not part_path(target).exists() and not sidecar_path(target).exists()


def test_the_next_source_with_the_right_file_is_used(real_bytes: bytes, tmp_path: Path) -> None:
    impostor = random.Random(3).randbytes(1000)
    with FakeHub({(REPO, NAME): impostor}) as bad, FakeHub({(REPO, NAME): real_bytes}) as good:
        result = _downloader(bad, good).download(_pinned(real_bytes), tmp_path / NAME)
    assert result.status is DownloadStatus.COMPLETED and result.mirror == "hub1"
    assert result.verification is Verification.CATALOG
    assert result.endpoint == good.endpoint
    assert (tmp_path / NAME).read_bytes() == real_bytes


def test_without_a_pin_the_servers_hash_is_used_and_said_so(real_bytes: bytes,
                                                            tmp_path: Path) -> None:
    with FakeHub({(REPO, NAME): real_bytes}) as hub:
        result = _downloader(hub).download(RemoteFile(REPO, NAME), tmp_path / NAME)
    assert result.verification is Verification.HUB


# -- the disk fills up in the middle -------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on a 1 MiB tmpfs where mounting is allowed (root), else a folder
    whose file writes fail with ENOSPC after 1 MiB (injected in the write path)."""
    mount = tmp_path / "small disk"
    mount.mkdir()
    mounted = os.geteuid() == 0 if hasattr(os, "geteuid") else False
    if mounted:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                              capture_output=True, check=False)
        mounted = done.returncode == 0
    if not mounted:
        import app.models.part_file as pf

        real = pf._write_all
        written = {"n": 0}

        def filling(fh: object, block: bytes) -> None:
            room = 1024 * 1024 - written["n"]
            if len(block) > room:
                real(fh, block[:room])  # type: ignore[arg-type]
                written["n"] += room
                raise pf._WriteFailed(OSError(errno.ENOSPC, "No space left on device"))
            real(fh, block)  # type: ignore[arg-type]
            written["n"] += len(block)

        monkeypatch.setattr(pf, "_write_all", filling)
    try:
        yield mount
    finally:
        if mounted:
            subprocess.run(["umount", str(mount)], check=False)


def test_disk_full_midway_keeps_the_partial_and_resumes(real_bytes: bytes, small_disk: Path,
                                                        tmp_path: Path) -> None:
    target = small_disk / NAME
    with FakeHub({(REPO, NAME): real_bytes}) as hub:
        # The free-space check at the start passes (something else fills the disk later).
        downloader = _downloader(hub, disk_free=lambda _p: None)
        with pytest.raises(DiskFullError, match="disk filled up") as info:
            downloader.download(_pinned(real_bytes), target)
        message = str(info.value)
        assert "resumes where it stopped" in message and "Traceback" not in message
        assert not target.exists()
        kept = part_path(target).stat().st_size
        assert 0 < kept < SIZE and sidecar_path(target).exists()
        # Only one GET: a full disk is not retried like a network error.
        assert sum(1 for r in hub.requests if r.path.startswith("/cdn/")) == 1

        # Space is freed: move the partial to a roomy drive and resume from it.
        roomy = tmp_path / "roomy"
        roomy.mkdir()
        for src in (part_path(target), sidecar_path(target)):
            (roomy / src.name).write_bytes(src.read_bytes())
            src.unlink()
        before = len(hub.requests)
        result = _downloader(hub).download(_pinned(real_bytes), roomy / NAME)
        assert result.status is DownloadStatus.COMPLETED
        assert (roomy / NAME).read_bytes() == real_bytes
        ranged = [r.range_start for r in hub.requests[before:] if r.path.startswith("/cdn/")]
        assert ranged == [kept]
