"""Which model files are trusted: catalog pins, other builds, hub-verified legacy
downloads, flagged look-alikes; and the cancellable, cached SHA-256."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from app.core.errors import VerificationError
from app.core.resources import resource_path
from app.models.catalog import Catalog, parse_catalog
from app.models.download import Downloader, DownloadSettings, RemoteFile
from app.models.hashing import HashCache, HashCancelled, sha256_file
from app.models.importer import import_gguf
from app.models.installed import list_installed
from app.models.mirrors import Mirror
from app.models.trust import Ledger, Trust
from tests.support.fake_hub import FakeHub

Q4 = "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf"
Q8 = "DeepSeek-R1-Distill-Qwen-1.5B-Q8_0.gguf"


def _catalog(q4: bytes | None = None, other_q8: bytes | None = None) -> Catalog:
    """The shipped catalog, with the Q4_K_M pin (and a Q8_0 other build) set to test bytes."""
    raw = json.loads(resource_path("models.json").read_text(encoding="utf-8"))
    model = raw["models"][0]
    for f in model["files"]:
        if f["quant"] == "Q4_K_M" and q4 is not None:
            f["size_bytes"], f["sha256"] = len(q4), hashlib.sha256(q4).hexdigest()
    if other_q8 is not None:
        model["other_builds"][0]["sha256"] = hashlib.sha256(other_q8).hexdigest()
    return parse_catalog(raw)


def test_an_imported_file_is_recognised_by_its_bytes_whatever_its_name(
        tiny_r1_gguf: Path, tmp_path: Path) -> None:
    data = tiny_r1_gguf.read_bytes()
    catalog = _catalog(q4=data)
    source = tmp_path / "my renamed model.gguf"
    shutil.copyfile(tiny_r1_gguf, source)
    cache = HashCache.in_folder(tmp_path / "data")
    model = import_gguf(source, tmp_path / "models", catalog=catalog, hash_cache=cache)
    assert model.catalog_id == catalog.default.id
    assert model.trust is Trust.CATALOG and "Ponder's catalog" in model.trust_label
    # Later listings know it without hashing again (ledger and cache).
    listed = list_installed(tmp_path / "models", catalog, bundled_dir=tmp_path / "none")
    assert [m.trust for m in listed] == [Trust.CATALOG]
    assert cache.lookup(tmp_path / "models" / source.name) == hashlib.sha256(data).hexdigest()


def test_another_uploaders_build_is_accepted_as_that_quant(tiny_r1_gguf: Path,
                                                           tmp_path: Path) -> None:
    data = tiny_r1_gguf.read_bytes()
    catalog = _catalog(other_q8=data)
    source = tmp_path / Q8
    shutil.copyfile(tiny_r1_gguf, source)
    model = import_gguf(source, tmp_path / "models", catalog=catalog)
    assert model.trust is Trust.OTHER_BUILD and model.catalog_id == catalog.default.id
    assert "bartowski" in model.trust_label and "Q8_0" in model.trust_label


def test_a_catalog_name_with_other_bytes_is_refused_on_import_and_flagged_in_the_folder(
        tiny_r1_gguf: Path, tmp_path: Path) -> None:
    catalog = _catalog()  # the real pins: the tiny file is not the real Q4_K_M
    source = tmp_path / Q4
    shutil.copyfile(tiny_r1_gguf, source)
    models = tmp_path / "models"
    with pytest.raises(VerificationError, match="not the catalog's"):
        import_gguf(source, models, catalog=catalog)
    # Dropped into the folder by hand after the ledger exists: flagged once hashed.
    Ledger.open(models)
    shutil.copyfile(tiny_r1_gguf, models / Q4)
    cache = HashCache.in_folder(tmp_path / "data")
    listed = list_installed(models, catalog, bundled_dir=tmp_path / "none", hash_cache=cache)
    assert listed[0].trust is Trust.UNCHECKED  # listing never hashes
    cache.sha256(models / Q4)  # what a worker thread does
    listed = list_installed(models, catalog, bundled_dir=tmp_path / "none", hash_cache=cache)
    assert listed[0].trust is Trust.MISMATCH and "other bytes" in listed[0].trust_label


def test_a_download_from_before_the_pins_stays_usable_as_hub_verified(
        tiny_r1_gguf: Path, tmp_path: Path) -> None:
    # bartowski's Q4_K_M, downloaded by an older Ponder: no ledger, bytes not the pin.
    models = tmp_path / "models"
    models.mkdir()
    shutil.copyfile(tiny_r1_gguf, models / Q4)
    (models / "own model.gguf").write_bytes(tiny_r1_gguf.read_bytes())
    catalog = _catalog()
    cache = HashCache.in_folder(tmp_path / "data")
    cache.sha256(models / Q4)
    listed = {m.file_name: m for m in list_installed(models, catalog, hash_cache=cache,
                                                     bundled_dir=tmp_path / "none")}
    assert listed[Q4].trust is Trust.HUB and listed[Q4].is_usable
    assert listed[Q4].trust_label == "Verified by the hub at download."
    assert listed["own model.gguf"].trust is Trust.UNCHECKED  # not a catalog name
    # A file changed after that (other size/mtime) is no longer vouched for.
    with (models / Q4).open("ab") as fh:
        fh.write(b"\0")
    cache.sha256(models / Q4)
    again = {m.file_name: m for m in list_installed(models, catalog, hash_cache=cache,
                                                    bundled_dir=tmp_path / "none")}
    assert again[Q4].trust is Trust.MISMATCH


def test_a_pinned_download_is_recorded_as_catalog_verified(tiny_r1_gguf: Path,
                                                           tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    for var in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "HF_HUB_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    data = tiny_r1_gguf.read_bytes()
    catalog = _catalog(q4=data)
    entry = catalog.default.file("Q4_K_M")
    models = tmp_path / "models"
    with FakeHub({(entry.repo_id, entry.filename): data}) as hub:
        Downloader([Mirror("hub", hub.endpoint)], DownloadSettings(disk_margin=0)).download(
            RemoteFile(entry.repo_id, entry.filename, sha256=entry.sha256,
                       size=entry.size_bytes), models / entry.filename)
    listed = list_installed(models, catalog, bundled_dir=tmp_path / "none")
    assert listed[0].trust is Trust.CATALOG  # no hash cache needed: the ledger knows
    assert Ledger(models).entry(models / entry.filename) is not None


def test_hash_cache_by_size_and_mtime(tmp_path: Path) -> None:
    f = tmp_path / "big.bin"
    f.write_bytes(b"a" * 3_000_000)
    cache_file = tmp_path / "data" / "file-hashes.json"
    cache = HashCache(cache_file)
    seen: list[tuple[int, int]] = []
    digest = cache.sha256(f, progress=lambda d, t: seen.append((d, t)))
    assert digest == hashlib.sha256(b"a" * 3_000_000).hexdigest()
    assert seen[-1] == (3_000_000, 3_000_000)
    # A new process reads the cache: no hashing (the file is unreadable now and still answers).
    os.chmod(f, 0)
    try:
        if not os.access(f, os.R_OK):  # root reads anyway; then only the lookup is checked
            assert HashCache(cache_file).sha256(f) == digest
        assert HashCache(cache_file).lookup(f) == digest
    finally:
        os.chmod(f, 0o644)
    f.write_bytes(b"b" * 3_000_000)
    os.utime(f, ns=(1, 1))
    assert HashCache(cache_file).lookup(f) is None
    assert HashCache(cache_file).sha256(f) == hashlib.sha256(b"b" * 3_000_000).hexdigest()


def test_hashing_is_cancellable(tmp_path: Path) -> None:
    f = tmp_path / "big.bin"
    f.write_bytes(b"x" * (9 * 1024 * 1024))
    cancel = threading.Event()

    def stop_after_first(done: int, total: int) -> None:
        cancel.set()

    with pytest.raises(HashCancelled):
        sha256_file(f, stop_after_first, cancel)
    cache = HashCache(tmp_path / "c.json")
    with pytest.raises(HashCancelled):
        cache.sha256(f, stop_after_first, cancel)
    assert cache.lookup(f) is None
