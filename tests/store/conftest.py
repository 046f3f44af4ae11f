"""Fixtures for the store tests: a real SQLite file in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store.chat_store import ChatStore


@pytest.fixture
def ponder_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PONDER_HOME pointed at a fresh temporary folder."""
    home = tmp_path / "home"
    monkeypatch.setenv("PONDER_HOME", str(home))
    return home


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    """Where a test's chat database lives."""
    return tmp_path / "data" / "chat.sqlite3"


@pytest.fixture
def store(db_file: Path) -> Iterator[ChatStore]:
    """An open ChatStore on a real file, closed after the test."""
    s = ChatStore(db_file)
    yield s
    s.close()
