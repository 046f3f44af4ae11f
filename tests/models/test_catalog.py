"""The shipped catalog loads, is consistent with the planner, and damage is reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.resources import RESOURCES_ENV, ResourceError, resource_path, resources_dir
from app.hardware.planner import APP_MARGIN, COMPUTE_BUFFER
from app.models.catalog import CatalogError, load_catalog, parse_catalog


def test_shipped_catalog() -> None:
    cat = load_catalog()
    r1 = cat.default
    assert r1.repo_id == "bartowski/DeepSeek-R1-Distill-Qwen-1.5B-GGUF"
    assert [f.quant for f in r1.files] == ["Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16"]
    assert r1.file("q4_k_m").filename == "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf"
    assert abs(r1.file("Q4_K_M").size_bytes - 1.12e9) < 0.01e9
    assert r1.kv_bytes_per_token == 28 * 1024
    assert r1.chat_template == "r1" and r1.license == "MIT"
    assert (r1.temperature, r1.top_p) == (0.6, 0.95)
    big = cat.get("deepseek-r1-distill-qwen-7b")
    assert {f.quant for f in big.files} == {"Q4_K_M", "Q8_0"}
    found = cat.find_file("DeepSeek-R1-Distill-Qwen-7B-Q8_0.gguf")
    assert found is not None and found[0].id == big.id


def test_memory_needed_matches_the_planner_formula() -> None:
    for model in load_catalog().models:
        for f in model.files:
            expected = (f.size_bytes + model.kv_bytes_per_token * model.default_context
                        + APP_MARGIN + COMPUTE_BUFFER)
            assert f.memory_bytes == expected, (model.id, f.quant)


def test_unknown_names_give_sentences() -> None:
    cat = load_catalog()
    with pytest.raises(CatalogError, match="Choose one of: Q4_K_M"):
        cat.default.file("Q2_K")
    with pytest.raises(CatalogError, match="Known: deepseek"):
        cat.get("llama-99b")


def test_resources_locator(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert resource_path("models.json").is_file()
    monkeypatch.setenv(RESOURCES_ENV, str(tmp_path))
    assert resources_dir() == tmp_path
    with pytest.raises(ResourceError, match="Reinstall"):
        resource_path("models.json")
    with pytest.raises(CatalogError, match="Reinstall"):
        load_catalog()


def test_frozen_bundle_uses_meipass(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import sys

    monkeypatch.delenv(RESOURCES_ENV, raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() == tmp_path / "resources"


@pytest.mark.parametrize("data", [
    None, [], {"models": []}, {"models": [{"id": "x"}]},
    {"models": [{"id": "x", "name": "X", "files": [{"quant": "Q4", "file": "x.gguf"}]}]},
])
def test_damaged_catalog_is_a_catalog_error(data: object) -> None:
    with pytest.raises(CatalogError, match="catalog"):
        parse_catalog(data)


def test_not_json(tmp_path: Path) -> None:
    bad = tmp_path / "models.json"
    bad.write_text("{not json")
    with pytest.raises(CatalogError, match="could not be read"):
        load_catalog(bad)


def test_bad_sha_is_refused(tmp_path: Path) -> None:
    raw = json.loads(resource_path("models.json").read_text())
    raw["models"][0]["files"][0]["sha256"] = "abc"
    with pytest.raises(CatalogError, match="sha256"):
        parse_catalog(raw)
