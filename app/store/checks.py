"""ChatStore's answer checks: a vote ("vote") or the student's answer ("student") per message.

One row per (message, kind) in `answer_checks` (schema 3), the data as JSON
(app.tutor.vote.VoteResult.to_dict for a vote). Saving again replaces the
row; deleting the message deletes its checks (a foreign key with cascade).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Mapping
from typing import Any

from app.core.errors import StoreError
from app.store.db import transaction
from app.store.records import JsonDict
from app.store.rows import missing
from app.store.store_core import StoreCore

VOTE = "vote"
"""The kind of a self-consistency vote."""

STUDENT = "student"
"""The kind of the student's own answer compared with the model's."""


class ChecksMixin(StoreCore):
    """Checks saved with their message."""

    def save_check(self, message_id: int, data: Mapping[str, Any], kind: str = VOTE) -> None:
        """Keep `data` (JSON-ready) as the message's check of `kind`, replacing an older one.

        Raises:
            StoreError: the message is gone, the data is not JSON, or SQLite failed.
        """
        try:
            text = json.dumps(dict(data), ensure_ascii=False, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"The answer check cannot be saved ({exc}).") from exc
        conn = self._db()
        with transaction(conn):
            found = conn.execute("SELECT 1 FROM messages WHERE id = ?", (message_id,))
            if found.fetchone() is None:
                raise missing("message", message_id)
            conn.execute(
                "INSERT INTO answer_checks (message_id, kind, data, updated_at) "
                "VALUES (?, ?, ?, ?) "
                "ON CONFLICT (message_id, kind) DO UPDATE SET data = excluded.data, "
                "updated_at = excluded.updated_at",
                (message_id, kind, text, time.time()),
            )

    def load_check(self, message_id: int, kind: str = VOTE) -> JsonDict | None:
        """The message's saved check of `kind`, or None (also in an old read-only file)."""
        try:
            row = self._db().execute(
                "SELECT data FROM answer_checks WHERE message_id = ? AND kind = ?",
                (message_id, kind),
            ).fetchone()
        except sqlite3.OperationalError:
            return None  # a read-only file of an older schema has no such table
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except json.JSONDecodeError:
            return None
        return value if isinstance(value, dict) else None
