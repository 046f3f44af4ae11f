"""Saved conversation state files: atomic, checked, removed when wrong, kept in a budget."""

from __future__ import annotations

import os
import struct
import time
from pathlib import Path

import pytest

from app.engine.kv_files import (
    FORMAT_VERSION,
    SavedState,
    enforce_budget,
    key_of,
    read_state,
    remove_all_but,
    remove_states,
    state_files,
    state_name,
    used_bytes,
    write_state,
)

ID = bytes(range(32))
OTHER = bytes(reversed(range(32)))


def _state(n: int = 50, size: int = 4000) -> SavedState:
    return SavedState(tuple(range(n)), bytes(i % 251 for i in range(size)))


def _write(folder: Path, key: str, state: SavedState | None = None,
           identity: bytes = ID) -> Path:
    path = folder / state_name(key, identity)
    write_state(path, identity, state or _state())
    return path


def test_a_written_state_reads_back_exactly(tmp_path: Path) -> None:
    state = _state()
    path = _write(tmp_path, "12", state)
    assert read_state(path, ID) == state
    assert key_of(path) == "12"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_names_differ_per_model_and_refuse_odd_keys() -> None:
    assert state_name("3", ID) != state_name("3", OTHER)
    with pytest.raises(ValueError):
        state_name("../x", ID)


def _damage(path: Path, offset: int) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0xFF
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("how", ["truncated", "byte flipped", "short header", "other model",
                                 "other version", "not ours"])
def test_a_state_that_does_not_check_out_is_removed(tmp_path: Path, how: str) -> None:
    path = _write(tmp_path, "5")
    identity = ID
    if how == "truncated":
        path.write_bytes(path.read_bytes()[:-10])
    elif how == "byte flipped":
        _damage(path, path.stat().st_size - 100)
    elif how == "short header":
        path.write_bytes(path.read_bytes()[:20])
    elif how == "other model":
        identity = OTHER
    elif how == "other version":
        raw = bytearray(path.read_bytes())
        struct.pack_into("<I", raw, 8, FORMAT_VERSION + 1)
        path.write_bytes(bytes(raw))
    else:
        path.write_bytes(b"GGUF" + bytes(200))
    assert read_state(path, identity) is None
    assert not path.exists()


def test_a_missing_state_is_none(tmp_path: Path) -> None:
    assert read_state(tmp_path / state_name("1", ID), ID) is None


def test_the_budget_removes_the_least_recently_used_first(tmp_path: Path) -> None:
    paths = [_write(tmp_path, str(i)) for i in range(4)]
    size = paths[0].stat().st_size
    now = time.time()
    for age, path in zip((40, 30, 20, 10), paths, strict=True):
        os.utime(path, (now - age, now - age))
    assert read_state(paths[0], ID) is not None  # a read makes it the most recent
    removed = enforce_budget(tmp_path, 2 * size, keep=[paths[3]])
    assert removed == 2 * size
    assert sorted(p.name for p in state_files(tmp_path)) == sorted(
        [paths[0].name, paths[3].name])
    assert used_bytes(tmp_path) == 2 * size


def test_a_state_over_the_whole_budget_goes_too(tmp_path: Path) -> None:
    path = _write(tmp_path, "1")
    enforce_budget(tmp_path, path.stat().st_size - 1, keep=[path])
    assert not path.exists()


def test_old_temporary_files_are_cleaned(tmp_path: Path) -> None:
    stale = tmp_path / ".1-x.kvstate.99.tmp"
    stale.write_bytes(b"half")
    fresh = tmp_path / ".2-x.kvstate.98.tmp"
    fresh.write_bytes(b"half")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    enforce_budget(tmp_path, 10**9)
    assert not stale.exists() and fresh.exists()


def test_states_of_deleted_conversations_and_clear(tmp_path: Path) -> None:
    for key in ("1", "2", "3"):
        _write(tmp_path, key)
    _write(tmp_path, "2", identity=OTHER)
    assert remove_all_but(tmp_path, ["2"]) > 0
    assert sorted(key_of(p) or "" for p in state_files(tmp_path)) == ["2", "2"]
    assert remove_states(tmp_path, ["2"]) > 0
    assert state_files(tmp_path) == []
    _write(tmp_path, "4")
    assert remove_states(tmp_path) > 0 and used_bytes(tmp_path) == 0
