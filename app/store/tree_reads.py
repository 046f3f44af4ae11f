"""ChatStore's reading of the message tree: one message, siblings, the active branch."""

from __future__ import annotations

from typing import Any

from app.store.records import StoredMessage
from app.store.rows import MESSAGE_COLUMNS, message_from_row, missing
from app.store.store_core import StoreCore

_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


class TreeReadsMixin(StoreCore):
    """Queries over messages; nothing here writes."""

    def get_message(self, message_id: int) -> StoredMessage:
        """One message, with its position among its siblings."""
        conn = self._db()
        row = conn.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)
        ).fetchone()
        if row is None:
            raise missing("message", message_id)
        ids = self._sibling_ids(int(row[1]), row[2])
        return message_from_row(row, ids.index(message_id), len(ids))

    def siblings(self, message_id: int) -> list[StoredMessage]:
        """The message and its alternatives (same parent), oldest first."""
        msg = self.get_message(message_id)
        rows = self._db().execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages "
            "WHERE conversation_id = ? AND parent_id IS ? ORDER BY id",
            (msg.conversation_id, msg.parent_id),
        ).fetchall()
        return [message_from_row(r, i, len(rows)) for i, r in enumerate(rows)]

    def children(self, message_id: int) -> list[StoredMessage]:
        """The replies to a message (all branches), oldest first."""
        rows = self._db().execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE parent_id = ? ORDER BY id",
            (message_id,),
        ).fetchall()
        return [message_from_row(r, i, len(rows)) for i, r in enumerate(rows)]

    def active_path(self, conversation_id: int) -> list[StoredMessage]:
        """The branch the user is looking at, first message to last.

        At each step the remembered active child is taken; when none is
        remembered (or it was deleted) the newest child is.
        """
        path = self._active_ids(conversation_id)
        rows = self._rows_by_id([p[0] for p in path])
        return [message_from_row(rows[ident], index, count) for ident, index, count in path]

    def leaf_id(self, conversation_id: int) -> int | None:
        """The last message of the active branch, None in an empty conversation."""
        path = self._active_ids(conversation_id)
        return path[-1][0] if path else None

    def _active_ids(self, conversation_id: int) -> list[tuple[int, int, int]]:
        """(id, sibling index, sibling count) along the active branch.

        One light query for the shape of the tree, walked in memory: a few
        milliseconds for thousands of messages.
        """
        conn = self._db()
        conv = conn.execute(
            "SELECT active_root_id FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        if conv is None:
            raise missing("conversation", conversation_id)
        children: dict[int | None, list[int]] = {}
        active: dict[int | None, int | None] = {None: conv[0]}
        for ident, parent, active_child in conn.execute(
            "SELECT id, parent_id, active_child_id FROM messages "
            "WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        ):
            children.setdefault(parent, []).append(ident)
            active[ident] = active_child
        path: list[tuple[int, int, int]] = []
        node: int | None = None
        while kids := children.get(node):
            choice = active.get(node)
            index = kids.index(choice) if choice in kids else len(kids) - 1
            path.append((kids[index], index, len(kids)))
            node = kids[index]
        return path

    def _rows_by_id(self, ids: list[int]) -> dict[int, tuple[Any, ...]]:
        conn = self._db()
        rows: dict[int, tuple[Any, ...]] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(
                f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id IN ({marks})", chunk
            ):
                rows[row[0]] = row
        return rows

    def _sibling_ids(self, conversation_id: int, parent_id: int | None) -> list[int]:
        return [
            int(r[0])
            for r in self._db().execute(
                "SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS ? ORDER BY id",
                (conversation_id, parent_id),
            )
        ]
