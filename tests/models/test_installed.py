"""The models folder: listing, default model, partial downloads, delete."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.core.errors import PonderError
from app.models.installed import (
    delete_model,
    get_default_model,
    list_installed,
    list_partial_downloads,
    set_default_model,
)


@pytest.fixture()
def models(tmp_path: Path, tiny_r1_gguf: Path) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(tiny_r1_gguf, folder / "b-tiny-Q8_0.gguf")
    (folder / "a-broken.gguf").write_bytes(b"<!DOCTYPE html><html>404</html>" + b" " * 64)
    (folder / "c.gguf.part").write_bytes(b"x" * 100)
    (folder / "c.gguf.part.json").write_text(json.dumps({"size": 1000}))
    (folder / "notes.txt").write_text("not a model")
    return folder


def test_listing(models: Path) -> None:
    listed = list_installed(models)
    assert [m.file_name for m in listed] == ["a-broken.gguf", "b-tiny-Q8_0.gguf"]
    broken, good = listed
    assert not broken.is_usable and "web page" in (broken.problem or "")
    assert good.is_usable and good.architecture == "qwen2" and good.context_length == 4096
    assert good.size_bytes == (models / "b-tiny-Q8_0.gguf").stat().st_size
    partial = list_partial_downloads(models)
    assert [(p.target_name, p.done_bytes, p.total_bytes) for p in partial] == [
        ("c.gguf", 100, 1000)
    ]


def test_missing_folder_lists_nothing(tmp_path: Path) -> None:
    assert list_installed(tmp_path / "nope") == []
    assert list_partial_downloads(tmp_path / "nope") == []


def test_broken_symlink_is_listed_with_a_problem(models: Path, tmp_path: Path) -> None:
    (models / "gone.gguf").symlink_to(tmp_path / "moved-away.gguf")
    gone = next(m for m in list_installed(models) if m.file_name == "gone.gguf")
    assert gone.is_link and not gone.is_usable


def test_default_and_delete(models: Path, tmp_path: Path) -> None:
    good = models / "b-tiny-Q8_0.gguf"
    assert get_default_model(models) is None
    set_default_model(models, good)
    assert get_default_model(models) == good
    assert [m.is_default for m in list_installed(models)] == [False, True]
    with pytest.raises(PonderError, match="not in the models folder"):
        set_default_model(models, tmp_path / "elsewhere.gguf")
    delete_model(models, good)
    assert not good.exists()
    assert get_default_model(models) is None
    with pytest.raises(PonderError, match="only its own files"):
        delete_model(models, tmp_path / "x.gguf")


def test_corrupt_default_setting_is_ignored(models: Path) -> None:
    (models / "default-model.json").write_text("{oops")
    assert get_default_model(models) is None
    (models / "default-model.json").write_text(json.dumps({"file": "../../etc/passwd"}))
    assert get_default_model(models) is None


def test_an_offline_builds_bundled_model_is_listed_read_only(
    models: Path, tmp_path: Path, tiny_r1_gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resources = tmp_path / "resources"
    (resources / "models").mkdir(parents=True)
    shutil.copy(tiny_r1_gguf, resources / "models" / "bundled-Q4_K_M.gguf")
    shutil.copy(tiny_r1_gguf, resources / "models" / "b-tiny-Q8_0.gguf")  # also installed
    monkeypatch.setenv("PONDER_RESOURCES", str(resources))
    listed = list_installed(models)
    names = [(m.file_name, m.is_bundled) for m in listed]
    assert names == [("a-broken.gguf", False), ("b-tiny-Q8_0.gguf", False),
                     ("bundled-Q4_K_M.gguf", True)]
    bundled = listed[-1]
    assert bundled.is_usable
    with pytest.raises(PonderError):
        delete_model(models, bundled.path)
    assert bundled.path.exists()
    # with no user folder at all, the bundled model is still found
    assert [m.file_name for m in list_installed(tmp_path / "none")] == ["b-tiny-Q8_0.gguf",
                                                                       "bundled-Q4_K_M.gguf"]
