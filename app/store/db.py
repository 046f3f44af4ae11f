"""Opening the SQLite file: pragmas, migrations, clear errors, transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.core.errors import StoreError
from app.store.schema import migrate

BUSY_TIMEOUT_MS = 5000


def open_connection(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the chat database at `path`.

    The connection is in autocommit mode; write through `transaction()`.
    WAL with synchronous=NORMAL keeps every committed transaction across a
    killed process (only a power cut may lose the last few).

    Raises:
        StoreError: the file cannot be created or read, is not a Ponder
            database, or comes from a newer Ponder.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"Ponder cannot create the folder for its chat database ({path.parent}: "
            f"{exc.strerror}). Check that the folder is writable, or set PONDER_HOME "
            "to a writable folder."
        ) from exc
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(
            f"Ponder cannot open its chat database {path} ({exc}). Check that the file "
            "is readable and writable."
        ) from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(
            f"The file {path} is not a Ponder chat database or it is damaged ({exc}). "
            "Move it aside (or restore a backup) and start Ponder again; a new, empty "
            "database will be created."
        ) from exc
    except StoreError:
        conn.close()
        raise
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception.

    Raises:
        StoreError: SQLite failed (disk full, read-only file, locked too long);
            nothing of the transaction was written.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise StoreError(
            f"Ponder could not save to its chat database ({exc}). Nothing was changed; "
            "check that the disk has free space and the file is writable, then try again."
        ) from exc
