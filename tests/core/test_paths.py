"""app.core.paths: PONDER_HOME override and per-user folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core import paths


def test_ponder_home_puts_everything_under_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PONDER_HOME", str(tmp_path))
    assert paths.data_dir() == tmp_path / "data"
    assert paths.config_dir() == tmp_path / "config"
    assert paths.models_dir() == tmp_path / "models"
    assert paths.logs_dir() == tmp_path / "logs"
    assert paths.db_path() == tmp_path / "data" / "ponder.sqlite3"
    assert not (tmp_path / "data").exists()  # computing a path creates nothing
    assert paths.ensure_dir(paths.models_dir()).is_dir()


def test_platform_folders_without_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PONDER_HOME", "  ")  # blank counts as unset
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    found = [paths.data_dir(), paths.config_dir(), paths.models_dir(), paths.logs_dir()]
    assert all("Ponder" in p.parts for p in found)
    assert len(set(found)) == 4
    assert paths.db_path().parent == paths.data_dir()
    assert paths.models_dir().is_relative_to(paths.data_dir())
