"""ChatStore's changes to the message tree: add, branch, switch branch, delete.

Editing a user message or regenerating an answer adds a sibling instead of
overwriting, so every earlier branch stays reachable; each parent remembers
its active child (the root's choice is kept on the conversation).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping
from typing import Any

from app.core.errors import StoreError
from app.store.db import transaction
from app.store.records import ROLES, MessageStatus, StoredMessage
from app.store.rows import dump_json, missing
from app.store.tree_reads import TreeReadsMixin


class TreeWritesMixin(TreeReadsMixin):
    """Adding messages and branches, choosing the active branch, deleting subtrees."""

    def activate(self, message_id: int) -> None:
        """Make the branch through this message the active one (the `< i/n >` switch).

        Every ancestor also becomes the active child of its parent, so the
        message is on `active_path` afterwards.
        """
        conn = self._db()
        with transaction(conn):
            self._activate_in_tx(conn, message_id)

    def _activate_in_tx(self, conn: sqlite3.Connection, message_id: int) -> None:
        row = conn.execute(
            "SELECT conversation_id, parent_id FROM messages WHERE id = ?", (message_id,)
        ).fetchone()
        if row is None:
            raise missing("message", message_id)
        conversation_id, parent = int(row[0]), row[1]
        child = message_id
        while parent is not None:
            conn.execute("UPDATE messages SET active_child_id = ? WHERE id = ?", (child, parent))
            child = int(parent)
            parent = conn.execute(
                "SELECT parent_id FROM messages WHERE id = ?", (child,)
            ).fetchone()[0]
        conn.execute(
            "UPDATE conversations SET active_root_id = ? WHERE id = ?", (child, conversation_id)
        )

    def add_message(
        self,
        conversation_id: int,
        parent_id: int | None,
        role: str,
        content: str = "",
        *,
        reasoning: str = "",
        status: MessageStatus = MessageStatus.COMPLETE,
        model: str = "",
        params: Mapping[str, Any] | Any | None = None,
        stats: Mapping[str, Any] | Any | None = None,
        thinking_s: float | None = None,
        boxed: str | None = None,
    ) -> StoredMessage:
        """Add a message under `parent_id` (None: a first message) and make it active.

        The general form behind the helpers below; `params` and `stats` may be
        mappings or dataclasses (SamplingParams, GenerationStats).
        """
        if role not in ROLES:
            raise StoreError(f"Unknown message role {role!r}; expected one of {', '.join(ROLES)}.")
        conn = self._db()
        now = time.time()
        with transaction(conn):
            if conn.execute(
                "SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone() is None:
                raise missing("conversation", conversation_id)
            if parent_id is not None:
                parent = conn.execute(
                    "SELECT conversation_id FROM messages WHERE id = ?", (parent_id,)
                ).fetchone()
                if parent is None or int(parent[0]) != conversation_id:
                    raise missing("message", parent_id)
            cur = conn.execute(
                "INSERT INTO messages (conversation_id, parent_id, role, content, reasoning, "
                "status, created_at, updated_at, model, params, stats, thinking_s, boxed) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    conversation_id, parent_id, role, content, reasoning,
                    MessageStatus(status).value, now, now, model,
                    dump_json(params), dump_json(stats), thinking_s, boxed,
                ),
            )
            new_id = int(cur.lastrowid or 0)
            if parent_id is None:
                conn.execute(
                    "UPDATE conversations SET active_root_id = ? WHERE id = ?",
                    (new_id, conversation_id),
                )
            else:
                conn.execute(
                    "UPDATE messages SET active_child_id = ? WHERE id = ?", (new_id, parent_id)
                )
            conn.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id)
            )
        return self.get_message(new_id)

    def add_user_message(self, conversation_id: int, content: str) -> StoredMessage:
        """Append the user's message at the end of the active branch."""
        return self.add_message(conversation_id, self.leaf_id(conversation_id), "user", content)

    def edit_user_message(self, message_id: int, content: str) -> StoredMessage:
        """Store an edited user message as a new sibling; the original stays reachable."""
        old = self.get_message(message_id)
        if old.role != "user":
            raise StoreError("Only your own messages can be edited; regenerate an answer instead.")
        return self.add_message(old.conversation_id, old.parent_id, "user", content)

    def start_reply(
        self,
        parent_id: int,
        *,
        model: str = "",
        params: Mapping[str, Any] | Any | None = None,
    ) -> StoredMessage:
        """Store an empty assistant reply (status streaming) under a message."""
        parent = self.get_message(parent_id)
        return self.add_message(
            parent.conversation_id, parent_id, "assistant",
            status=MessageStatus.STREAMING, model=model, params=params,
        )

    def regenerate(
        self,
        message_id: int,
        *,
        model: str = "",
        params: Mapping[str, Any] | Any | None = None,
    ) -> StoredMessage:
        """Start a new answer next to an assistant message; the old one stays reachable."""
        old = self.get_message(message_id)
        if old.role != "assistant":
            raise StoreError("Only answers can be regenerated; edit your message instead.")
        return self.add_message(
            old.conversation_id, old.parent_id, "assistant",
            status=MessageStatus.STREAMING, model=model, params=params,
        )

    def continue_reply(self, message_id: int) -> StoredMessage:
        """Reopen a stopped answer so that append_stream adds to its end."""
        msg = self.get_message(message_id)
        if msg.role != "assistant":
            raise StoreError("Only answers can be continued.")
        self._set_message(message_id, "status = 'streaming'", ())
        return self.get_message(message_id)

    def set_reasoning_collapsed(self, message_id: int, collapsed: bool) -> None:
        """Remember whether the GUI shows this message's reasoning folded."""
        self._set_message(message_id, "reasoning_collapsed = ?", (int(collapsed),), touch=False)

    def delete_message(self, message_id: int) -> int:
        """Delete a message and every reply below it.

        Returns:
            How many messages were deleted.
        """
        subtree = (
            "WITH RECURSIVE sub(id) AS (SELECT id FROM messages WHERE id = ? "
            "UNION ALL SELECT m.id FROM messages m JOIN sub ON m.parent_id = sub.id) "
            "SELECT id FROM sub"
        )
        conn = self._db()
        with transaction(conn):
            ids = [int(r[0]) for r in conn.execute(subtree, (message_id,))]
            if not ids:
                raise missing("message", message_id)
            # One statement: parent_id has no ON DELETE action (a cascade down a
            # long chain would hit SQLite's trigger depth limit), and the foreign
            # key is checked when the statement ends, with the subtree all gone.
            conn.execute(f"DELETE FROM messages WHERE id IN ({subtree})", (message_id,))
        self._pending.forget(ids)
        return len(ids)

    def _set_message(
        self, message_id: int, assignments: str, args: tuple[Any, ...], *, touch: bool = True
    ) -> None:
        conn = self._db()
        now = time.time()
        with transaction(conn):
            if touch:
                assignments += ", updated_at = ?"
                args = (*args, now)
            cur = conn.execute(
                f"UPDATE messages SET {assignments} WHERE id = ?", (*args, message_id)
            )
            if cur.rowcount == 0:
                raise missing("message", message_id)
            if touch:
                self._touch_conversation_of(conn, message_id, now)
