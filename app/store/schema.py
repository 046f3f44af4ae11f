"""The database schema as an ordered list of migrations, keyed by `user_version`.

Migration N (1-based) takes a database from `user_version` N-1 to N. Each one
runs in its own transaction together with the version bump, so a crash in the
middle leaves the database at the previous version. A database whose version
is newer than this code knows is refused: writing to it could destroy data
that a newer Ponder put there.

Search uses FTS5 with the trigram tokenizer where the SQLite build has it
(substring matches in any script, Chinese included), plain FTS5 where only that
exists, and no index at all (LIKE scans) where FTS5 is missing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from app.core.errors import StoreError


class SearchMode(str, Enum):
    """How full-text search works in this database."""

    TRIGRAM = "trigram"
    """FTS5 with the trigram tokenizer: substring matches, terms of 3+ characters."""
    WORDS = "words"
    """FTS5 with the unicode61 tokenizer: whole-word (and prefix) matches."""
    LIKE = "like"
    """No FTS5 in this SQLite build: LIKE scans over the tables."""


_V1_CORE = """
CREATE TABLE conversations (
    id             INTEGER PRIMARY KEY,
    title          TEXT    NOT NULL,
    created_at     REAL    NOT NULL,
    updated_at     REAL    NOT NULL,
    deleted_at     REAL,
    settings       TEXT    NOT NULL DEFAULT '{}',
    active_root_id INTEGER
);
CREATE INDEX conversations_by_activity ON conversations (deleted_at, updated_at DESC);

CREATE TABLE messages (
    id                  INTEGER PRIMARY KEY,
    conversation_id     INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    parent_id           INTEGER REFERENCES messages (id),
    role                TEXT    NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content             TEXT    NOT NULL DEFAULT '',
    reasoning           TEXT    NOT NULL DEFAULT '',
    status              TEXT    NOT NULL DEFAULT 'complete' CHECK (status IN
                            ('streaming', 'complete', 'interrupted', 'cancelled', 'error')),
    created_at          REAL    NOT NULL,
    updated_at          REAL    NOT NULL,
    model               TEXT    NOT NULL DEFAULT '',
    params              TEXT    NOT NULL DEFAULT '{}',
    stats               TEXT    NOT NULL DEFAULT '{}',
    thinking_s          REAL,
    boxed               TEXT,
    reasoning_collapsed INTEGER NOT NULL DEFAULT 0,
    active_child_id     INTEGER
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, parent_id, id);
CREATE INDEX messages_by_parent ON messages (parent_id);
CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming';
"""
# active_root_id / active_child_id are plain integers, not foreign keys: when
# the remembered child is deleted the reader falls back to the newest sibling,
# and deleting a long chain needs no cascade that could hit SQLite's trigger
# depth limit.


def _fts_script(tokenizer: str) -> str:
    # Own-content FTS tables (not external content): rows are deleted by rowid,
    # so a message can stay out of the index while it streams and join it when
    # it ends, without the old-values bookkeeping external content needs.
    return f"""
CREATE VIRTUAL TABLE messages_fts USING fts5 (content, reasoning, tokenize = '{tokenizer}');
CREATE VIRTUAL TABLE conversations_fts USING fts5 (title, tokenize = '{tokenizer}');

INSERT INTO messages_fts (rowid, content, reasoning)
    SELECT id, content, reasoning FROM messages WHERE status != 'streaming';
INSERT INTO conversations_fts (rowid, title) SELECT id, title FROM conversations;

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
WHEN new.status != 'streaming' BEGIN
    INSERT INTO messages_fts (rowid, content, reasoning)
        VALUES (new.id, new.content, new.reasoning);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, reasoning, status ON messages
WHEN new.status != 'streaming' OR old.status != 'streaming' BEGIN
    DELETE FROM messages_fts WHERE rowid = old.id;
    INSERT INTO messages_fts (rowid, content, reasoning)
        SELECT new.id, new.content, new.reasoning WHERE new.status != 'streaming';
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    DELETE FROM messages_fts WHERE rowid = old.id;
END;
CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversations_fts (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title ON conversations BEGIN
    DELETE FROM conversations_fts WHERE rowid = old.id;
    INSERT INTO conversations_fts (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN
    DELETE FROM conversations_fts WHERE rowid = old.id;
END;
"""


def _probe_tokenizer(conn: sqlite3.Connection, tokenizer: str) -> bool:
    try:
        conn.execute(
            f"CREATE VIRTUAL TABLE temp.fts_probe USING fts5 (x, tokenize = '{tokenizer}')"
        )
    except sqlite3.OperationalError:
        return False
    conn.execute("DROP TABLE temp.fts_probe")
    return True


def best_search_mode(conn: sqlite3.Connection) -> SearchMode:
    """The best search this SQLite build supports."""
    if _probe_tokenizer(conn, "trigram"):
        return SearchMode.TRIGRAM
    if _probe_tokenizer(conn, "unicode61 remove_diacritics 2"):
        return SearchMode.WORDS
    return SearchMode.LIKE


def search_mode_of(conn: sqlite3.Connection) -> SearchMode:
    """How search works in this (migrated) database, read from its schema."""
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'messages_fts'"
    ).fetchone()
    if row is None:
        return SearchMode.LIKE
    return SearchMode.TRIGRAM if "trigram" in str(row[0]) else SearchMode.WORDS


def _v1(conn: sqlite3.Connection) -> str:
    return _V1_CORE


def _v2(conn: sqlite3.Connection) -> str:
    mode = best_search_mode(conn)
    if mode is SearchMode.TRIGRAM:
        return _fts_script("trigram")
    if mode is SearchMode.WORDS:
        return _fts_script("unicode61 remove_diacritics 2")
    return ""


_V3_CHECKS = """
CREATE TABLE answer_checks (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    data       TEXT    NOT NULL,
    updated_at REAL    NOT NULL,
    PRIMARY KEY (message_id, kind)
);
"""
# An answer's checks (app.store.checks): a vote over samples, the student's answer.


def _v3(conn: sqlite3.Connection) -> str:
    return _V3_CHECKS


MIGRATIONS: tuple[Callable[[sqlite3.Connection], str], ...] = (_v1, _v2, _v3)
"""Each entry returns the SQL script that takes version i to i+1."""

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    """The database's `user_version`."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: Path) -> int:
    """Bring the database up to SCHEMA_VERSION; return the version it had.

    Args:
        conn: a connection in autocommit mode (isolation_level None).
        path: the file, named in error messages.

    Raises:
        StoreError: the database comes from a newer Ponder, or a migration failed.
    """
    found = schema_version(conn)
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"The chat database {path} was written by a newer version of Ponder "
            f"(schema {found}; this version knows up to {SCHEMA_VERSION}). "
            "Update Ponder to open it, or move the file aside to start with an empty history."
        )
    for version in range(found + 1, SCHEMA_VERSION + 1):
        script = MIGRATIONS[version - 1](conn)
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;"
            )
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(
                f"Ponder could not upgrade the chat database {path} to schema {version} "
                f"({exc}). Your conversations are unchanged; make sure the disk is not "
                "full or read-only and start Ponder again."
            ) from exc
    return found
