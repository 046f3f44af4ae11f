"""Import of local GGUF files: valid ones land in the models folder, broken ones never do."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from app.core.errors import ModelFileError, VerificationError
from app.models.catalog import Catalog, CatalogFile, CatalogModel, load_catalog
from app.models.importer import ImportCancelled, ImportMode, import_gguf
from app.models.installed import list_installed
from app.models.local_file import quant_from_name, read_model_info
from tests.support.gguf_bytes import malformed_corpus

CORPUS = malformed_corpus()


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 20


@pytest.mark.parametrize(("case", "data", "pattern"), CORPUS, ids=[c[0] for c in CORPUS])
def test_malformed_file_is_refused_with_its_reason(
        case: str, data: bytes, pattern: str, tmp_path: Path) -> None:
    source = tmp_path / f"{case}.gguf"
    source.write_bytes(data)
    models = tmp_path / "models"
    with pytest.raises(ModelFileError, match=pattern) as info:
        import_gguf(source, models)
    assert str(info.value).endswith((".", ")"))
    assert not models.exists() or list(models.iterdir()) == []


def test_valid_tiny_model_is_copied(tiny_r1_gguf: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    seen: list[tuple[int, int]] = []
    model = import_gguf(tiny_r1_gguf, models, progress=lambda d, t: seen.append((d, t)))
    assert model.path == models / tiny_r1_gguf.name
    assert model.path.read_bytes() == tiny_r1_gguf.read_bytes()
    assert model.architecture == "qwen2" and model.has_chat_template
    assert model.context_length == 4096
    assert seen and seen[-1][0] == seen[-1][1] == tiny_r1_gguf.stat().st_size
    assert not list(models.glob("*.importing"))
    # importing the same file again is harmless; another file of that name is refused
    assert import_gguf(model.path, models).path == model.path
    other = tmp_path / "elsewhere" / tiny_r1_gguf.name
    other.parent.mkdir()
    other.write_bytes(tiny_r1_gguf.read_bytes())
    with pytest.raises(ModelFileError, match="already installed"):
        import_gguf(other, models)


@pytest.mark.parametrize("mode", [ImportMode.SYMLINK, ImportMode.HARDLINK])
def test_link_modes(mode: ImportMode, tiny_r1_gguf: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    model = import_gguf(tiny_r1_gguf, models, mode=mode)
    assert model.path.samefile(tiny_r1_gguf)
    assert model.is_link == (mode is ImportMode.SYMLINK)
    assert [m.file_name for m in list_installed(models)] == [tiny_r1_gguf.name]


def _catalog_for(name: str, sha: str, size: int) -> Catalog:
    real = load_catalog().default
    f = CatalogFile("Q4_K_M", name, size, True, sha, size)
    model = CatalogModel(**{**real.__dict__, "files": (f,)})
    return Catalog((model,), model.id)


def test_catalog_hash_is_checked_on_import(tiny_r1_gguf: Path, tmp_path: Path) -> None:
    data = tiny_r1_gguf.read_bytes()
    name = "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf"
    source = tmp_path / name
    source.write_bytes(data)
    models = tmp_path / "models"
    wrong = _catalog_for(name, "0" * 64, len(data))
    with pytest.raises(VerificationError, match="SHA-256"):
        import_gguf(source, models, catalog=wrong)
    assert not (models / name).exists() and not list(models.glob("*.importing"))
    right = _catalog_for(name, hashlib.sha256(data).hexdigest(), len(data))
    model = import_gguf(source, models, catalog=right)
    assert model.catalog_id == right.default.id


def test_cancel_leaves_nothing(tiny_r1_gguf: Path, tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    models = tmp_path / "models"
    with pytest.raises(ImportCancelled):
        import_gguf(tiny_r1_gguf, models, cancel=cancel)
    assert list(models.iterdir()) == []


@pytest.mark.parametrize("mode", [ImportMode.SYMLINK, ImportMode.HARDLINK])
def test_cancel_while_checking_a_link_leaves_nothing(
        mode: ImportMode, tiny_r1_gguf: Path, tmp_path: Path) -> None:
    data = tiny_r1_gguf.read_bytes()
    name = "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf"
    source = tmp_path / name
    source.write_bytes(data)
    models = tmp_path / "models"
    right = _catalog_for(name, hashlib.sha256(data).hexdigest(), len(data))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ImportCancelled):
        import_gguf(source, models, mode=mode, catalog=right, cancel=cancel)
    assert list(models.iterdir()) == []


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError):
        import_gguf(tmp_path / "nope.gguf", tmp_path / "models")
    with pytest.raises(ModelFileError, match="folder"):
        import_gguf(tmp_path, tmp_path / "models")


def test_smollm2_metadata(smollm2_path: Path) -> None:
    info = read_model_info(smollm2_path)
    assert info.architecture == "llama"
    assert info.quant == "Q4_1"
    assert info.has_chat_template


def test_quant_from_name() -> None:
    assert quant_from_name("DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf") == "Q4_K_M"
    assert quant_from_name("model-q8_0.gguf") == "Q8_0"
    assert quant_from_name("model-F16.gguf") == "F16"
    assert quant_from_name("model.gguf") is None
