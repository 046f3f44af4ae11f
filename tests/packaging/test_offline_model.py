"""The offline installer's model must be a GGUF with the expected SHA-256."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def test_a_matching_gguf_passes(build_scripts: dict[str, ModuleType], smollm2_path: Path) -> None:
    offline = build_scripts["offline_model"]
    expected = hashlib.sha256(smollm2_path.read_bytes()).hexdigest()
    assert offline.verify_offline_model(smollm2_path, expected.upper()) == expected


def test_a_different_file_is_named_with_both_hashes(build_scripts: dict[str, ModuleType],
                                                   tmp_path: Path) -> None:
    offline = build_scripts["offline_model"]
    model = tmp_path / "model.gguf"
    actual = _write(model, b"GGUF" + b"\x03\x00\x00\x00" + b"\x00" * 64)
    wanted = "0" * 64
    with pytest.raises(offline.OfflineModelError) as info:
        offline.verify_offline_model(model, wanted)
    assert actual in str(info.value) and wanted in str(info.value)
    assert "Download it again" in str(info.value)


@pytest.mark.parametrize("content", [
    b"<!DOCTYPE html><html><body>Too many requests</body></html>",
    b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1120000000\n",
    b"",
])
def test_not_a_gguf_is_refused_before_hashing(build_scripts: dict[str, ModuleType],
                                              tmp_path: Path, content: bytes) -> None:
    offline = build_scripts["offline_model"]
    model = tmp_path / "model.gguf"
    digest = _write(model, content)
    with pytest.raises(offline.OfflineModelError, match="is not a GGUF file"):
        offline.verify_offline_model(model, digest)


def test_bad_hash_text_and_missing_file(build_scripts: dict[str, ModuleType],
                                        tmp_path: Path) -> None:
    offline = build_scripts["offline_model"]
    with pytest.raises(offline.OfflineModelError, match="64 hexadecimal digits"):
        offline.verify_offline_model(tmp_path / "x.gguf", "abc")
    with pytest.raises(offline.OfflineModelError, match="does not exist"):
        offline.verify_offline_model(tmp_path / "x.gguf", "a" * 64)


def test_build_stops_on_a_wrong_model_before_any_work(tmp_path: Path) -> None:
    model = tmp_path / "model.gguf"
    _write(model, b"GGUF" + b"\x00" * 60)
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build.py"), "--offline-model", str(model),
         "--expect-sha256", "1" * 64, "--venv", str(tmp_path / "venv")],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "build failed:" in result.stderr and "was expected" in result.stderr
    assert not (tmp_path / "venv").exists(), "no environment is made for a refused model"


def test_build_wants_the_hash_with_the_model(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build.py"), "--offline-model", "m.gguf"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "--offline-model and --expect-sha256 go together" in result.stderr
