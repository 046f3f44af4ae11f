"""The model catalog: ``resources/models.json`` loaded into typed values.

The catalog is data, not code: repo ids, file names, sizes, SHA-256 (null
where unknown; the downloader then takes it from the hub's LFS metadata),
quantization, memory needed, context, chat template override, sampling and
license.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import PonderError
from app.core.resources import resource_path
from app.hardware.planner import ModelShape, QuantOption

CATALOG_FILE = "models.json"


class CatalogError(PonderError):
    """The shipped model catalog is missing or damaged."""


@dataclass(frozen=True)
class CatalogFile:
    """One downloadable GGUF file of a catalog model.

    Attributes:
        quant: quantization, e.g. "Q4_K_M".
        filename: the file's name in the repository.
        size_bytes: its size (approximate when size_exact is False).
        size_exact: whether size_bytes is the exact byte count.
        sha256: lower-case hex digest, or None to take it from the hub.
        memory_bytes: memory needed at the model's default context.
    """

    quant: str
    filename: str
    size_bytes: int
    size_exact: bool
    sha256: str | None
    memory_bytes: int


@dataclass(frozen=True)
class CatalogModel:
    """One model of the catalog with all its quantizations.

    Attributes:
        id: stable identifier, e.g. "deepseek-r1-distill-qwen-1.5b".
        name: display name.
        repo_id: Hugging Face repository, "owner/name".
        license: the model's license.
        architecture: GGUF architecture, e.g. "qwen2".
        parameters: parameter count.
        n_layers: transformer blocks.
        kv_bytes_per_token: f16 KV cache per context token.
        embedding_fraction: share of weights in the token embedding.
        context_length: trained context.
        default_context: the context planned for by default.
        chat_template: template override name ("r1") or None for the file's own.
        temperature: recommended sampling temperature.
        top_p: recommended nucleus sampling.
        files: the quantizations, smallest first.
    """

    id: str
    name: str
    repo_id: str
    license: str
    architecture: str
    parameters: int
    n_layers: int
    kv_bytes_per_token: int
    embedding_fraction: float
    context_length: int
    default_context: int
    chat_template: str | None
    temperature: float
    top_p: float
    files: tuple[CatalogFile, ...]

    def file(self, quant: str) -> CatalogFile:
        """The file of one quantization (case-insensitive).

        Raises:
            CatalogError: the model has no such quantization.
        """
        for f in self.files:
            if f.quant.upper() == quant.upper():
                return f
        known = ", ".join(f.quant for f in self.files)
        raise CatalogError(f"{self.name} has no {quant} file. Choose one of: {known}.")

    @property
    def shape(self) -> ModelShape:
        """What the hardware planner needs."""
        return ModelShape(
            name=self.name,
            n_layers=self.n_layers,
            kv_bytes_per_token=self.kv_bytes_per_token,
            max_context=self.context_length,
            default_context=self.default_context,
            embedding_fraction=self.embedding_fraction,
        )

    @property
    def quant_options(self) -> list[QuantOption]:
        """The files as planner options."""
        return [QuantOption(f.quant, f.size_bytes) for f in self.files]


@dataclass(frozen=True)
class Catalog:
    """All catalog models and the default one."""

    models: tuple[CatalogModel, ...]
    default_id: str

    @property
    def default(self) -> CatalogModel:
        """The model a first start offers."""
        return self.get(self.default_id)

    def get(self, model_id: str) -> CatalogModel:
        """A model by id.

        Raises:
            CatalogError: no such model.
        """
        for m in self.models:
            if m.id == model_id:
                return m
        known = ", ".join(m.id for m in self.models)
        raise CatalogError(f"There is no model {model_id!r} in the catalog. Known: {known}.")

    def find_file(self, filename: str) -> tuple[CatalogModel, CatalogFile] | None:
        """The catalog entry for a file name (case-insensitive), if any."""
        for m in self.models:
            for f in m.files:
                if f.filename.lower() == filename.lower():
                    return m, f
        return None


def _req(obj: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = obj.get(key)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise CatalogError(
            f"The model catalog is damaged: {where} has no valid {key!r}. Reinstall Ponder."
        )
    return value


def _parse_file(raw: Any, where: str) -> CatalogFile:
    if not isinstance(raw, dict):
        raise CatalogError(f"The model catalog is damaged at {where}. Reinstall Ponder.")
    sha = raw.get("sha256")
    if sha is not None and (not isinstance(sha, str) or len(sha) != 64):
        raise CatalogError(f"The model catalog has a bad sha256 at {where}. Reinstall Ponder.")
    return CatalogFile(
        quant=_req(raw, "quant", str, where),
        filename=_req(raw, "file", str, where),
        size_bytes=_req(raw, "size_bytes", int, where),
        size_exact=bool(raw.get("size_exact", False)),
        sha256=sha.lower() if sha else None,
        memory_bytes=_req(raw, "memory_bytes", int, where),
    )


def _parse_model(raw: Any, index: int) -> CatalogModel:
    where = f"model #{index + 1}"
    if not isinstance(raw, dict):
        raise CatalogError(f"The model catalog is damaged at {where}. Reinstall Ponder.")
    files_raw = raw.get("files")
    if not isinstance(files_raw, list) or not files_raw:
        raise CatalogError(f"The model catalog lists no files for {where}. Reinstall Ponder.")
    sampling = raw.get("sampling") if isinstance(raw.get("sampling"), dict) else {}
    assert isinstance(sampling, dict)
    files = [_parse_file(f, f"{where} file #{i + 1}") for i, f in enumerate(files_raw)]
    template = raw.get("chat_template")
    return CatalogModel(
        id=_req(raw, "id", str, where),
        name=_req(raw, "name", str, where),
        repo_id=_req(raw, "repo_id", str, where),
        license=_req(raw, "license", str, where),
        architecture=_req(raw, "architecture", str, where),
        parameters=_req(raw, "parameters", int, where),
        n_layers=_req(raw, "n_layers", int, where),
        kv_bytes_per_token=_req(raw, "kv_bytes_per_token", int, where),
        embedding_fraction=float(raw.get("embedding_fraction", 0.1)),
        context_length=_req(raw, "context_length", int, where),
        default_context=_req(raw, "default_context", int, where),
        chat_template=template if isinstance(template, str) else None,
        temperature=float(sampling.get("temperature", 0.6)),
        top_p=float(sampling.get("top_p", 0.95)),
        files=tuple(sorted(files, key=lambda f: f.size_bytes)),
    )


def parse_catalog(data: Any) -> Catalog:
    """Build a Catalog from decoded JSON.

    Raises:
        CatalogError: the data does not follow the catalog schema.
    """
    if not isinstance(data, dict) or not isinstance(data.get("models"), list):
        raise CatalogError("The model catalog is damaged (no model list). Reinstall Ponder.")
    models = tuple(_parse_model(m, i) for i, m in enumerate(data["models"]))
    if not models:
        raise CatalogError("The model catalog lists no models. Reinstall Ponder.")
    default_id = data.get("default_model")
    if not isinstance(default_id, str) or default_id not in {m.id for m in models}:
        default_id = models[0].id
    return Catalog(models=models, default_id=default_id)


def load_catalog(path: Path | None = None) -> Catalog:
    """Load the catalog shipped in ``resources/models.json`` (or `path`).

    Raises:
        CatalogError: the file is missing, not JSON, or does not follow the schema.
    """
    try:
        source = path or resource_path(CATALOG_FILE)
        text = source.read_text(encoding="utf-8")
        data = json.loads(text)
    except PonderError as exc:
        raise CatalogError(str(exc)) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogError(
            f"The model catalog could not be read ({exc}). Reinstall Ponder."
        ) from exc
    return parse_catalog(data)
