"""ChatStore's conversations: create, list, rename, settings, trash and purge."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from app.core.errors import StoreError
from app.store.db import transaction
from app.store.records import Conversation
from app.store.rows import CONVERSATION_COLUMNS, conversation_from_row, dump_json, missing
from app.store.store_core import StoreCore

DEFAULT_TITLE = "New chat"


def clean_title(title: str) -> str:
    """A title with its whitespace collapsed.

    Raises:
        StoreError: nothing but whitespace is left.
    """
    cleaned = " ".join(title.split())
    if not cleaned:
        raise StoreError("A conversation title cannot be empty. Type a few words as its title.")
    return cleaned


class ConversationsMixin(StoreCore):
    """The rows of the conversation list (the sidebar and its trash)."""

    def create_conversation(
        self, title: str = DEFAULT_TITLE, settings: Mapping[str, Any] | None = None
    ) -> Conversation:
        """Start an empty conversation."""
        now = time.time()
        conn = self._db()
        with transaction(conn):
            cur = conn.execute(
                "INSERT INTO conversations (title, created_at, updated_at, settings) "
                "VALUES (?, ?, ?, ?)",
                (clean_title(title), now, now, dump_json(settings)),
            )
        return self.get_conversation(int(cur.lastrowid or 0))

    def get_conversation(self, conversation_id: int) -> Conversation:
        """The conversation with this id (also when it is in the trash)."""
        row = self._db().execute(
            f"SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = ?",
            (conversation_id,),
        ).fetchone()
        if row is None:
            raise missing("conversation", conversation_id)
        return conversation_from_row(row)

    def list_conversations(self, *, deleted: bool = False) -> list[Conversation]:
        """Live conversations (or, with deleted=True, the trash), newest activity first."""
        where = "deleted_at IS NOT NULL" if deleted else "deleted_at IS NULL"
        rows = self._db().execute(
            f"SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE {where} "
            "ORDER BY updated_at DESC, id DESC"
        ).fetchall()
        return [conversation_from_row(r) for r in rows]

    def rename_conversation(self, conversation_id: int, title: str) -> Conversation:
        """Give a conversation a new title."""
        self._update_conversation(
            conversation_id, "title = ?, updated_at = ?", (clean_title(title), time.time())
        )
        return self.get_conversation(conversation_id)

    def set_conversation_settings(
        self, conversation_id: int, settings: Mapping[str, Any]
    ) -> Conversation:
        """Replace a conversation's settings overrides (a JSON object)."""
        self._update_conversation(conversation_id, "settings = ?", (dump_json(settings),))
        return self.get_conversation(conversation_id)

    def delete_conversation(self, conversation_id: int) -> None:
        """Move a conversation to the trash; restore_conversation undoes it."""
        self._update_conversation(conversation_id, "deleted_at = ?", (time.time(),))

    def restore_conversation(self, conversation_id: int) -> Conversation:
        """Bring a conversation back from the trash."""
        self._update_conversation(conversation_id, "deleted_at = NULL", ())
        return self.get_conversation(conversation_id)

    def purge_conversation(self, conversation_id: int) -> None:
        """Delete a conversation and all its messages for good."""
        conn = self._db()
        with transaction(conn):
            cur = conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            if cur.rowcount == 0:
                raise missing("conversation", conversation_id)

    def purge_deleted(self, older_than_s: float = 0.0) -> int:
        """Empty the trash of conversations deleted at least `older_than_s` ago.

        Returns:
            How many conversations were removed.
        """
        conn = self._db()
        with transaction(conn):
            cur = conn.execute(
                "DELETE FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at <= ?",
                (time.time() - older_than_s,),
            )
        return int(cur.rowcount)

    def _update_conversation(
        self, conversation_id: int, assignments: str, args: tuple[Any, ...]
    ) -> None:
        conn = self._db()
        with transaction(conn):
            cur = conn.execute(
                f"UPDATE conversations SET {assignments} WHERE id = ?", (*args, conversation_id)
            )
            if cur.rowcount == 0:
                raise missing("conversation", conversation_id)
