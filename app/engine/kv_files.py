"""Saved conversation states on disk: one file each, atomic, checked, in a budget.

A state file holds the tokens a sequence's KV cells were evaluated from and
llama.cpp's bytes of those cells. Its name is the conversation key plus a
short digest of the model identity, so states of several models can share the
folder. The header repeats the whole identity digest, the format version and
the sizes; a CRC-32 over tokens and data catches a damaged file. Anything that
does not check out is removed and the prompt is evaluated as if there were no
state. Writes go to a temporary file that is synced and then renamed, so a
crash leaves either the old state or the new one. The folder is kept under a
byte budget by removing the least recently used files (a read touches a file).

Layout: MAGIC | version u32 | identity digest 32 B | n_tokens u32 | data
length u64 | crc32 u32 | tokens (int32 LE) | data.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import struct
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

LOG = logging.getLogger(__name__)

MAGIC = b"PONDERKV"
FORMAT_VERSION = 1
SUFFIX = ".kvstate"
_HEADER = struct.Struct("<8sI32sIQI")
_TMP_MAX_AGE_S = 3600.0
_SAFE_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class SavedState:
    """A sequence's KV cells and the tokens they were evaluated from."""

    tokens: tuple[int, ...]
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data) + 4 * len(self.tokens) + _HEADER.size


def is_plain_key(key: str) -> bool:
    """Whether `key` can name a state file (letters, digits, - and _; at most 64)."""
    return _SAFE_KEY.fullmatch(key) is not None


def state_name(key: str, identity: bytes) -> str:
    """The file name of `key`'s state for the model with this identity digest."""
    if not is_plain_key(key):
        raise ValueError(f"conversation key {key!r} is not a plain name")
    return f"{key}-{identity.hex()[:16]}{SUFFIX}"


def key_of(path: Path) -> str | None:
    """The conversation key a state file belongs to (None: not a state file)."""
    if path.suffix != SUFFIX or "-" not in path.stem:
        return None
    return path.stem.rsplit("-", 1)[0]


def write_state(path: Path, identity: bytes, state: SavedState) -> None:
    """Write atomically: a synced temporary file renamed over `path`."""
    tokens = struct.pack(f"<{len(state.tokens)}i", *state.tokens)
    crc = zlib.crc32(state.data, zlib.crc32(tokens))
    header = _HEADER.pack(MAGIC, FORMAT_VERSION, identity, len(state.tokens),
                          len(state.data), crc)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as out:
            out.write(header)
            out.write(tokens)
            out.write(state.data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_state(path: Path, identity: bytes) -> SavedState | None:
    """The state in `path`, or None; a file that does not check out is removed."""
    try:
        with open(path, "rb") as src:
            raw = src.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        LOG.warning("state %s cannot be read (%s); removing it", path.name, exc)
        _remove(path)
        return None
    problem = _problem(raw, identity)
    if problem is not None:
        LOG.warning("state %s is %s; removing it", path.name, problem)
        _remove(path)
        return None
    _, _, _, n_tokens, _, _ = _HEADER.unpack_from(raw)
    start = _HEADER.size
    tokens = struct.unpack_from(f"<{n_tokens}i", raw, start)
    data = raw[start + 4 * n_tokens:]
    touch(path)
    return SavedState(tuple(tokens), data)


def _problem(raw: bytes, identity: bytes) -> str | None:
    if len(raw) < _HEADER.size:
        return "truncated"
    magic, version, digest, n_tokens, n_data, crc = _HEADER.unpack_from(raw)
    if magic != MAGIC:
        return "not a state file"
    if version != FORMAT_VERSION:
        return f"from another format version ({version})"
    if digest != identity:
        return "for another model, context or engine version"
    if len(raw) != _HEADER.size + 4 * n_tokens + n_data:
        return "truncated"
    body = memoryview(raw)[_HEADER.size:]
    if zlib.crc32(body) != crc:
        return "damaged"
    return None


def touch(path: Path) -> None:
    """Mark `path` as just used (its modification time orders the eviction)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        LOG.warning("state %s cannot be removed (%s)", path.name, exc)


def state_files(folder: Path) -> list[Path]:
    """The state files in `folder`, least recently used first."""
    try:
        entries = [p for p in folder.iterdir() if p.suffix == SUFFIX and p.is_file()]
    except OSError:
        return []
    return sorted(entries, key=_mtime)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def used_bytes(folder: Path) -> int:
    """Bytes the state files in `folder` take."""
    return sum(_size(path) for path in state_files(folder))


def enforce_budget(folder: Path, budget_bytes: int, keep: Sequence[Path] = ()) -> int:
    """Remove least recently used states until the folder fits; returns bytes removed.

    `keep` (the file just written) goes last of all; stale temporary files go too.
    """
    _remove_stale_tmp(folder)
    files = state_files(folder)
    files = [p for p in files if p not in keep] + [p for p in files if p in keep]
    sizes = {p: _size(p) for p in files}
    total = sum(sizes.values())
    removed = 0
    for path in files:
        if total <= budget_bytes:
            break
        _remove(path)
        total -= sizes[path]
        removed += sizes[path]
    return removed


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _remove_stale_tmp(folder: Path) -> None:
    now = time.time()
    try:
        stale = [p for p in folder.iterdir()
                 if p.name.endswith(".tmp") and now - _mtime(p) > _TMP_MAX_AGE_S]
    except OSError:
        return
    for path in stale:
        _remove(path)


def remove_states(folder: Path, keys: Iterable[str] | None = None) -> int:
    """Remove the states of `keys` (all states when None); returns bytes freed."""
    wanted = None if keys is None else set(keys)
    freed = 0
    for path in state_files(folder):
        if wanted is None or key_of(path) in wanted:
            freed += _size(path)
            _remove(path)
    return freed


def remove_all_but(folder: Path, live_keys: Iterable[str]) -> int:
    """Remove the states whose key is not in `live_keys` (deleted conversations)."""
    live = set(live_keys)
    freed = 0
    for path in state_files(folder):
        key = key_of(path)
        if key is not None and key not in live:
            freed += _size(path)
            _remove(path)
    return freed
