"""Import a GGUF file the user already has ("Import a GGUF file…"), fully offline.

The file is checked first (a broken file never enters the models folder),
compared with the catalog's SHA-256 when its name matches a catalog file, and
then copied, hard-linked or symlinked into the models folder. A copy goes to
a temporary name and appears only by ``os.replace`` once complete.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

from app.core.errors import ModelFileError, PonderError, VerificationError
from app.hardware.memory import probe_disk_free
from app.models.catalog import Catalog
from app.models.installed import InstalledModel, describe, get_default_model
from app.models.local_file import read_model_info

CHUNK = 4 * 1024 * 1024
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
) -> InstalledModel:
    """Bring a local GGUF into the models folder.

    Args:
        source: the GGUF file.
        models_dir: the models folder (created if missing).
        mode: copy, hard link or symbolic link.
        catalog: to recognise catalog files and check their SHA-256.
        progress: called with (done, total) bytes while hashing/copying.
        cancel: set from another thread to stop; nothing is left behind.

    Returns:
        The installed model.

    Raises:
        ModelFileError: the file is missing, broken or not a model, or another
            file of that name is already installed.
        VerificationError: the name matches a catalog file but the bytes do not.
        ImportCancelled: cancelled.
        PonderError: not enough disk space, or the folder cannot be written.
    """
    source = source.expanduser()
    if source.is_dir():
        raise ModelFileError(f"{source} is a folder. Choose the .gguf file inside it.")
    info = read_model_info(source)  # raises ModelFileError with the exact problem
    entry = catalog.find_file(source.name) if catalog else None
    expected = entry[1].sha256 if entry else None
    models_dir.mkdir(parents=True, exist_ok=True)
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
        if expected is not None:
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
            if digest != expected:
                dest.unlink(missing_ok=True)
                raise _mismatch(source, digest, expected)
        return describe(dest, catalog, get_default_model(models_dir))

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
        if expected is not None and digest != expected:
            raise _mismatch(source, digest, expected)
        os.replace(tmp, dest)
    except OSError as exc:
        raise PonderError(
            f"{source.name} could not be copied into {models_dir} ({exc.strerror or exc}). "
            "Check that the folder is writable and has space."
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return describe(dest, catalog, get_default_model(models_dir))


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


def _mismatch(source: Path, digest: str, expected: str) -> VerificationError:
    return VerificationError(
        f"{source.name} has the name of a catalog model, but its SHA-256 ({digest[:12]}…) is "
        f"not the catalog's ({expected[:12]}…): it is damaged or a different file. Download "
        "it again, or rename it to import it as your own model."
    )

