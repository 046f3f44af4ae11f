"""The settings file: defaults, persistence, atomic writes, broken files."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from app.core.errors import StoreError
from app.store.settings import Settings, load_settings, save_settings, settings_path


def test_defaults_when_missing(ponder_home: Path) -> None:
    assert settings_path() == ponder_home / "config" / "settings.json"
    assert load_settings() == Settings()
    assert not settings_path().exists()


def test_save_and_load(ponder_home: Path) -> None:
    changed = dataclasses.replace(Settings(), theme="dark", font_size=14, temperature=0.7,
                                  last_model="R1 1.5B 数学", math_mode=True)
    written = save_settings(changed)
    assert written == ponder_home / "config" / "settings.json"
    assert load_settings() == changed
    assert json.loads(written.read_text(encoding="utf-8"))["theme"] == "dark"
    # No temporary files are left behind.
    assert sorted(p.name for p in written.parent.iterdir()) == ["settings.json"]


def test_unknown_keys_and_wrong_types(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({
        "theme": "light", "from_the_future": [1, 2], "font_size": "huge",
        "temperature": 1, "math_mode": 1, "n_ctx": 8192.5, "n_threads": True,
    }), encoding="utf-8")
    s = load_settings(path)
    assert s.theme == "light"
    assert s.font_size == Settings().font_size
    assert s.temperature == 1.0 and isinstance(s.temperature, float)
    assert s.math_mode is Settings().math_mode  # 1 is not a bool
    assert s.n_ctx == Settings().n_ctx
    assert s.n_threads == Settings().n_threads
    assert path.exists()  # a readable file is not moved aside


@pytest.mark.parametrize("content", [b"{broken", b"[1, 2]", b"\xff\xfe\xfa", b""])
def test_corrupt_file_gives_defaults_and_backup(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    assert load_settings(path) == Settings()
    backup = tmp_path / "settings.json.bak"
    assert backup.read_bytes() == content
    assert not path.exists()
    # Saving afterwards works and leaves the backup alone.
    save_settings(Settings(theme="dark"), path)
    assert load_settings(path).theme == "dark"
    assert backup.read_bytes() == content


def test_failed_write_keeps_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "settings.json"
    save_settings(Settings(theme="dark"), path)

    def fail(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(StoreError, match="could not save its settings"):
        save_settings(Settings(theme="light"), path)
    monkeypatch.undo()
    assert load_settings(path).theme == "dark"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.json"]


def test_stale_save_temporaries_are_removed_fresh_ones_kept(tmp_path: Path) -> None:
    import os
    import time

    from app.store.settings import STALE_TMP_S, load_settings

    path = tmp_path / "settings.json"
    stale = tmp_path / "settings.json.abc123.tmp"
    fresh = tmp_path / "settings.json.def456.tmp"
    stale.write_text("{")
    fresh.write_text("{")
    old = time.time() - STALE_TMP_S - 5
    os.utime(stale, (old, old))
    load_settings(path)
    assert not stale.exists()
    assert fresh.exists()  # may belong to a save running right now


def test_a_damaged_backup_is_never_overwritten(tmp_path: Path) -> None:
    from app.store.settings import load_settings

    path = tmp_path / "settings.json"
    path.write_text("not json 1")
    load_settings(path)
    path.write_text("not json 2")
    load_settings(path)
    backups = sorted(p.read_text() for p in tmp_path.glob("settings.json.bak*"))
    assert backups == ["not json 1", "not json 2"]
