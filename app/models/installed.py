"""The models folder: list installed models, the default model, delete.

Every ``*.gguf`` in the folder (or a link to one) is a model, and so is a
model an offline build carries in ``<resources>/models`` (read-only). Files still
downloading (``.part``) and imports in progress are not listed as models;
``list_partial_downloads`` shows the former so they can be resumed.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import ModelFileError, PonderError
from app.core.resources import resources_dir
from app.models.catalog import Catalog
from app.models.hashing import HashCache
from app.models.local_file import read_model_info
from app.models.trust import Ledger, Trust, TrustReport, assess

DEFAULT_FILE = "default-model.json"
BUNDLED_MODELS_SUBDIR = "models"


def bundled_models_dir() -> Path:
    """Where an offline build carries its model: ``<resources>/models``."""
    return resources_dir() / BUNDLED_MODELS_SUBDIR


@dataclass(frozen=True)
class InstalledModel:
    """One model file in the models folder.

    Attributes:
        path: the file (or link) in the models folder.
        file_name: its name.
        size_bytes: size on disk (of the target, for links).
        name: display name (general.name or the file name).
        architecture: e.g. "qwen2" ("unknown" for broken files).
        quant: e.g. "Q4_K_M".
        context_length: trained context, if known.
        has_chat_template: whether the file carries a chat template.
        catalog_id: the catalog model this file belongs to, if any.
        is_default: whether it is the default model.
        is_link: whether it is a symbolic link to a file elsewhere.
        is_bundled: shipped inside an offline build (read-only, never deleted).
        problem: why it cannot be loaded (None when it looks fine).
        trust: what is known about its bytes (catalog, hub at download, flagged...).
        trust_label: one sentence saying so, for the models list.
        sha256: its digest when known (ledger or hash cache; never hashed here).
    """

    path: Path
    file_name: str
    size_bytes: int
    name: str
    architecture: str
    quant: str
    context_length: int | None
    has_chat_template: bool
    catalog_id: str | None
    is_default: bool
    is_link: bool
    problem: str | None = None
    is_bundled: bool = False
    trust: Trust = Trust.UNCHECKED
    trust_label: str = ""
    sha256: str | None = None

    @property
    def is_usable(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class PartialDownload:
    """A download that stopped before it finished (resumable).

    Attributes:
        part: the .part file.
        target_name: the file name it becomes.
        done_bytes: bytes already on disk.
        total_bytes: the full size, if the sidecar says.
    """

    part: Path
    target_name: str
    done_bytes: int
    total_bytes: int | None


def describe(path: Path, catalog: Catalog | None = None, default: Path | None = None,
             *, ledger: Ledger | None = None, hash_cache: HashCache | None = None,
             digest: str | None = None) -> InstalledModel:
    """Describe one model file; a broken file gets `problem` instead of raising.

    The file is never hashed here: its digest comes from `digest`, the ledger
    or the hash cache. A file whose bytes match a catalog hash is that catalog
    model whatever its name.
    """
    if digest is None and hash_cache is not None:
        digest = hash_cache.lookup(path)
    report = assess(path, catalog, digest=digest, ledger=ledger)
    model = _describe(path, catalog, default, report)
    return dataclasses.replace(model, trust=report.trust, trust_label=report.label,
                               sha256=report.sha256)


def _describe(path: Path, catalog: Catalog | None, default: Path | None,
              report: TrustReport) -> InstalledModel:
    found = catalog.find_file(path.name) if catalog else None
    catalog_id = report.model_id or (found[0].id if found else None)
    is_link = path.is_symlink()
    is_default = default is not None and default.name == path.name
    try:
        info = read_model_info(path)
    except ModelFileError as exc:
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        return InstalledModel(
            path=path, file_name=path.name, size_bytes=size, name=path.stem,
            architecture="unknown", quant="unknown", context_length=None,
            has_chat_template=False, catalog_id=catalog_id,
            is_default=is_default, is_link=is_link, problem=str(exc),
        )
    return InstalledModel(
        path=path, file_name=path.name, size_bytes=info.size_bytes, name=info.name,
        architecture=info.architecture, quant=info.quant, context_length=info.context_length,
        has_chat_template=info.has_chat_template, catalog_id=catalog_id,
        is_default=is_default, is_link=is_link,
    )


def list_installed(
    models_dir: Path, catalog: Catalog | None = None, *, bundled_dir: Path | None = None,
    hash_cache: HashCache | None = None,
) -> list[InstalledModel]:
    """All models in `models_dir`, sorted by name, then the bundled ones.

    Cheap enough for the GUI thread: it reads headers and the ledger, and
    takes digests only from `hash_cache` (hash files with HashCache.sha256 on
    a worker thread, then list again).

    Args:
        models_dir: the user's models folder (absent means none there).
        catalog: to name catalog files and judge their bytes.
        bundled_dir: an offline build's model folder (default: bundled_models_dir()).
            A bundled file with the name of one in `models_dir` is left out.
        hash_cache: digests computed earlier.
    """
    default = get_default_model(models_dir) if models_dir.is_dir() else None
    ledger = Ledger.open(models_dir) if models_dir.is_dir() else None
    found = [describe(p, catalog, default, ledger=ledger, hash_cache=hash_cache)
             for p in _gguf_files(models_dir)]
    names = {m.file_name for m in found}
    for path in _gguf_files(bundled_models_dir() if bundled_dir is None else bundled_dir):
        if path.name not in names:
            model = describe(path, catalog, default, hash_cache=hash_cache)
            found.append(dataclasses.replace(model, is_bundled=True))
    return found


def _gguf_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    files = sorted(
        (p for p in folder.iterdir() if p.name.lower().endswith(".gguf")),
        key=lambda p: p.name.lower(),
    )
    return [p for p in files if p.is_file() or p.is_symlink()]


def list_partial_downloads(models_dir: Path) -> list[PartialDownload]:
    """Downloads that can be resumed (``*.gguf.part`` with their sidecar)."""
    if not models_dir.is_dir():
        return []
    found: list[PartialDownload] = []
    for part in sorted(models_dir.glob("*.gguf.part")):
        total: int | None = None
        try:
            side = json.loads(part.with_name(part.name + ".json").read_text(encoding="utf-8"))
            total = int(side["size"]) if isinstance(side, dict) else None
        except (OSError, ValueError, KeyError, TypeError):
            pass
        found.append(PartialDownload(part, part.name[: -len(".part")], part.stat().st_size, total))
    return found


def get_default_model(models_dir: Path) -> Path | None:
    """The default model's path, if one is set and still there."""
    try:
        data = json.loads((models_dir / DEFAULT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    name = data.get("file") if isinstance(data, dict) else None
    if not isinstance(name, str) or "/" in name or "\\" in name:
        return None
    path = models_dir / name
    return path if path.exists() else None


def set_default_model(models_dir: Path, model: Path | None) -> None:
    """Make `model` (a file in `models_dir`) the default; None clears it.

    Raises:
        PonderError: the file is not in the models folder.
    """
    setting = models_dir / DEFAULT_FILE
    if model is None:
        setting.unlink(missing_ok=True)
        return
    if model.parent.resolve() != models_dir.resolve() or not model.exists():
        raise PonderError(
            f"{model.name} is not in the models folder ({models_dir}). Import it first."
        )
    models_dir.mkdir(parents=True, exist_ok=True)
    tmp = setting.with_suffix(".tmp")
    tmp.write_text(json.dumps({"file": model.name}), encoding="utf-8")
    os.replace(tmp, setting)


def delete_model(models_dir: Path, model: Path) -> None:
    """Delete a model from the models folder (a link is removed, not its target).

    Raises:
        PonderError: the file is not in the models folder, or cannot be deleted.
    """
    if model.parent.resolve() != models_dir.resolve():
        raise PonderError(
            f"{model} is not in the models folder; Ponder deletes only its own files."
        )
    if get_default_model(models_dir) == model:
        set_default_model(models_dir, None)
    try:
        model.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise PonderError(
            f"{model.name} could not be deleted ({exc.strerror}). Close programs that use it "
            "and try again."
        ) from exc
    ledger = Ledger(models_dir)
    if ledger.exists:
        ledger.forget(model.name)
        ledger.save()
