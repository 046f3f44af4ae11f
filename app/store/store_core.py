"""The connection every part of ChatStore shares, and what opening a store does."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.core.errors import StoreError
from app.store.db import open_database, transaction
from app.store.pending import PendingStreams
from app.store.recovery import DatabaseRecovery
from app.store.schema import SearchMode, search_mode_of


class StoreCore:
    """One SQLite connection, its search mode and the streamed-text buffer.

    Args:
        path: the database file (created with its folder if missing).
        recover_interrupted: mark replies left `streaming` as `interrupted`.
        flush_interval_s: the least time between two automatic commits of
            streamed text.
    """

    def __init__(
        self,
        path: Path,
        *,
        recover_interrupted: bool = True,
        flush_interval_s: float = 0.25,
    ) -> None:
        self._path = Path(path)
        opened = open_database(self._path, allow_read_only=True)
        self._conn = opened.connection
        self.recovery: DatabaseRecovery | None = opened.recovery
        """Set when the file was damaged and replaced: say so in the window."""
        self.read_only_reason: str | None = opened.read_only_reason
        """Set when the folder cannot be written: history readable, nothing saved."""
        self._mode = search_mode_of(self._conn)
        self._pending = PendingStreams(flush_interval_s)
        self._closed = False
        self.recovered_ids: tuple[int, ...] = ()
        """Messages this store marked `interrupted` when it opened."""
        if recover_interrupted and self.read_only_reason is None:
            self.recovered_ids = self._recover_interrupted()

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def search_mode(self) -> SearchMode:
        """How this database searches (trigram FTS5, word FTS5, or LIKE)."""
        return self._mode

    @property
    def is_closed(self) -> bool:
        """True after close()."""
        return self._closed

    def _db(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError("The chat database is closed. Restart Ponder to open it again.")
        return self._conn

    def _recover_interrupted(self) -> tuple[int, ...]:
        conn = self._db()
        with transaction(conn):
            ids = [r[0] for r in conn.execute("SELECT id FROM messages WHERE status = 'streaming'")]
            conn.execute(
                "UPDATE messages SET status = 'interrupted' WHERE status = 'streaming'"
            )
        return tuple(int(i) for i in ids)

    @staticmethod
    def _touch_conversation_of(conn: sqlite3.Connection, message_id: int, now: float) -> None:
        """Mark the conversation holding a message as active at `now`."""
        conn.execute(
            "UPDATE conversations SET updated_at = ? WHERE id = "
            "(SELECT conversation_id FROM messages WHERE id = ?)",
            (now, message_id),
        )
