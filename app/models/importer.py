"""Import a GGUF file the user already has ("Import a GGUF file…"), fully offline.

The file is checked first (a broken file never enters the models folder),
then copied, hard-linked or symlinked into the models folder while its
SHA-256 is computed. Bytes that match a catalog hash are recognised as that
model whatever the file's name; a file with a catalog file's name but bytes
that are neither the pinned ones nor another known build of that quantization
is refused. A copy goes to a temporary name and appears only by
``os.replace`` once complete. The digest is recorded in the folder's ledger
(and the hash cache, when given) so it is never hashed again.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from app.core.errors import ModelFileError, PonderError, VerificationError
from app.hardware.memory import probe_disk_free
from app.models.catalog import Catalog
from app.models.hashing import HashCache
from app.models.installed import InstalledModel, describe, get_default_model
from app.models.local_file import read_model_info
from app.models.trust import Ledger

CHUNK = 4 * 1024 * 1024
STALE_IMPORT_S = 3600.0
"""A ``*.importing`` file untouched this long was left by a killed import."""
ImportProgress = Callable[[int, int], None]
"""Called with (bytes done, bytes total) while hashing or copying."""


class ImportMode(str, enum.Enum):
    """How the file gets into the models folder."""

    COPY = "copy"
    """An independent copy (safe; needs the space)."""
    HARDLINK = "hardlink"
    """A second name for the same bytes (same drive only; falls back to a copy)."""
    SYMLINK = "symlink"
    """A link to the original (which must stay where it is; falls back to a copy)."""


class ImportCancelled(PonderError):
    """The user cancelled the import; nothing was added."""


def _hash_and_copy(
    source: Path,
    dest: Path | None,
    progress: ImportProgress | None,
    cancel: threading.Event | None,
) -> str:
    """SHA-256 of `source`, copying it to `dest` on the way when given."""
    total = source.stat().st_size
    hasher = hashlib.sha256()
    done = 0
    with contextlib.ExitStack() as stack:
        src = stack.enter_context(source.open("rb"))
        out = stack.enter_context(dest.open("wb")) if dest is not None else None
        while block := src.read(CHUNK):
            if cancel is not None and cancel.is_set():
                raise ImportCancelled("The import was cancelled; nothing was added.")
            hasher.update(block)
            if out is not None:
                out.write(block)
            done += len(block)
            if progress is not None:
                progress(done, total)
    return hasher.hexdigest()


def import_gguf(
    source: Path,
    models_dir: Path,
    *,
    mode: ImportMode = ImportMode.COPY,
    catalog: Catalog | None = None,
    progress: ImportProgress | None = None,
    cancel: threading.Event | None = None,
    hash_cache: HashCache | None = None,
) -> InstalledModel:
    """Bring a local GGUF into the models folder.

    Args:
        source: the GGUF file.
        models_dir: the models folder (created if missing).
        mode: copy, hard link or symbolic link.
        catalog: to recognise catalog files and check their SHA-256.
        progress: called with (done, total) bytes while hashing/copying.
        cancel: set from another thread to stop; nothing is left behind.
        hash_cache: where to remember the digest (the data folder's cache).

    Returns:
        The installed model.

    Raises:
        ModelFileError: the file is missing, broken or not a model, or another
            file of that name is already installed.
        VerificationError: the name matches a catalog file but the bytes are
            neither its pinned ones nor a known build of that quantization.
        ImportCancelled: cancelled.
        PonderError: not enough disk space, or the folder cannot be written.
    """
    source = source.expanduser()
    if source.is_dir():
        raise ModelFileError(f"{source} is a folder. Choose the .gguf file inside it.")
    info = read_model_info(source)  # raises ModelFileError with the exact problem
    accepted = catalog.known_sha256s(source.name) if catalog else frozenset()
    models_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_imports(models_dir)
    dest = models_dir / source.name
    if dest.exists() or dest.is_symlink():
        with contextlib.suppress(OSError):
            if source.resolve() == dest.resolve() or os.path.samefile(source, dest):
                return describe(dest, catalog, get_default_model(models_dir))
        raise ModelFileError(
            f'A model named "{dest.name}" is already installed. Delete it in the models list '
            "or rename the file you are importing."
        )

    linked = mode is not ImportMode.COPY and _try_link(source, dest, mode)
    if linked:
        try:
            digest = _hash_and_copy(source, None, progress, cancel)
        except BaseException as exc:
            # cancelled or unreadable: the link must not stay behind
            dest.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise PonderError(
                    f"{source.name} could not be read ({exc.strerror or exc})."
                ) from exc
            raise
        if accepted and digest not in accepted:
            dest.unlink(missing_ok=True)
            raise _mismatch(source, digest, accepted)
        return _finish(dest, digest, models_dir, catalog, hash_cache)

    free = probe_disk_free(models_dir)
    if free is not None and free < info.size_bytes:
        raise PonderError(
            f"Importing {source.name} needs {info.size_bytes / 1e9:.2f} GB, but only "
            f"{free / 1e9:.2f} GB is free at {models_dir}. Free some space, or import it "
            "as a link instead of a copy."
        )
    tmp = dest.with_name(dest.name + ".importing")
    try:
        digest = _hash_and_copy(source, tmp, progress, cancel)
        if accepted and digest not in accepted:
            raise _mismatch(source, digest, accepted)
        os.replace(tmp, dest)
    except OSError as exc:
        raise PonderError(
            f"{source.name} could not be copied into {models_dir} ({exc.strerror or exc}). "
            "Check that the folder is writable and has space."
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return _finish(dest, digest, models_dir, catalog, hash_cache)


def _finish(dest: Path, digest: str, models_dir: Path, catalog: Catalog | None,
            hash_cache: HashCache | None) -> InstalledModel:
    """Record the digest (ledger, cache) and describe the imported file."""
    recognised = catalog.find_sha256(digest) if catalog else None
    ledger = Ledger.open(models_dir)
    ledger.record(dest, "catalog" if recognised and recognised.file else "import", digest)
    ledger.save()
    if hash_cache is not None:
        with contextlib.suppress(OSError):
            st = dest.stat()
            hash_cache.store(dest, digest, size=st.st_size, mtime_ns=st.st_mtime_ns)
    return describe(dest, catalog, get_default_model(models_dir), ledger=ledger, digest=digest)


def remove_stale_imports(models_dir: Path, max_age_s: float = STALE_IMPORT_S) -> list[Path]:
    """Delete ``*.importing`` copies a killed import left behind; return what was removed.

    A running import writes its copy continuously, so only files untouched
    for `max_age_s` are removed.
    """
    removed: list[Path] = []
    now = time.time()
    for tmp in models_dir.glob("*.importing"):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime >= max_age_s:
                tmp.unlink()
                removed.append(tmp)
    return removed


def _try_link(source: Path, dest: Path, mode: ImportMode) -> bool:
    """Link `dest` to `source`; False when the OS or drive does not allow it."""
    try:
        if mode is ImportMode.HARDLINK:
            os.link(source, dest)
        else:
            os.symlink(source.resolve(), dest)
    except (OSError, NotImplementedError):
        return False
    return True


def _mismatch(source: Path, digest: str, accepted: frozenset[str]) -> VerificationError:
    expected = ", ".join(f"{h[:12]}…" for h in sorted(accepted))
    return VerificationError(
        f"{source.name} has the name of a catalog model, but its SHA-256 ({digest[:12]}…) is "
        f"not the catalog's ({expected}): it is damaged or a different file. Download "
        "it again, or rename it to import it as your own model."
    )

