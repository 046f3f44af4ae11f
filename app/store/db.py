"""Opening the SQLite file: pragmas, migrations, damage recovery, clear errors, transactions."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import StoreError
from app.core.paths import folder_write_problem
from app.store.recovery import (
    DatabaseRecovery,
    has_sqlite_header,
    integrity_problem,
    is_damage,
    move_aside,
    salvage,
)
from app.store.schema import migrate

BUSY_TIMEOUT_MS = 5000
FULL_CHECK_LIMIT = 256 * 1024 * 1024
"""Files up to this size get integrity_check at open; larger ones quick_check."""


@dataclass(frozen=True)
class OpenedDatabase:
    """The result of opening the chat database.

    Attributes:
        connection: autocommit connection; write through `transaction()`.
        recovery: set when the file was damaged and replaced (say so in the window).
        read_only_reason: set when the folder cannot be written: the history
            opens for reading only, and this sentence says why and what to do.
    """

    connection: sqlite3.Connection
    recovery: DatabaseRecovery | None = None
    read_only_reason: str | None = None


_recoveries: dict[str, DatabaseRecovery] = {}
_recoveries_lock = threading.Lock()


def take_recovery(path: Path) -> DatabaseRecovery | None:
    """The recovery that `open_connection(path)` did in this process, once (then None).

    For callers that open through ``open_connection`` (ChatStore) and want to
    tell the user afterwards.
    """
    with _recoveries_lock:
        return _recoveries.pop(str(Path(path).absolute()), None)


def open_connection(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the chat database at `path`.

    A damaged file is moved aside and replaced (see `open_database`); the
    report is kept for `take_recovery(path)`.

    Raises:
        StoreError: the file cannot be created or read, comes from a newer
            Ponder, or is damaged and cannot be moved aside.
    """
    opened = open_database(path)
    if opened.recovery is not None:
        with _recoveries_lock:
            _recoveries[str(Path(path).absolute())] = opened.recovery
    return opened.connection


def open_database(path: Path, *, allow_read_only: bool = False) -> OpenedDatabase:
    """Open the chat database, recovering from a damaged file.

    The connection is in autocommit mode; write through `transaction()`.
    WAL with synchronous=NORMAL keeps every committed transaction across a
    killed process (only a power cut may lose the last few).

    A file that is not SQLite, is truncated, or fails the integrity check is
    moved aside with its -wal and -shm files under a dated name, a fresh
    database is created, and the conversations still readable are copied
    into it; `recovery` says where the old file is.

    Args:
        path: the database file.
        allow_read_only: when the folder or file cannot be written, open the
            existing file read-only (with `read_only_reason`) instead of failing.

    Raises:
        StoreError: the file cannot be created or read, comes from a newer
            Ponder, or is damaged and cannot be moved aside.
    """
    problem = folder_write_problem(path.parent, "chat database")
    if problem is not None:
        if allow_read_only and path.is_file():
            return OpenedDatabase(
                _open_read_only(path),
                read_only_reason=f"{problem} Until then your conversations open for reading only.",
            )
        raise StoreError(problem)
    try:
        conn = _open_checked(path)
    except _Damaged as damaged:
        return _recover(path, damaged.reason)
    return OpenedDatabase(conn)


class _Damaged(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _connect(path: Path) -> sqlite3.Connection:
    try:
        return sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(
            f"Ponder cannot open its chat database {path} ({exc}). Check that the file "
            "is readable and writable."
        ) from exc


def _check_existing(path: Path) -> None:
    """Raise _Damaged when an existing file is damaged, without changing it or its -wal.

    The check runs on a read-only connection: a read-write one would checkpoint
    and delete the -wal when it closes, altering the file that is kept aside.
    """
    if not has_sqlite_header(path):
        raise _Damaged("file is not a database")
    try:
        conn = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True,
                               timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error:
        return  # not readable this way (e.g. no -shm allowed): the normal open reports it
    try:
        bad = (integrity_problem(conn) if path.stat().st_size <= FULL_CHECK_LIMIT
               else _quick_problem(conn))
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise _Damaged(str(exc)) from exc
        return
    finally:
        conn.close()
    if bad is not None:
        raise _Damaged(bad)


def _open_checked(path: Path) -> sqlite3.Connection:
    """Open, check integrity, set pragmas and migrate; _Damaged when the file is damaged."""
    if path.exists() and path.stat().st_size > 0:
        _check_existing(path)
    conn = _connect(path)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if is_damage(exc):
            raise _Damaged(str(exc)) from exc
        raise StoreError(
            f"Ponder cannot use its chat database {path} ({exc}). Close other programs "
            "that may hold it and start Ponder again."
        ) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _quick_problem(conn: sqlite3.Connection) -> str | None:
    first = conn.execute("PRAGMA quick_check(5)").fetchone()
    return None if first and first[0] == "ok" else str(first[0] if first else "no answer")


def _recover(path: Path, reason: str) -> OpenedDatabase:
    damaged, moved = move_aside(path)
    try:
        conn = _open_checked(path)
    except _Damaged as again:  # a fresh file cannot be damaged; say so plainly if it is
        raise StoreError(
            f"Ponder could not create a new chat database at {path} ({again.reason}). "
            "Check the disk and start Ponder again."
        ) from again
    try:
        conversations, messages = salvage(damaged, conn)
    except sqlite3.Error:
        conversations = messages = 0  # the fresh database stays empty; the old one is kept
    recovery = DatabaseRecovery(damaged, moved, reason, conversations, messages)
    return OpenedDatabase(conn, recovery=recovery)


def _open_read_only(path: Path) -> sqlite3.Connection:
    uri = path.absolute().as_uri()
    for mode in ("?mode=ro", "?immutable=1"):
        try:
            conn = sqlite3.connect(uri + mode, uri=True, isolation_level=None)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.Error:
            continue
    raise StoreError(
        f"Ponder cannot read its chat database {path}, and its folder is read-only. "
        "Check the folder's permissions."
    )


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
