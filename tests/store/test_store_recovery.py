"""A damaged chat database (garbage, truncated, failing integrity_check) is kept aside with
its -wal/-shm, replaced by a fresh one, and what is still readable is recovered. Also a
read-only data folder. Real SQLite files throughout."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import StoreError
from app.store.chat_store import ChatStore
from app.store.db import open_database

N_CONV = 60


def _fill(path: Path) -> dict[int, str]:
    """A database with N_CONV conversations of 2 messages; returns message id -> content."""
    contents: dict[int, str] = {}
    with ChatStore(path) as store:
        for i in range(N_CONV):
            conv = store.create_conversation(f"conversation {i}")
            user = store.add_user_message(conv.id, f"question {i} " + "x" * 1500)
            contents[user.id] = user.content
            reply = store.start_reply(user.id, model="m")
            store.append_stream(reply.id, "", f"answer {i} " + "y" * 1500)
            store.finish_stream(reply.id)
            contents[reply.id] = store.get_message(reply.id).content
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return contents


def _check_recovered(path: Path, contents: dict[int, str]) -> tuple[int, int]:
    """Every recovered message is exactly as written; returns (conversations, messages)."""
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = con.execute("SELECT id, content FROM messages").fetchall()
    n_conv = con.execute("SELECT count(*) FROM conversations").fetchone()[0]
    con.close()
    for ident, content in rows:
        assert contents[ident] == content
    return n_conv, len(rows)


def _kept(folder: Path, stem: str) -> list[Path]:
    return sorted(folder.glob(f"{stem}.damaged-*"))


def test_garbage_is_moved_aside_with_wal_and_shm(tmp_path: Path) -> None:
    db = tmp_path / "chats.sqlite3"
    db.write_bytes(b"<html>not a database</html>" * 300)
    Path(f"{db}-wal").write_bytes(b"wal junk")
    Path(f"{db}-shm").write_bytes(b"shm junk")
    with ChatStore(db) as store:
        assert store.list_conversations() == []
        store.create_conversation("works again")
        report = store.recovery  # the window shows its message
    assert report is not None and "chats" in report.message
    kept = _kept(tmp_path, "chats")
    assert {p.name.rsplit(".sqlite3", 1)[1] for p in kept} == {"", "-wal", "-shm"}
    assert report.damaged_path in kept and set(report.moved_files) == set(kept)
    assert report.damaged_path.read_bytes().startswith(b"<html>")
    assert report.conversations_recovered == 0
    assert str(report.damaged_path) in report.message and "empty history" in report.message


def test_truncated_file_recovers_what_is_readable(tmp_path: Path) -> None:
    db = tmp_path / "chats.sqlite3"
    contents = _fill(db)
    size = db.stat().st_size
    with db.open("r+b") as fh:
        fh.truncate(size * 6 // 10)
    opened = open_database(db)
    try:
        rec = opened.recovery
        assert rec is not None
        assert 0 < rec.messages_recovered < len(contents)
        assert rec.damaged_path.stat().st_size == size * 6 // 10  # kept as found
    finally:
        opened.connection.close()
    n_conv, n_msg = _check_recovered(db, contents)
    assert n_msg == rec.messages_recovered and n_conv == rec.conversations_recovered
    with ChatStore(db) as store:  # the app's store works on the recovered file
        assert len(store.list_conversations()) == n_conv


def test_failed_integrity_check_recovers_all_readable_rows(tmp_path: Path) -> None:
    db = tmp_path / "chats.sqlite3"
    contents = _fill(db)
    con = sqlite3.connect(db)
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    # Damage an index page (the text stays readable, the index does not match it).
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = "
                       "'messages_by_conversation'").fetchone()[0]
    con.close()
    with db.open("r+b") as fh:
        fh.seek((root - 1) * page_size + 100)
        fh.write(random.Random(11).randbytes(200))
    con = sqlite3.connect(db)
    try:
        verdict = con.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        verdict = str(exc)
    con.close()
    assert verdict != "ok"
    with ChatStore(db) as store:
        assert len(store.list_conversations()) == N_CONV
        rec = store.recovery
    assert rec is not None and rec.messages_recovered == len(contents)
    assert _check_recovered(db, contents) == (N_CONV, len(contents))


def test_a_healthy_file_is_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "chats.sqlite3"
    _fill(db)
    opened = open_database(db)
    opened.connection.close()
    assert opened.recovery is None and opened.read_only_reason is None
    assert _kept(tmp_path, "chats") == []


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder holding a chat database that then becomes read-only: a read-only
    tmpfs remount as root, else permission bits."""
    folder = tmp_path / "ro data"
    folder.mkdir()
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    mounted = is_root and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)],
        capture_output=True, check=False).returncode == 0
    try:
        _fill(folder / "chats.sqlite3")
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        else:
            folder.chmod(0o555)
        yield folder
    finally:
        if mounted:
            # lazily: the test's own database handle may still be open, and a plain
            # umount then fails and leaves a read-only mount that pytest's later
            # clean-up of old temporary folders cannot delete
            subprocess.run(["umount", "-l", str(folder)], check=False)
        else:
            folder.chmod(0o755)


def test_read_only_data_folder_is_named_and_still_readable(read_only_folder: Path) -> None:
    db = read_only_folder / "chats.sqlite3"
    with pytest.raises(StoreError, match="cannot write to the folder") as info:
        open_database(db)
    assert str(read_only_folder) in str(info.value)
    opened = open_database(db, allow_read_only=True)
    try:
        assert opened.read_only_reason is not None
        assert "reading only" in opened.read_only_reason
        count = opened.connection.execute("SELECT count(*) FROM conversations").fetchone()[0]
        assert count == N_CONV
        with pytest.raises(sqlite3.Error):
            opened.connection.execute("DELETE FROM conversations")
    finally:
        opened.connection.close()
