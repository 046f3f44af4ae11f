"""Schema versions: upgrade from older files, refuse newer ones and non-databases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core.errors import StoreError
from app.store.chat_store import ChatStore
from app.store.records import MessageStatus
from app.store.schema import SCHEMA_VERSION, SearchMode

# The schema of user_version 1 as released (conversations and the message
# tree, no search index), written here by hand so the test does not depend on
# the migration code it checks.
V1_SCHEMA = """
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL, created_at REAL NOT NULL,
    updated_at REAL NOT NULL, deleted_at REAL, settings TEXT NOT NULL DEFAULT '{}',
    active_root_id INTEGER);
CREATE INDEX conversations_by_activity ON conversations (deleted_at, updated_at DESC);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES messages (id),
    role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content TEXT NOT NULL DEFAULT '', reasoning TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'complete' CHECK (status IN
        ('streaming', 'complete', 'interrupted', 'cancelled', 'error')),
    created_at REAL NOT NULL, updated_at REAL NOT NULL, model TEXT NOT NULL DEFAULT '',
    params TEXT NOT NULL DEFAULT '{}', stats TEXT NOT NULL DEFAULT '{}', thinking_s REAL,
    boxed TEXT, reasoning_collapsed INTEGER NOT NULL DEFAULT 0, active_child_id INTEGER);
CREATE INDEX messages_by_conversation ON messages (conversation_id, parent_id, id);
CREATE INDEX messages_by_parent ON messages (parent_id);
CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming';
INSERT INTO conversations VALUES (1, 'Old chat about primes', 10, 20, NULL, '{"top_p": 0.9}', 1);
INSERT INTO messages (id, conversation_id, parent_id, role, content, reasoning, status,
                      created_at, updated_at, active_child_id)
VALUES (1, 1, NULL, 'user', 'Is 91 prime?', '', 'complete', 10, 10, 2),
       (2, 1, 1, 'assistant', 'No: 91 = 7 × 13.', 'Try small divisors.', 'complete', 11, 12, NULL),
       (3, 1, 2, 'user', 'And 97?', '', 'complete', 13, 13, 4),
       (4, 1, 3, 'assistant', '97 is pri', 'Check up to 9.', 'streaming', 14, 15, NULL);
PRAGMA user_version = 1;
"""


@pytest.fixture
def v1_file(tmp_path: Path) -> Path:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    conn.close()
    return path


def _user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_upgrade_from_v1_keeps_data_and_indexes_it(v1_file: Path) -> None:
    with ChatStore(v1_file) as store:
        assert _user_version(v1_file) == SCHEMA_VERSION
        conv = store.list_conversations()[0]
        assert conv.title == "Old chat about primes" and conv.settings == {"top_p": 0.9}
        path = store.active_path(conv.id)
        assert [m.content for m in path] == ["Is 91 prime?", "No: 91 = 7 × 13.", "And 97?",
                                             "97 is pri"]
        assert path[-1].status is MessageStatus.INTERRUPTED
        assert store.recovered_ids == (4,)
        # Old messages were put into the new search index.
        assert store.search_mode is not SearchMode.LIKE
        assert [h.message_id for h in store.search("divisors")] == [2]
        assert [h.message_id for h in store.search("primes")] == [None]
        assert [h.message_id for h in store.search("Check")] == [4]
        # And the upgraded file works like a new one.
        reply = store.regenerate(4)
        store.append_stream(reply.id, "", "97 is prime.")
        store.finish_stream(reply.id)
        assert [h.message_id for h in store.search('"97 is prime"')] == [reply.id]
    with ChatStore(v1_file) as again:  # a second open finds nothing to migrate
        assert _user_version(v1_file) == SCHEMA_VERSION
        assert len(again.active_path(1)) == 4


def test_new_file_gets_latest_version(db_file: Path) -> None:
    ChatStore(db_file).close()
    assert _user_version(db_file) == SCHEMA_VERSION
    conn = sqlite3.connect(db_file)
    ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    assert ok == "ok"


def test_newer_database_is_refused_untouched(db_file: Path) -> None:
    ChatStore(db_file).close()
    conn = sqlite3.connect(db_file)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    before = db_file.read_bytes()
    with pytest.raises(StoreError, match="newer version of Ponder") as info:
        ChatStore(db_file)
    assert "Update Ponder" in str(info.value)
    assert _user_version(db_file) == SCHEMA_VERSION + 5
    assert db_file.read_bytes() == before


@pytest.mark.parametrize(
    "content", [b"<html>404 Not Found</html>" * 40, b"\x00" * 4096, b"SQLite format 3\x00junk"]
)
def test_not_a_database(tmp_path: Path, content: bytes) -> None:
    # Issue 11: no longer an error; the file is kept aside intact and a fresh one starts.
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(content)
    with ChatStore(path) as store:
        assert store.list_conversations() == []
    kept = list(tmp_path.glob("broken.damaged-*.sqlite3"))
    assert len(kept) == 1 and kept[0].read_bytes() == content


def test_unwritable_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create the folder"):
        ChatStore(blocker / "sub" / "chat.sqlite3")


def test_failed_migration_leaves_old_version(v1_file: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from app.store import schema

    def broken(conn: sqlite3.Connection) -> str:
        return "CREATE TABLE half_done (x); INSERT INTO no_such_table VALUES (1);"

    monkeypatch.setattr(schema, "MIGRATIONS", (schema.MIGRATIONS[0], broken))
    with pytest.raises(StoreError, match="could not upgrade"):
        ChatStore(v1_file)
    assert _user_version(v1_file) == 1
    conn = sqlite3.connect(v1_file)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert "half_done" not in names
