"""A damaged chat database: moved aside (with its -wal and -shm), salvaged into a fresh one.

A file that is not SQLite at all, a truncated one, or one that fails SQLite's
integrity check is renamed to ``<name>.damaged-<YYYYmmdd-HHMMSS><suffix>``
next to where it was, together with its ``-wal`` and ``-shm`` files (so it
can still be opened as it was). The conversations and messages that can
still be read are copied into the new database with their ids. The salvage
reads a copy in a temporary folder, so the kept file stays exactly as found.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import StoreError

SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
SQLITE_MAGIC = b"SQLite format 3\x00"
_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_MAX_SKIP = 1 << 20
Row = tuple[object, ...]  # how far past an unreadable row id to look for readable rows


@dataclass(frozen=True)
class DatabaseRecovery:
    """What happened to a damaged chat database, for the window to tell the user.

    Attributes:
        damaged_path: where the damaged file is kept now.
        moved_files: every file moved aside (the database, its -wal, -shm).
        reason: what was wrong, in SQLite's words.
        conversations_recovered: conversations copied into the new database.
        messages_recovered: messages copied into the new database.
    """

    damaged_path: Path
    moved_files: tuple[Path, ...]
    reason: str
    conversations_recovered: int
    messages_recovered: int

    @property
    def message(self) -> str:
        """One or two sentences for the user."""
        if self.conversations_recovered:
            saved = (f"{self.conversations_recovered} conversation(s) with "
                     f"{self.messages_recovered} message(s) could still be read and were "
                     "copied into a new database.")
        else:
            saved = "No conversations could be read from it; Ponder starts with an empty history."
        return (f"The chat database was damaged ({self.reason}). {saved} The damaged file is "
                f"kept at {self.damaged_path} in case you want to try another recovery tool.")


def is_damage(exc: sqlite3.Error) -> bool:
    """Whether an SQLite error means the file is damaged (not locked, not read-only)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _CORRUPT_CODES:
        return True
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


def integrity_problem(conn: sqlite3.Connection) -> str | None:
    """SQLite's first complaint from integrity_check, or None when the file is sound."""
    rows = conn.execute("PRAGMA integrity_check(5)").fetchall()
    first = str(rows[0][0]) if rows else "no answer"
    return None if first == "ok" else first


def _free_name(path: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        extra = "" if n == 1 else f"-{n}"
        candidate = path.with_name(f"{path.stem}.damaged-{stamp}{extra}{path.suffix}")
        if not any(Path(f"{candidate}{s}").exists() for s in ("", *SIDE_SUFFIXES)):
            return candidate
    raise StoreError(f"Ponder could not find a free name to keep the damaged {path}.")


def move_aside(path: Path) -> tuple[Path, tuple[Path, ...]]:
    """Rename the database and its side files to a dated name; return (new path, all moved).

    Raises:
        StoreError: the files cannot be renamed (read-only folder).
    """
    dest = _free_name(path)
    moved: list[Path] = []
    try:
        for suffix in ("", *SIDE_SUFFIXES):
            src = Path(f"{path}{suffix}")
            if src.exists():
                target = Path(f"{dest}{suffix}")
                os.replace(src, target)
                moved.append(target)
    except OSError as exc:
        raise StoreError(
            f"The chat database {path} is damaged, and Ponder could not move it aside "
            f"({exc.strerror or exc}). Move it (and any -wal/-shm files next to it) out of "
            "the folder yourself and start Ponder again."
        ) from exc
    return dest, tuple(moved)


@contextlib.contextmanager
def _readable_copy(damaged: Path) -> Iterator[sqlite3.Connection | None]:
    """A connection to a private copy of the damaged files (None when SQLite refuses it)."""
    with tempfile.TemporaryDirectory(prefix="ponder-salvage-") as tmp:
        copy = Path(tmp) / "salvage.sqlite3"
        for suffix in ("", "-wal"):
            src = Path(f"{damaged}{suffix}")
            if src.exists():
                shutil.copyfile(src, Path(f"{copy}{suffix}"))
        _fit_header_to_file(copy)
        try:
            conn = sqlite3.connect(copy, isolation_level=None)
        except sqlite3.Error:
            yield None
            return
        try:
            yield conn
        finally:
            conn.close()


def _fit_header_to_file(copy: Path) -> None:
    """Make a truncated copy self-consistent: whole pages, and a header page count that
    matches them (SQLite refuses every read of a file shorter than its header says)."""
    with contextlib.suppress(OSError), copy.open("r+b") as fh:
        header = fh.read(100)
        if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
            return
        page_size = int.from_bytes(header[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        if page_size < 512:
            return
        fh.seek(0, os.SEEK_END)
        pages = fh.tell() // page_size
        if int.from_bytes(header[28:32], "big") > pages:
            fh.truncate(pages * page_size)
            fh.seek(28)
            fh.write(pages.to_bytes(4, "big"))


def has_sqlite_header(path: Path) -> bool:
    """Whether the file starts like an SQLite database (an empty file counts as new)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError:
        return True  # let SQLite report what is wrong with it
    return not head or head == SQLITE_MAGIC


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    try:
        return [str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})")]
    except sqlite3.Error:
        return []


def _rows(conn: sqlite3.Connection, table: str, cols: list[str]) -> Iterator[Row]:
    """Every readable row of `table` by id, stepping over unreadable stretches."""
    select = f"SELECT {', '.join(cols)} FROM {table} WHERE id > ? ORDER BY id"
    last, skip = -1, 1
    while skip <= _MAX_SKIP:
        try:
            cursor = conn.execute(select, (last,))
            for row in cursor:
                last, skip = int(row[0]), 1
                yield row
            return
        except (sqlite3.Error, TypeError, ValueError):
            last, skip = last + skip, skip * 2


def salvage(damaged: Path, fresh: sqlite3.Connection) -> tuple[int, int]:
    """Copy what can be read from `damaged` into `fresh`; return (conversations, messages)."""
    with _readable_copy(damaged) as old:
        if old is None:
            return 0, 0
        want_conv = _columns(fresh, "conversations")
        want_msg = _columns(fresh, "messages")
        conv_cols = [c for c in want_conv if c in _columns(old, "conversations")]
        msg_cols = [c for c in want_msg if c in _columns(old, "messages")]
        conversations = list(_rows(old, "conversations", conv_cols)) if "id" in conv_cols else []
        messages = list(_rows(old, "messages", msg_cols)) if {
            "id", "conversation_id", "role"} <= set(msg_cols) else []
    return _insert(fresh, conv_cols, conversations, msg_cols, messages)


def _insert(fresh: sqlite3.Connection, conv_cols: list[str], conversations: list[Row],
            msg_cols: list[str], messages: list[Row]) -> tuple[int, int]:
    n_conv = n_msg = 0
    conv_ids: set[int] = set()
    msg_ids: set[int] = set()
    now = dt.datetime.now().timestamp()
    fresh.execute("BEGIN IMMEDIATE")
    try:
        for row in conversations:
            with contextlib.suppress(sqlite3.Error):
                fresh.execute(f"INSERT INTO conversations ({', '.join(conv_cols)}) VALUES "
                              f"({', '.join('?' * len(conv_cols))})", row)
                conv_ids.add(int(row[0]))  # type: ignore[call-overload]
                n_conv += 1
        ci = msg_cols.index("conversation_id") if messages else 0
        pi = msg_cols.index("parent_id") if "parent_id" in msg_cols else None
        for raw in messages:
            values = list(raw)
            conv = values[ci]
            if not isinstance(conv, int):
                continue
            if conv not in conv_ids:  # its conversation was unreadable: give it a new one
                with contextlib.suppress(sqlite3.Error):
                    fresh.execute("INSERT INTO conversations (id, title, created_at, updated_at) "
                                  "VALUES (?, ?, ?, ?)", (conv, "Recovered conversation", now, now))
                    conv_ids.add(conv)
                    n_conv += 1
            if pi is not None and values[pi] is not None and values[pi] not in msg_ids:
                values[pi] = None  # the parent was unreadable: this message starts a branch
            with contextlib.suppress(sqlite3.Error):
                fresh.execute(f"INSERT INTO messages ({', '.join(msg_cols)}) VALUES "
                              f"({', '.join('?' * len(msg_cols))})", values)
                msg_ids.add(int(values[0]))  # type: ignore[call-overload]
                n_msg += 1
        fresh.execute("COMMIT")
    except BaseException:
        if fresh.in_transaction:
            fresh.execute("ROLLBACK")
        raise
    return n_conv, n_msg
