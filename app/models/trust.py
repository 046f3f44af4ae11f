"""How far a model file is trusted, and the record of how each file got verified.

``verified.json`` in the models folder (the ledger) remembers, per file name,
the SHA-256, size and mtime a file had when Ponder verified it, and against
what: Ponder's catalog, the hub's own hash at download, or nothing (import).
``assess`` combines the ledger, the catalog and a digest (from
``hashing.HashCache``, computed off the GUI thread) into a ``TrustReport``
with a sentence for the models list.

Files downloaded before the catalog was pinned (e.g. bartowski's Q4_K_M,
whose hash is not published) were verified against the hub's hash by the old
downloader, which left no record. When the ledger is first created, the plain
files already in the folder are recorded as "legacy"; a legacy file with a
catalog file's name stays usable with the label "verified by the hub at
download" (the old downloader refused files without a hub hash).
"""

from __future__ import annotations

import contextlib
import enum
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from app.models.catalog import Catalog

LEDGER_FILE = "verified.json"


class Trust(str, enum.Enum):
    """What is known about a model file's bytes."""

    CATALOG = "catalog"
    """The bytes are exactly a file pinned in Ponder's catalog."""
    OTHER_BUILD = "other_build"
    """The bytes are another uploader's known build of a catalog quantization."""
    HUB = "hub"
    """Verified against the hub's own hash when it was downloaded."""
    MISMATCH = "mismatch"
    """It has a catalog file's name but other bytes: flagged."""
    UNVERIFIED = "unverified"
    """Not a catalog file: not verified against Ponder's catalog."""
    UNCHECKED = "unchecked"
    """Its SHA-256 has not been computed yet."""


@dataclass(frozen=True)
class TrustReport:
    """The verdict on one file.

    Attributes:
        trust: the category.
        label: one sentence for the user.
        model_id: the catalog model it is (by hash, else by name), if any.
        quant: the catalog quantization it is, if known.
        sha256: the digest the verdict is based on, if any.
    """

    trust: Trust
    label: str
    model_id: str | None = None
    quant: str | None = None
    sha256: str | None = None

    @property
    def is_flagged(self) -> bool:
        """Whether the user should be warned about this file."""
        return self.trust is Trust.MISMATCH


@dataclass(frozen=True)
class LedgerEntry:
    """How one file was verified.

    Attributes:
        verified_by: "catalog", "hub" (at download), "legacy" (in the folder before
            the ledger existed), "import" or "none".
        size: its size then.
        mtime_ns: its modification time then.
        sha256: its digest then (None for legacy entries).
        repo_id: where it was downloaded from, if downloaded.
    """

    verified_by: str
    size: int
    mtime_ns: int
    sha256: str | None
    repo_id: str | None = None


class Ledger:
    """The ``verified.json`` record of one models folder (thread-safe, best-effort writes)."""

    def __init__(self, models_dir: Path) -> None:
        self.models_dir = models_dir
        self.file = models_dir / LEDGER_FILE
        self._lock = threading.Lock()
        self._entries: dict[str, LedgerEntry] = {}
        self.exists = self.file.exists()
        if self.exists:
            self._entries = _read(self.file)

    @classmethod
    def open(cls, models_dir: Path) -> Ledger:
        """The folder's ledger, created (files already there recorded as legacy) on first use."""
        ledger = cls(models_dir)
        if not ledger.exists and models_dir.is_dir():
            for path in sorted(models_dir.glob("*.gguf")):
                if not path.is_symlink() and path.is_file():
                    ledger.record(path, "legacy", None)
            ledger.save()
        return ledger

    def entry(self, path: Path) -> LedgerEntry | None:
        """The record for `path` if the file is unchanged since it was made."""
        with self._lock:
            entry = self._entries.get(path.name)
        if entry is None:
            return None
        try:
            st = path.stat()
        except OSError:
            return None
        if (st.st_size, st.st_mtime_ns) != (entry.size, entry.mtime_ns):
            return None
        return entry

    def record(self, path: Path, verified_by: str, sha256: str | None,
               repo_id: str | None = None) -> None:
        """Remember how `path` was verified (call save() to write, or use record_and_save)."""
        try:
            st = path.stat()
        except OSError:
            return
        with self._lock:
            self._entries[path.name] = LedgerEntry(verified_by, st.st_size, st.st_mtime_ns,
                                                   sha256.lower() if sha256 else None, repo_id)

    def forget(self, name: str) -> None:
        """Drop the record of a deleted file."""
        with self._lock:
            self._entries.pop(name, None)

    def save(self) -> None:
        """Write the ledger; a read-only folder is not an error."""
        with self._lock:
            data = {name: vars(e) for name, e in self._entries.items()}
        tmp = self.file.with_name(self.file.name + ".tmp")
        with contextlib.suppress(OSError):
            tmp.write_text(json.dumps({"version": 1, "files": data}), encoding="utf-8")
            os.replace(tmp, self.file)
            self.exists = True


def _read(file: Path) -> dict[str, LedgerEntry]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    found: dict[str, LedgerEntry] = {}
    for name, raw in (files.items() if isinstance(files, dict) else []):
        try:
            found[name] = LedgerEntry(
                verified_by=str(raw["verified_by"]), size=int(raw["size"]),
                mtime_ns=int(raw["mtime_ns"]),
                sha256=str(raw["sha256"]) if raw.get("sha256") else None,
                repo_id=str(raw["repo_id"]) if raw.get("repo_id") else None,
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return found


def assess(path: Path, catalog: Catalog | None, *, digest: str | None = None,
           ledger: Ledger | None = None) -> TrustReport:
    """Judge one model file from its digest (if known), the ledger and the catalog.

    Never hashes: pass `digest` from a HashCache computed off the GUI thread.
    A file the ledger saw verified (unchanged since) needs no digest.
    """
    entry = ledger.entry(path) if ledger is not None else None
    if digest is None and entry is not None:
        digest = entry.sha256
    if digest is not None and catalog is not None:
        match = catalog.find_sha256(digest)
        if match is not None and match.file is not None:
            return TrustReport(Trust.CATALOG,
                               f"Verified against Ponder's catalog ({match.model.name} "
                               f"{match.quant}).", match.model.id, match.quant, digest)
        if match is not None and match.build is not None:
            return TrustReport(Trust.OTHER_BUILD,
                               f"Recognised by its SHA-256 as {match.model.name} {match.quant} "
                               f"(the build published by {match.build.repo_id.split('/')[0]}).",
                               match.model.id, match.quant, digest)
    by_name = catalog.find_file(path.name) if catalog is not None else None
    model_id = by_name[0].id if by_name else None
    quant = by_name[1].quant if by_name else None
    hub_verified = entry is not None and (
        entry.verified_by == "hub" or (entry.verified_by == "legacy" and by_name is not None))
    if entry is not None and hub_verified and (
            digest is None or entry.sha256 is None or entry.sha256 == digest):
        return TrustReport(Trust.HUB, "Verified by the hub at download.", model_id, quant,
                           digest)
    if digest is None:
        return TrustReport(Trust.UNCHECKED, "Not checked yet.", model_id, quant)
    if by_name is not None:
        model, entry_file = by_name
        return TrustReport(
            Trust.MISMATCH,
            f"This file has the name of {model.name} {entry_file.quant} in Ponder's catalog "
            "but other bytes: it may be damaged or a different build. Download it again "
            "if it misbehaves.", model_id, quant, digest)
    return TrustReport(Trust.UNVERIFIED, "Not verified against Ponder's catalog.", None, None,
                       digest)
