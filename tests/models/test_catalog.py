"""The shipped catalog loads, is consistent with the planner, and damage is reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.resources import RESOURCES_ENV, ResourceError, resource_path, resources_dir
from app.hardware.planner import APP_MARGIN, COMPUTE_BUFFER
from app.models.catalog import CatalogError, load_catalog, parse_catalog

# The pins read from the hub's file pages (issue 11): repository, file, bytes, SHA-256.
PINNED = {
    ("unsloth/DeepSeek-R1-Distill-Qwen-1.5B-GGUF", "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf"):
        (1117320576, "c2c43b6018cf7700ce0ddee8807deb1a9a26758ef878232f3a142d16df81f0fe"),
    ("unsloth/DeepSeek-R1-Distill-Qwen-1.5B-GGUF", "DeepSeek-R1-Distill-Qwen-1.5B-Q8_0.gguf"):
        (1894531968, "af3a3fc64d7d0b18f15f28feabad5718d620dc5626a5c1eabad33ddc2b5d09a9"),
    ("lmstudio-community/DeepSeek-R1-Distill-Qwen-1.5B-GGUF",
     "DeepSeek-R1-Distill-Qwen-1.5B-Q6_K.gguf"):
        (1464178496, "ed25cafcc271fb9e97929b09babbc200a7f30ea6f1eca610a1e235ef7cb37388"),
    ("bartowski/DeepSeek-R1-Distill-Qwen-1.5B-GGUF", "DeepSeek-R1-Distill-Qwen-1.5B-Q5_K_M.gguf"):
        (1285494368, "4d8f6465e96258cf44303eb02812c391d15f6c77f0d72e47757c98fd14994608"),
    ("bartowski/DeepSeek-R1-Distill-Qwen-1.5B-GGUF", "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_S.gguf"):
        (1071584864, "843e1b28b613872cf9f04e5c6d92493b32cfb6b4b9f4682bea2c57e14dbfec05"),
    ("lmstudio-community/DeepSeek-R1-Distill-Qwen-7B-GGUF",
     "DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf"):
        (4683073216, "16bba29e220550acfe6e8981cfd76b607ae00d8568bef711ff6c0455ddb322b8"),
}


def test_shipped_catalog() -> None:
    cat = load_catalog()
    r1 = cat.default
    assert [f.quant for f in r1.files] == ["Q4_K_S", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0"]
    q4 = r1.file("q4_k_m")
    assert q4.filename == "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf"
    assert q4.repo_id == "unsloth/DeepSeek-R1-Distill-Qwen-1.5B-GGUF"
    assert r1.repo_id == q4.repo_id  # callers that still use the model's repo get Q4_K_M right
    remote = r1.file("Q5_K_M").remote_file()  # each file from its own repository
    assert remote.repo_id.startswith("bartowski/") and remote.size == 1285494368
    assert remote.is_pinned
    assert r1.kv_bytes_per_token == 28 * 1024
    assert r1.chat_template == "r1" and r1.license == "MIT"
    assert (r1.temperature, r1.top_p) == (0.6, 0.95)
    big = cat.get("deepseek-r1-distill-qwen-7b")
    assert [f.quant for f in big.files] == ["Q4_K_M"]  # Q8_0 has no exact size: not offered
    assert cat.find_file("DeepSeek-R1-Distill-Qwen-7B-Q8_0.gguf") is None
    # The F16 entry named a file that does not exist (upper-case F16): gone.
    assert cat.find_file("DeepSeek-R1-Distill-Qwen-1.5B-F16.gguf") is None


def test_every_offered_file_is_pinned_exactly_as_read_from_the_hub() -> None:
    offered = {}
    for model in load_catalog().models:
        for f in model.files:
            assert f.is_pinned, (model.id, f.quant)
            assert f.size_exact and f.sha256 and len(f.sha256) == 64, (model.id, f.quant)
            assert f.repo_id.count("/") == 1, (model.id, f.quant)
            assert f.commits, f"no repository commit named for {f.repo_id}"
            offered[(f.repo_id, f.filename)] = (f.size_bytes, f.sha256)
    assert offered == PINNED


def test_a_file_without_a_pin_is_not_offered() -> None:
    raw = json.loads(resource_path("models.json").read_text())
    raw["models"][0]["files"][0]["sha256"] = None
    raw["models"][0]["files"][1]["size_exact"] = False
    cat = parse_catalog(raw)
    assert len(cat.default.files) == 3
    assert {f.quant for f in cat.default.withheld} == {"Q4_K_S", "Q4_K_M"}
    with pytest.raises(CatalogError, match="Choose one of: Q5_K_M"):
        cat.default.file("Q4_K_M")
    found = cat.find_file("DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf")
    assert found is not None and not found[1].is_pinned  # the name is still recognised


def test_hashes_recognise_files_and_other_uploaders_builds() -> None:
    cat = load_catalog()
    match = cat.find_sha256("C2C43B6018CF7700CE0DDEE8807DEB1A9A26758EF878232F3A142D16DF81F0FE")
    assert match is not None and match.file is not None and match.quant == "Q4_K_M"
    other = cat.find_sha256("166baa90e6a963de31a7713ff034f82317ff1fa41602f7c3ce583d3f6b551829")
    assert other is not None and other.file is None and other.build is not None
    assert other.quant == "Q8_0" and other.build.repo_id.startswith("bartowski/")
    assert cat.find_sha256("0" * 64) is None
    q8 = cat.known_sha256s("DeepSeek-R1-Distill-Qwen-1.5B-Q8_0.gguf")
    assert q8 == {"af3a3fc64d7d0b18f15f28feabad5718d620dc5626a5c1eabad33ddc2b5d09a9",
                  "166baa90e6a963de31a7713ff034f82317ff1fa41602f7c3ce583d3f6b551829"}


def test_memory_needed_matches_the_planner_formula() -> None:
    for model in load_catalog().models:
        for f in model.files:
            expected = (f.size_bytes + model.kv_bytes_per_token * model.default_context
                        + APP_MARGIN + COMPUTE_BUFFER)
            assert f.memory_bytes == expected, (model.id, f.quant)


def test_unknown_names_give_sentences() -> None:
    cat = load_catalog()
    with pytest.raises(CatalogError, match="Choose one of: Q4_K_S, Q4_K_M"):
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
