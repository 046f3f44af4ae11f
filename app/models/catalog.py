"""The model catalog: ``resources/models.json`` loaded into typed values.

The catalog is data, not code. Each offered file is pinned: the repository
it comes from (the same quantization from different uploaders has different
bytes), its exact name, exact size and SHA-256, and the repository commits
those facts were read at. A file without all of these is not offered (it is
kept in ``CatalogModel.withheld`` so its name is still recognised). Builds of
other uploaders whose hash is known (``other_builds``) are only recognised,
never downloaded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import PonderError
from app.core.resources import resource_path
from app.hardware.planner import ModelShape, QuantOption
from app.models.download_types import RemoteFile

CATALOG_FILE = "models.json"
_SHA256_RE = re.compile(r"[0-9a-f]{64}")


class CatalogError(PonderError):
    """The shipped model catalog is missing or damaged."""


@dataclass(frozen=True)
class CatalogFile:
    """One downloadable GGUF file of a catalog model.

    Attributes:
        quant: quantization, e.g. "Q4_K_M".
        filename: the file's exact name in the repository.
        size_bytes: its size (approximate when size_exact is False).
        size_exact: whether size_bytes is the exact byte count.
        sha256: lower-case hex digest, or None when not pinned.
        memory_bytes: memory needed at the model's default context.
        repo_id: the repository this file's bytes come from ("owner/name").
        commits: the repository commits the pinned facts were read at.
    """

    quant: str
    filename: str
    size_bytes: int
    size_exact: bool
    sha256: str | None
    memory_bytes: int
    repo_id: str = ""
    commits: tuple[str, ...] = ()

    @property
    def is_pinned(self) -> bool:
        """Whether repository, exact size and SHA-256 are all known (only then offered)."""
        return bool(self.repo_id) and self.size_exact and self.sha256 is not None

    def remote_file(self) -> RemoteFile:
        """What the downloader fetches: this file's own repository, with its pins."""
        return RemoteFile(self.repo_id, self.filename, sha256=self.sha256,
                          size=self.size_bytes if self.size_exact else None)


@dataclass(frozen=True)
class OtherBuild:
    """Another uploader's build of a quantization: recognised by hash, never offered.

    Attributes:
        quant: the quantization it is, e.g. "Q8_0".
        repo_id: where it was published.
        filename: its name there.
        sha256: lower-case hex digest.
    """

    quant: str
    repo_id: str
    filename: str
    sha256: str


@dataclass(frozen=True)
class HashMatch:
    """What a SHA-256 is in the catalog.

    Attributes:
        model: the catalog model.
        quant: the quantization.
        file: the offered catalog file when the bytes are exactly it, else None.
        build: the other uploader's build when the bytes are that, else None.
    """

    model: CatalogModel
    quant: str
    file: CatalogFile | None
    build: OtherBuild | None


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
        files: the offered (pinned) quantizations, smallest first.
        withheld: listed files that lack a pin; not offered, names still recognised.
        other_builds: other uploaders' builds, recognised by hash only.
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
    withheld: tuple[CatalogFile, ...] = ()
    other_builds: tuple[OtherBuild, ...] = ()

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
        """The catalog entry for a file name (case-insensitive), if any.

        Offered files come first; a withheld (unpinned) entry of that name is
        returned only when no offered file has it.
        """
        for group in ("files", "withheld"):
            for m in self.models:
                for f in getattr(m, group):
                    if f.filename.lower() == filename.lower():
                        return m, f
        return None

    def find_sha256(self, digest: str) -> HashMatch | None:
        """What the bytes with this SHA-256 are: an offered file or another known build."""
        digest = digest.lower()
        for m in self.models:
            for f in m.files:
                if f.sha256 == digest:
                    return HashMatch(m, f.quant, f, None)
            for b in m.other_builds:
                if b.sha256 == digest:
                    return HashMatch(m, b.quant, None, b)
        return None

    def known_sha256s(self, filename: str) -> frozenset[str]:
        """Every hash accepted for a catalog file name: the pin and other builds of its quant."""
        found = self.find_file(filename)
        if found is None:
            return frozenset()
        model, entry = found
        hashes = {b.sha256 for b in model.other_builds if b.quant.upper() == entry.quant.upper()}
        if entry.sha256:
            hashes.add(entry.sha256)
        return frozenset(hashes)


def _req(obj: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = obj.get(key)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise CatalogError(
            f"The model catalog is damaged: {where} has no valid {key!r}. Reinstall Ponder."
        )
    return value


def _sha(raw: dict[str, Any], where: str, *, required: bool) -> str | None:
    sha = raw.get("sha256")
    if sha is None and not required:
        return None
    if not isinstance(sha, str) or not _SHA256_RE.fullmatch(sha.lower()):
        raise CatalogError(f"The model catalog has a bad sha256 at {where}. Reinstall Ponder.")
    return sha.lower()


def _parse_file(raw: Any, where: str, model_repo: str,
                commits: dict[str, tuple[str, ...]]) -> CatalogFile:
    if not isinstance(raw, dict):
        raise CatalogError(f"The model catalog is damaged at {where}. Reinstall Ponder.")
    repo = raw.get("repo_id", model_repo)
    if not isinstance(repo, str):
        raise CatalogError(f"The model catalog has a bad repo_id at {where}. Reinstall Ponder.")
    return CatalogFile(
        quant=_req(raw, "quant", str, where),
        filename=_req(raw, "file", str, where),
        size_bytes=_req(raw, "size_bytes", int, where),
        size_exact=bool(raw.get("size_exact", False)),
        sha256=_sha(raw, where, required=False),
        memory_bytes=_req(raw, "memory_bytes", int, where),
        repo_id=repo,
        commits=commits.get(repo, ()),
    )


def _parse_build(raw: Any, where: str) -> OtherBuild:
    if not isinstance(raw, dict):
        raise CatalogError(f"The model catalog is damaged at {where}. Reinstall Ponder.")
    sha = _sha(raw, where, required=True)
    assert sha is not None
    return OtherBuild(
        quant=_req(raw, "quant", str, where),
        repo_id=_req(raw, "repo_id", str, where),
        filename=_req(raw, "file", str, where),
        sha256=sha,
    )


def _parse_commits(raw: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        return {}
    found: dict[str, tuple[str, ...]] = {}
    for repo, info in raw.items():
        refs = info.get("commits") if isinstance(info, dict) else None
        if isinstance(repo, str) and isinstance(refs, list):
            found[repo] = tuple(r for r in refs if isinstance(r, str))
    return found


def _parse_model(raw: Any, index: int, commits: dict[str, tuple[str, ...]]) -> CatalogModel:
    where = f"model #{index + 1}"
    if not isinstance(raw, dict):
        raise CatalogError(f"The model catalog is damaged at {where}. Reinstall Ponder.")
    files_raw = raw.get("files")
    if not isinstance(files_raw, list) or not files_raw:
        raise CatalogError(f"The model catalog lists no files for {where}. Reinstall Ponder.")
    sampling = raw.get("sampling") if isinstance(raw.get("sampling"), dict) else {}
    assert isinstance(sampling, dict)
    repo_id = _req(raw, "repo_id", str, where)
    files = [_parse_file(f, f"{where} file #{i + 1}", repo_id, commits)
             for i, f in enumerate(files_raw)]
    builds_raw = raw.get("other_builds", [])
    builds = [_parse_build(b, f"{where} other build #{i + 1}")
              for i, b in enumerate(builds_raw if isinstance(builds_raw, list) else [])]
    template = raw.get("chat_template")
    return CatalogModel(
        id=_req(raw, "id", str, where),
        name=_req(raw, "name", str, where),
        repo_id=repo_id,
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
        files=tuple(sorted((f for f in files if f.is_pinned), key=lambda f: f.size_bytes)),
        withheld=tuple(f for f in files if not f.is_pinned),
        other_builds=tuple(builds),
    )


def parse_catalog(data: Any) -> Catalog:
    """Build a Catalog from decoded JSON.

    Raises:
        CatalogError: the data does not follow the catalog schema.
    """
    if not isinstance(data, dict) or not isinstance(data.get("models"), list):
        raise CatalogError("The model catalog is damaged (no model list). Reinstall Ponder.")
    commits = _parse_commits(data.get("repositories"))
    models = tuple(_parse_model(m, i, commits) for i, m in enumerate(data["models"]))
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
