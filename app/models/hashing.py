"""SHA-256 of large model files: cancellable, with progress, cached by size and mtime.

Hashing a 1-2 GB GGUF takes seconds to minutes, so it runs on the caller's
worker thread (never the GUI thread) and reports progress; ``HashCache``
remembers each digest with the file's size and modification time in a JSON
file in the data folder, so a start does not hash the same file again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

from app.core.errors import PonderError

CACHE_FILE = "file-hashes.json"
CHUNK = 4 * 1024 * 1024
HashProgress = Callable[[int, int], None]
"""Called with (bytes hashed, bytes total)."""


class HashCancelled(PonderError):
    """Hashing was cancelled; nothing was recorded."""


def sha256_file(path: Path, progress: HashProgress | None = None,
                cancel: threading.Event | None = None, *, chunk: int = CHUNK) -> str:
    """The lower-case hex SHA-256 of `path`.

    Raises:
        HashCancelled: `cancel` was set (checked between chunks).
        OSError: the file cannot be read.
    """
    total = path.stat().st_size
    hasher = hashlib.sha256()
    done = 0
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            if cancel is not None and cancel.is_set():
                raise HashCancelled(f"Checking {path.name} was cancelled.")
            hasher.update(block)
            done += len(block)
            if progress is not None:
                progress(done, total)
    return hasher.hexdigest()


def _key(path: Path) -> str:
    return os.path.realpath(path)


class HashCache:
    """Digests of files keyed by real path, valid while size and mtime are unchanged.

    Thread-safe. Writing the cache file is best effort: a read-only data folder
    only means hashing again next time.
    """

    def __init__(self, file: Path) -> None:
        self.file = file
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, object]] = self._read()

    @classmethod
    def in_folder(cls, data_dir: Path) -> HashCache:
        """The cache kept in the data folder."""
        return cls(data_dir / CACHE_FILE)

    def _read(self) -> dict[str, dict[str, object]]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        entries = data.get("files") if isinstance(data, dict) else None
        if not isinstance(entries, dict):
            return {}
        return {k: v for k, v in entries.items() if isinstance(k, str) and isinstance(v, dict)}

    def lookup(self, path: Path) -> str | None:
        """The cached digest of `path` if the file has not changed since, else None."""
        try:
            st = path.stat()
        except OSError:
            return None
        with self._lock:
            entry = self._entries.get(_key(path))
        if not entry or entry.get("size") != st.st_size or entry.get("mtime_ns") != st.st_mtime_ns:
            return None
        digest = entry.get("sha256")
        return digest if isinstance(digest, str) and len(digest) == 64 else None

    def store(self, path: Path, digest: str, *, size: int, mtime_ns: int) -> None:
        """Remember `digest` for `path` as it was at (size, mtime_ns)."""
        with self._lock:
            self._entries[_key(path)] = {"size": size, "mtime_ns": mtime_ns,
                                         "sha256": digest.lower()}
            self._save_locked()

    def sha256(self, path: Path, progress: HashProgress | None = None,
               cancel: threading.Event | None = None) -> str:
        """The digest of `path`: from the cache, or hashed now and cached.

        A file that changes while it is hashed is not cached.

        Raises:
            HashCancelled: cancelled.
            OSError: the file cannot be read.
        """
        cached = self.lookup(path)
        if cached is not None:
            if progress is not None:
                size = path.stat().st_size
                progress(size, size)
            return cached
        before = path.stat()
        digest = sha256_file(path, progress, cancel)
        after = path.stat()
        if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns):
            self.store(path, digest, size=after.st_size, mtime_ns=after.st_mtime_ns)
        return digest

    def _save_locked(self) -> None:
        tmp = self.file.with_name(self.file.name + ".tmp")
        with contextlib.suppress(OSError):
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps({"version": 1, "files": self._entries}), encoding="utf-8")
            os.replace(tmp, self.file)
