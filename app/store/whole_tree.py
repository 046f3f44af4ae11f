"""ChatStore's whole-conversation copies: every branch out (export) and in (import)."""

from __future__ import annotations

import json
import sqlite3

from app.store.conversations import ConversationsMixin, clean_title
from app.store.db import transaction
from app.store.records import (
    Conversation,
    ConversationTree,
    JsonDict,
    MessageStatus,
    TreeMessage,
)
from app.store.rows import MESSAGE_COLUMNS, dump_json, message_from_row
from app.store.tree_reads import TreeReadsMixin


class WholeTreeMixin(ConversationsMixin, TreeReadsMixin):
    """A conversation as one plain ConversationTree value, read or written at once."""

    def load_tree(self, conversation_id: int) -> ConversationTree:
        """The whole conversation (every branch) as plain values, for export."""
        conv = self.get_conversation(conversation_id)
        active_ids = {m.id for m in self.active_path(conversation_id)}
        rows = self._db().execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        ).fetchall()
        checks = self._tree_checks(conversation_id)
        messages = []
        for row in rows:
            m = message_from_row(row)
            messages.append(
                TreeMessage(
                    key=m.id, parent_key=m.parent_id, role=m.role, content=m.content,
                    reasoning=m.reasoning, status=m.status, created_at=m.created_at,
                    updated_at=m.updated_at, model=m.model, params=m.params, stats=m.stats,
                    thinking_s=m.thinking_s, boxed=m.boxed,
                    reasoning_collapsed=m.reasoning_collapsed, is_active=m.id in active_ids,
                    checks=checks.get(m.id, {}),
                )
            )
        return ConversationTree(
            title=conv.title, created_at=conv.created_at, updated_at=conv.updated_at,
            settings=conv.settings, messages=tuple(messages),
        )

    def insert_tree(self, tree: ConversationTree) -> Conversation:
        """Add a whole conversation in one transaction (all of it or nothing).

        Messages must come parents first (ConversationTree's promise); a
        streaming message is stored as interrupted.
        """
        conn = self._db()
        with transaction(conn):
            cur = conn.execute(
                "INSERT INTO conversations (title, created_at, updated_at, settings) "
                "VALUES (?, ?, ?, ?)",
                (clean_title(tree.title), tree.created_at, tree.updated_at,
                 dump_json(tree.settings)),
            )
            conversation_id = int(cur.lastrowid or 0)
            new_ids: dict[int, int] = {}
            for m in tree.messages:
                parent = None if m.parent_key is None else new_ids[m.parent_key]
                status = (
                    MessageStatus.INTERRUPTED if m.status is MessageStatus.STREAMING else m.status
                )
                cur = conn.execute(
                    "INSERT INTO messages (conversation_id, parent_id, role, content, "
                    "reasoning, status, created_at, updated_at, model, params, stats, "
                    "thinking_s, boxed, reasoning_collapsed) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        conversation_id, parent, m.role, m.content, m.reasoning, status.value,
                        m.created_at, m.updated_at, m.model, dump_json(m.params),
                        dump_json(m.stats), m.thinking_s, m.boxed, int(m.reasoning_collapsed),
                    ),
                )
                new_ids[m.key] = int(cur.lastrowid or 0)
                for kind, data in m.checks.items():
                    conn.execute(
                        "INSERT INTO answer_checks (message_id, kind, data, updated_at) "
                        "VALUES (?, ?, ?, ?)",
                        (new_ids[m.key], kind, json.dumps(data, ensure_ascii=False,
                                                          sort_keys=True), m.updated_at),
                    )
            for m in tree.messages:
                if not m.is_active:
                    continue
                if m.parent_key is None:
                    conn.execute(
                        "UPDATE conversations SET active_root_id = ? WHERE id = ?",
                        (new_ids[m.key], conversation_id),
                    )
                else:
                    conn.execute(
                        "UPDATE messages SET active_child_id = ? WHERE id = ?",
                        (new_ids[m.key], new_ids[m.parent_key]),
                    )
        return self.get_conversation(conversation_id)

    def _tree_checks(self, conversation_id: int) -> dict[int, dict[str, JsonDict]]:
        """The saved answer checks of a conversation's messages: id -> kind -> data."""
        try:
            rows = self._db().execute(
                "SELECT c.message_id, c.kind, c.data FROM answer_checks c "
                "JOIN messages m ON m.id = c.message_id WHERE m.conversation_id = ?",
                (conversation_id,),
            ).fetchall()
        except sqlite3.OperationalError:
            return {}  # a read-only file of an older schema has no such table
        found: dict[int, dict[str, JsonDict]] = {}
        for message_id, kind, text in rows:
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                found.setdefault(int(message_id), {})[str(kind)] = value
        return found
