"""`ponder hardware|download|import|models` run headless, in-process, as a user would call them."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.core.resources import RESOURCES_ENV, resource_path
from app.models.catalog import load_catalog
from tests.support.fake_hub import FakeHub


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PONDER_HOME", str(tmp_path / "home"))
    for var in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "HF_HUB_OFFLINE",
                "HF_ENDPOINT", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path / "home"


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Refuse every connection that is not to the loopback interface."""
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in (
                "127.0.0.1", "::1", "localhost"):
            attempts.append(address)
            raise OSError(f"network blocked in this test: {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    yield attempts


def test_hardware_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hardware", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["hardware"]["cpu"]["physical_cores"] >= 1
    assert out["model"]["id"] == "deepseek-r1-distill-qwen-1.5b"
    plan = out["plan"]
    assert plan["quant"] in {"Q4_K_S", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0"}
    assert plan["reason"].startswith(f"{round(out['hardware']['ram_total_bytes'] / 1024**3)} GB")
    assert plan["expected_tps"] > 0 and plan["n_ctx"] == 8192


def test_hardware_text_with_overrides(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hardware", "--quant", "Q6_K", "--ctx", "4096"]) == 0
    out = capsys.readouterr().out
    assert "Plan for DeepSeek-R1-Distill-Qwen-1.5B: Q6_K" in out and "context 4,096" in out
    assert main(["hardware", "--quant", "Q3_K_S"]) == 1
    assert "Q4_K_M" in capsys.readouterr().err


def test_models_json_offline_with_network_blocked(
        home: Path, smollm2_path: Path, no_network: list[Any],
        capsys: pytest.CaptureFixture[str]) -> None:
    models = home / "models"
    models.mkdir(parents=True)
    shutil.copy(smollm2_path, models / smollm2_path.name)
    assert main(["models", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    [m] = out["models"]
    assert m["file"] == smollm2_path.name and m["architecture"] == "llama"
    assert m["quant"] == "Q4_1" and m["problem"] is None
    assert no_network == []


def test_import_then_list_then_delete(tiny_r1_gguf: Path, home: Path, no_network: list[Any],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(tiny_r1_gguf)]) == 0
    assert "Imported tiny-r1.gguf: qwen2" in capsys.readouterr().out
    assert main(["models"]) == 0
    assert "* tiny-r1.gguf" in capsys.readouterr().out  # the first import became the default
    assert main(["models", "--delete", "tiny-r1.gguf", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["models"] == []
    assert no_network == []


def test_import_of_a_broken_file_is_one_clear_line(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "model.gguf"
    bad.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1\n")
    assert main(["import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ponder import: ") and "Git LFS pointer" in err
    assert "Traceback" not in err


def test_download_command_against_a_local_hub(home: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    entry = load_catalog().default.file("Q4_K_M")
    payload = random.Random(7).randbytes(256 * 1024)
    # The shipped pins are the real file's; pin these test bytes in a copy of the catalog.
    raw = json.loads(resource_path("models.json").read_text(encoding="utf-8"))
    for f in raw["models"][0]["files"]:
        if f["quant"] == "Q4_K_M":
            f["size_bytes"], f["sha256"] = len(payload), hashlib.sha256(payload).hexdigest()
    resources = home.parent / "resources"
    resources.mkdir()
    (resources / "models.json").write_text(json.dumps(raw), encoding="utf-8")
    monkeypatch.setenv(RESOURCES_ENV, str(resources))
    with FakeHub({(load_catalog().default.repo_id, entry.filename): payload}) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
        assert main(["download", "--quant", "Q4_K_M", "--no-measure"]) == 0
    target = home / "models" / entry.filename
    assert target.read_bytes() == payload
    captured = capsys.readouterr()
    assert "Verified (SHA-256" in captured.out
    assert "100.0%" in captured.err
    assert main(["models", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["models"]
    assert listed[0]["is_default"] and listed[0]["catalog_id"] == "deepseek-r1-distill-qwen-1.5b"
    assert listed[0]["problem"]  # random bytes are not a GGUF: listed, but flagged


def test_download_offline_is_refused(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(["download"]) == 1
    assert "HF_HUB_OFFLINE" in capsys.readouterr().err


def test_download_bad_mirror_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["download", "--mirror", "nowhere"]) == 1
    assert "neither a known name" in capsys.readouterr().err


@pytest.mark.slow
def test_speed_measurement_with_real_llama_cpp(smollm2_path: Path) -> None:
    from app.commands.download import measure_model_speed

    tps = measure_model_speed(smollm2_path, seconds=1.5)
    # ~100 tok/s on an idle 2-core machine; a shared, overloaded one may be far slower,
    # so only the sign and a sane upper bound are checked.
    assert 0 < tps < 5000
