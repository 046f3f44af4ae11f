"""The downloader against a real HTTP server on 127.0.0.1 that acts like the hub."""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import DownloadError, VerificationError
from app.models.download import (
    Downloader,
    DownloadProgress,
    DownloadSettings,
    DownloadStatus,
    Phase,
    RemoteFile,
    part_path,
    sidecar_path,
)
from app.models.mirrors import Mirror
from tests.support.fake_hub import FakeHub, Fault

REPO = "bartowski/DeepSeek-R1-Distill-Qwen-1.5B-GGUF"
NAME = "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf"
SIZE = 3 * 1024 * 1024 + 12345

FAST = DownloadSettings(
    timeout_s=0.4,
    retries_per_mirror=6,
    backoff_s=0.01,
    backoff_max_s=0.05,
    chunk_size=64 * 1024,
    disk_margin=0,
    progress_interval_s=0.0,
)


@pytest.fixture(autouse=True)
def _no_proxy_no_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                "all_proxy", "HF_HUB_OFFLINE", "HF_ENDPOINT"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="module")
def payload() -> bytes:
    return random.Random(42).randbytes(SIZE)


@pytest.fixture()
def hub(payload: bytes) -> Iterator[FakeHub]:
    with FakeHub({(REPO, NAME): payload}) as server:
        yield server


def _downloader(*hubs: FakeHub, settings: DownloadSettings = FAST) -> Downloader:
    return Downloader([Mirror(f"hub{i}", h.endpoint) for i, h in enumerate(hubs)], settings)


def _remote(sha: str | None = None) -> RemoteFile:
    return RemoteFile(REPO, NAME, sha256=sha)


def test_plain_download_verifies_and_reports_progress(hub: FakeHub, tmp_path: Path,
                                                      payload: bytes) -> None:
    target = tmp_path / "models" / NAME
    seen: list[DownloadProgress] = []
    result = _downloader(hub).download(_remote(), target, seen.append)
    assert result.status is DownloadStatus.COMPLETED
    assert target.read_bytes() == payload
    assert result.sha256 == hashlib.sha256(payload).hexdigest()
    assert not part_path(target).exists() and not sidecar_path(target).exists()
    downloading = [p for p in seen if p.phase is Phase.DOWNLOADING]
    assert downloading and downloading[-1].done_bytes == SIZE
    assert all(a.done_bytes <= b.done_bytes for a, b in itertools.pairwise(downloading))
    assert any(p.speed_bps > 0 for p in downloading)
    assert seen[-1].phase is Phase.DONE
    # hub-like exchange: HEAD on resolve, then GET following the redirect to the CDN
    methods = [(r.method, r.path.split("/")[1]) for r in hub.requests]
    assert methods[0] == ("HEAD", "bartowski")
    assert ("GET", "cdn") in methods


def test_restart_resumes_with_range_from_partial_size(hub: FakeHub, tmp_path: Path,
                                                      payload: bytes) -> None:
    target = tmp_path / NAME
    pause = threading.Event()
    stop_at = SIZE // 3

    def pause_midway(p: DownloadProgress) -> None:
        if p.done_bytes >= stop_at:
            pause.set()

    first = _downloader(hub).download(_remote(), target, pause_midway, pause=pause)
    assert first.status is DownloadStatus.PAUSED
    partial = part_path(target).stat().st_size
    assert 0 < partial < SIZE
    assert not target.exists()
    sidecar = json.loads(sidecar_path(target).read_text())
    assert sidecar["size"] == SIZE and sidecar["sha256"] == hub.sha256(REPO, NAME)

    # a new downloader object, as after an app restart
    before = len(hub.requests)
    second = _downloader(hub).download(_remote(), target)
    assert second.status is DownloadStatus.COMPLETED
    assert target.read_bytes() == payload
    ranged = [r.range_start for r in hub.requests[before:] if r.method == "GET"
              and r.range_start is not None]
    assert ranged and ranged[0] == partial


def test_cancel_deletes_the_partial_file(hub: FakeHub, tmp_path: Path) -> None:
    target = tmp_path / NAME
    cancel = threading.Event()

    def cancel_soon(p: DownloadProgress) -> None:
        if p.done_bytes > SIZE // 4:
            cancel.set()

    result = _downloader(hub).download(_remote(), target, cancel_soon, cancel=cancel)
    assert result.status is DownloadStatus.CANCELLED
    assert not target.exists() and not part_path(target).exists()


def test_wrong_catalog_hash_never_reaches_the_final_path(hub: FakeHub, tmp_path: Path) -> None:
    target = tmp_path / NAME
    with pytest.raises(VerificationError, match="damaged"):
        _downloader(hub).download(_remote(sha="0" * 64), target)
    assert not target.exists()
    assert not part_path(target).exists()


def test_corrupted_bytes_are_detected_and_downloaded_again(hub: FakeHub, tmp_path: Path,
                                                           payload: bytes) -> None:
    target = tmp_path / NAME
    hub.add_faults(Fault("corrupt", at=SIZE // 2, length=100))
    messages: list[str] = []
    result = _downloader(hub).download(_remote(), target, lambda p: messages.append(p.message))
    assert result.status is DownloadStatus.COMPLETED
    assert target.read_bytes() == payload
    assert any("did not match" in m for m in messages)


def test_stale_part_of_another_file_is_discarded(hub: FakeHub, tmp_path: Path,
                                                 payload: bytes) -> None:
    target = tmp_path / NAME
    part_path(target).write_bytes(b"x" * 1000)
    sidecar_path(target).write_text(json.dumps({"size": 5, "sha256": "1" * 64}))
    result = _downloader(hub).download(_remote(), target)
    assert result.status is DownloadStatus.COMPLETED
    assert target.read_bytes() == payload
    assert all(r.range_start is None for r in hub.requests)


def test_mirror_fallback_says_so(payload: bytes, tmp_path: Path) -> None:
    with FakeHub({(REPO, NAME): payload}) as broken, FakeHub({(REPO, NAME): payload}) as good:
        broken.add_faults(*[Fault("status", on="any", status=503)] * 50)
        messages: list[str] = []
        result = _downloader(broken, good).download(
            _remote(), tmp_path / NAME, lambda p: messages.append(p.message))
    assert result.status is DownloadStatus.COMPLETED
    assert result.mirror == "hub1"
    assert any("hub0 failed" in m and "trying hub1" in m for m in messages)


def test_missing_file_falls_through_all_mirrors_with_clear_error(hub: FakeHub,
                                                                 tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match=r"from any source.*404"):
        _downloader(hub).download(RemoteFile(REPO, "nope.gguf"), tmp_path / "nope.gguf")


def test_disk_space_is_checked_before_downloading(hub: FakeHub, tmp_path: Path) -> None:
    downloader = Downloader([Mirror("hub", hub.endpoint)], FAST, disk_free=lambda _p: 1000)
    with pytest.raises(DownloadError, match=r"needs 3\.\d+ MB, but only 1\.00 KB is free"):
        downloader.download(_remote(), tmp_path / NAME)
    assert not any(r.method == "GET" for r in hub.requests)


def test_offline_mode_refuses_without_connecting(hub: FakeHub, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(DownloadError, match="HF_HUB_OFFLINE"):
        _downloader(hub).download(_remote(), tmp_path / NAME)
    assert hub.requests == []


def test_unknown_hash_is_refused(hub: FakeHub, tmp_path: Path) -> None:
    hub.state.send_etag = False
    with pytest.raises(DownloadError, match="SHA-256"):
        _downloader(hub).download(_remote(), tmp_path / NAME)
    assert not (tmp_path / NAME).exists()


def _random_faults(rng: random.Random) -> list[Fault]:
    faults: list[Fault] = []
    for _ in range(rng.randint(0, 4)):
        kind = rng.choice(["drop", "drop", "stall", "corrupt", "status", "head5xx"])
        at = rng.randrange(0, SIZE // 2)
        if kind == "status":
            faults.append(Fault("status", on="get", status=rng.choice([500, 502, 503, 504])))
        elif kind == "head5xx":
            faults.append(Fault("status", on="head", status=503))
        elif kind == "stall":
            faults.append(Fault("stall", at=at, seconds=0.8))
        elif kind == "corrupt":
            faults.append(Fault("corrupt", at=at, length=rng.randint(1, 64)))
        else:
            faults.append(Fault("drop", at=at))
    return faults


@pytest.mark.slow
def test_fifty_faulty_downloads_end_verified_or_with_clear_error(
        payload: bytes, tmp_path: Path) -> None:
    rng = random.Random(1234)
    sha = hashlib.sha256(payload).hexdigest()
    outcomes = {"verified": 0, "error": 0}
    with FakeHub({(REPO, NAME): payload}) as hub:
        for trial in range(50):
            hub.clear_faults()
            hub.add_faults(*_random_faults(rng))
            target = tmp_path / f"t{trial}" / NAME
            try:
                result = _downloader(hub).download(_remote(), target)
            except DownloadError as exc:
                outcomes["error"] += 1
                assert str(exc).endswith(".")  # a full sentence with a next step
                assert not target.exists()
                continue
            assert result.status is DownloadStatus.COMPLETED
            assert hashlib.sha256(target.read_bytes()).hexdigest() == sha
            assert not part_path(target).exists()
            outcomes["verified"] += 1
    assert outcomes["verified"] + outcomes["error"] == 50
    assert outcomes["verified"] >= 40  # faults are survivable; errors should be rare


def test_unwritable_models_folder_is_a_download_error(hub: FakeHub, tmp_path: Path) -> None:
    blocker = tmp_path / "models"
    blocker.write_text("a file where the models folder should be")
    with pytest.raises(DownloadError, match="models folder"):
        _downloader(hub).download(_remote(), blocker / NAME)
