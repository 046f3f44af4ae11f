"""ChatStore: conversations and their message trees in one SQLite file.

Messages form a tree through `parent_id`. Editing a user message or
regenerating an answer adds a sibling instead of overwriting, so every earlier
branch stays reachable; each parent remembers its active child (the root's
choice is kept on the conversation), and `active_path` follows those choices
from the first message to the newest one on the branch.

An assistant reply is stored as soon as generation starts (status
`streaming`); text arrives through `append_stream`, which buffers it and
commits at most every `flush_interval_s`; `finish_stream` writes the rest and
the final status. Opening a store marks replies still `streaming` (left by a
killed app) as `interrupted`.

Threads: a ChatStore holds one SQLite connection and must be used from the
thread that created it. Other threads (or processes) open their own
ChatStore on the same file, with `recover_interrupted=False` while another
store may be streaming.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import time
from collections.abc import Iterable, Mapping
from enum import Enum
from pathlib import Path
from typing import Any

from app.core.errors import StoreError
from app.store import search as search_module
from app.store.db import open_connection, transaction
from app.store.records import (
    ROLES,
    Conversation,
    ConversationTree,
    JsonDict,
    MessageStatus,
    SearchHit,
    StoredMessage,
    TreeMessage,
)
from app.store.schema import SearchMode, search_mode_of

DEFAULT_TITLE = "New chat"
_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit

_MESSAGE_COLUMNS = (
    "id, conversation_id, parent_id, role, content, reasoning, status, created_at, "
    "updated_at, model, params, stats, thinking_s, boxed, reasoning_collapsed"
)
_CONVERSATION_COLUMNS = "id, title, created_at, updated_at, settings, deleted_at"


def to_json_dict(value: Mapping[str, Any] | Any | None) -> JsonDict:
    """A JSON-ready dict from a mapping or a dataclass (enums become their values)."""
    if value is None:
        return {}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a mapping or a dataclass, got {type(value).__name__}")
    return {str(k): (v.value if isinstance(v, Enum) else v) for k, v in value.items()}


def _dump(value: Mapping[str, Any] | Any | None) -> str:
    return json.dumps(to_json_dict(value), ensure_ascii=False, sort_keys=True)


def _load(text: str | None) -> JsonDict:
    if not text or text == "{}":  # most rows: skip the JSON parser (opening long chats)
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _conversation(row: sqlite3.Row | tuple[Any, ...]) -> Conversation:
    return Conversation(
        id=int(row[0]),
        title=str(row[1]),
        created_at=float(row[2]),
        updated_at=float(row[3]),
        settings=_load(row[4]),
        deleted_at=None if row[5] is None else float(row[5]),
    )


_STATUS = {s.value: s for s in MessageStatus}


def _message(row: tuple[Any, ...], index: int = 0, count: int = 1) -> StoredMessage:
    return StoredMessage(
        id=int(row[0]),
        conversation_id=int(row[1]),
        parent_id=None if row[2] is None else int(row[2]),
        role=str(row[3]),
        content=str(row[4]),
        reasoning=str(row[5]),
        status=_STATUS[row[6]],
        created_at=float(row[7]),
        updated_at=float(row[8]),
        model=str(row[9]),
        params=_load(row[10]),
        stats=_load(row[11]),
        thinking_s=None if row[12] is None else float(row[12]),
        boxed=None if row[13] is None else str(row[13]),
        reasoning_collapsed=bool(row[14]),
        sibling_index=index,
        sibling_count=count,
    )


def _missing(kind: str, ident: int) -> StoreError:
    return StoreError(
        f"That {kind} (id {ident}) no longer exists; it may have been deleted. "
        "Reload the conversation list and try again."
    )


class _PendingText:
    """Streamed text not yet written, for one message."""

    __slots__ = ("answer", "reasoning")

    def __init__(self) -> None:
        self.reasoning: list[str] = []
        self.answer: list[str] = []


class ChatStore:
    """Conversations and message trees in the SQLite file at `path`.

    Args:
        path: the database file (created with its folder if missing).
        recover_interrupted: mark replies left `streaming` as `interrupted`.
            Only the app's first store should do this; a second store opened
            while the first streams must pass False.
        flush_interval_s: the least time between two automatic commits of
            streamed text.

    Raises:
        StoreError: the file cannot be opened, is not a Ponder database, or
            comes from a newer Ponder.
    """

    def __init__(
        self,
        path: Path,
        *,
        recover_interrupted: bool = True,
        flush_interval_s: float = 0.25,
    ) -> None:
        self._path = Path(path)
        self._conn = open_connection(self._path)
        self._mode = search_mode_of(self._conn)
        self._flush_interval_s = flush_interval_s
        self._pending: dict[int, _PendingText] = {}
        self._last_flush = time.monotonic()
        self._closed = False
        self.recovered_ids: tuple[int, ...] = ()
        """Messages this store marked `interrupted` when it opened."""
        if recover_interrupted:
            self.recovered_ids = self._recover_interrupted()

    # ----------------------------------------------------------------- basics

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

    def close(self) -> None:
        """Write any buffered streamed text and close the connection."""
        if self._closed:
            return
        try:
            self.flush()
        finally:
            self._closed = True
            self._conn.close()

    def __enter__(self) -> ChatStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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

    # ---------------------------------------------------------- conversations

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
                (self._clean_title(title), now, now, _dump(settings)),
            )
        return self.get_conversation(int(cur.lastrowid or 0))

    def get_conversation(self, conversation_id: int) -> Conversation:
        """The conversation with this id (also when it is in the trash)."""
        row = self._db().execute(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations WHERE id = ?",
            (conversation_id,),
        ).fetchone()
        if row is None:
            raise _missing("conversation", conversation_id)
        return _conversation(row)

    def list_conversations(self, *, deleted: bool = False) -> list[Conversation]:
        """Live conversations (or, with deleted=True, the trash), newest activity first."""
        where = "deleted_at IS NOT NULL" if deleted else "deleted_at IS NULL"
        rows = self._db().execute(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations WHERE {where} "
            "ORDER BY updated_at DESC, id DESC"
        ).fetchall()
        return [_conversation(r) for r in rows]

    def rename_conversation(self, conversation_id: int, title: str) -> Conversation:
        """Give a conversation a new title."""
        self._update_conversation(
            conversation_id, "title = ?, updated_at = ?", (self._clean_title(title), time.time())
        )
        return self.get_conversation(conversation_id)

    def set_conversation_settings(
        self, conversation_id: int, settings: Mapping[str, Any]
    ) -> Conversation:
        """Replace a conversation's settings overrides (a JSON object)."""
        self._update_conversation(conversation_id, "settings = ?", (_dump(settings),))
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
                raise _missing("conversation", conversation_id)

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
                raise _missing("conversation", conversation_id)

    @staticmethod
    def _clean_title(title: str) -> str:
        cleaned = " ".join(title.split())
        if not cleaned:
            raise StoreError("A conversation title cannot be empty. Type a few words as its title.")
        return cleaned

    # -------------------------------------------------------- reading the tree

    def get_message(self, message_id: int) -> StoredMessage:
        """One message, with its position among its siblings."""
        conn = self._db()
        row = conn.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)
        ).fetchone()
        if row is None:
            raise _missing("message", message_id)
        ids = self._sibling_ids(int(row[1]), row[2])
        return _message(row, ids.index(message_id), len(ids))

    def siblings(self, message_id: int) -> list[StoredMessage]:
        """The message and its alternatives (same parent), oldest first."""
        msg = self.get_message(message_id)
        rows = self._db().execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages "
            "WHERE conversation_id = ? AND parent_id IS ? ORDER BY id",
            (msg.conversation_id, msg.parent_id),
        ).fetchall()
        return [_message(r, i, len(rows)) for i, r in enumerate(rows)]

    def children(self, message_id: int) -> list[StoredMessage]:
        """The replies to a message (all branches), oldest first."""
        rows = self._db().execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE parent_id = ? ORDER BY id",
            (message_id,),
        ).fetchall()
        return [_message(r, i, len(rows)) for i, r in enumerate(rows)]

    def active_path(self, conversation_id: int) -> list[StoredMessage]:
        """The branch the user is looking at, first message to last.

        At each step the remembered active child is taken; when none is
        remembered (or it was deleted) the newest child is.
        """
        path = self._active_ids(conversation_id)
        rows = self._rows_by_id([p[0] for p in path])
        return [_message(rows[ident], index, count) for ident, index, count in path]

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
            raise _missing("conversation", conversation_id)
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
                f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id IN ({marks})", chunk
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

    # -------------------------------------------------------- changing the tree

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
            raise _missing("message", message_id)
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
                raise _missing("conversation", conversation_id)
            if parent_id is not None:
                parent = conn.execute(
                    "SELECT conversation_id FROM messages WHERE id = ?", (parent_id,)
                ).fetchone()
                if parent is None or int(parent[0]) != conversation_id:
                    raise _missing("message", parent_id)
            cur = conn.execute(
                "INSERT INTO messages (conversation_id, parent_id, role, content, reasoning, "
                "status, created_at, updated_at, model, params, stats, thinking_s, boxed) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    conversation_id, parent_id, role, content, reasoning,
                    MessageStatus(status).value, now, now, model,
                    _dump(params), _dump(stats), thinking_s, boxed,
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

    def leaf_id(self, conversation_id: int) -> int | None:
        """The last message of the active branch, None in an empty conversation."""
        path = self._active_ids(conversation_id)
        return path[-1][0] if path else None

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
                raise _missing("message", message_id)
            # One statement: parent_id has no ON DELETE action (a cascade down a
            # long chain would hit SQLite's trigger depth limit), and the foreign
            # key is checked when the statement ends, with the subtree all gone.
            conn.execute(f"DELETE FROM messages WHERE id IN ({subtree})", (message_id,))
        for ident in ids:
            self._pending.pop(ident, None)
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
                raise _missing("message", message_id)
            if touch:
                conn.execute(
                    "UPDATE conversations SET updated_at = ? WHERE id = "
                    "(SELECT conversation_id FROM messages WHERE id = ?)",
                    (now, message_id),
                )

    # --------------------------------------------------------------- streaming

    def append_stream(
        self, message_id: int, reasoning_delta: str = "", answer_delta: str = ""
    ) -> bool:
        """Buffer streamed text for a reply; commit if the flush interval has passed.

        Returns:
            True when this call committed the buffered text of all replies.
        """
        pending = self._pending.get(message_id)
        if pending is None:
            pending = self._pending[message_id] = _PendingText()
        if reasoning_delta:
            pending.reasoning.append(reasoning_delta)
        if answer_delta:
            pending.answer.append(answer_delta)
        return self.flush(force=False)

    def flush(self, *, force: bool = True) -> bool:
        """Commit buffered streamed text now (or, with force=False, only if due).

        Returns:
            True when a commit happened.
        """
        if not self._pending:
            return False
        if not force and time.monotonic() - self._last_flush < self._flush_interval_s:
            return False
        conn = self._db()
        ids = list(self._pending)
        with transaction(conn):
            self._write_pending(conn, ids)
        self._forget_pending(ids)
        self._last_flush = time.monotonic()
        return True

    def _write_pending(self, conn: sqlite3.Connection, ids: Iterable[int]) -> None:
        """Write buffered text; the buffer is kept until the commit succeeded."""
        now = time.time()
        for ident in ids:
            pending = self._pending.get(ident)
            if pending is None:
                continue
            conn.execute(
                "UPDATE messages SET reasoning = reasoning || ?, content = content || ?, "
                "updated_at = ? WHERE id = ?",
                ("".join(pending.reasoning), "".join(pending.answer), now, ident),
            )
            conn.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = "
                "(SELECT conversation_id FROM messages WHERE id = ?)",
                (now, ident),
            )

    def _forget_pending(self, ids: Iterable[int]) -> None:
        """Drop buffered text that a committed transaction wrote."""
        for ident in ids:
            self._pending.pop(ident, None)

    def finish_stream(
        self,
        message_id: int,
        status: MessageStatus = MessageStatus.COMPLETE,
        *,
        stats: Mapping[str, Any] | Any | None = None,
        thinking_s: float | None = None,
        boxed: str | None = None,
    ) -> StoredMessage:
        """Write the rest of a reply's text and its final status and numbers.

        Args:
            message_id: the streaming reply.
            status: complete, cancelled, error or interrupted.
            stats: a mapping or GenerationStats; stored as JSON.
            thinking_s: seconds spent reasoning.
            boxed: the final \\boxed{} answer, if any.
        """
        if MessageStatus(status) is MessageStatus.STREAMING:
            raise ValueError("finish_stream needs a final status, not streaming")
        conn = self._db()
        with transaction(conn):
            self._write_pending(conn, [message_id])
            cur = conn.execute(
                "UPDATE messages SET status = ?, stats = ?, thinking_s = ?, boxed = ?, "
                "updated_at = ? WHERE id = ?",
                (MessageStatus(status).value, _dump(stats), thinking_s, boxed, time.time(),
                 message_id),
            )
            if cur.rowcount == 0:
                raise _missing("message", message_id)
        self._forget_pending([message_id])
        return self.get_message(message_id)

    # ------------------------------------------------------------------ search

    def search(
        self, query: str, *, limit: int = 50, start: str = "«", end: str = "»"
    ) -> list[SearchHit]:
        """Find titles and messages containing every term of `query` (any text is safe).

        See app.store.search.search for the arguments.
        """
        try:
            return search_module.search(
                self._db(), self._mode, query, limit=limit, start=start, end=end
            )
        except sqlite3.Error as exc:
            raise StoreError(
                f"Search failed ({exc}). Try different words; your conversations are unchanged."
            ) from exc

    # ------------------------------------------------------ whole-tree exchange

    def load_tree(self, conversation_id: int) -> ConversationTree:
        """The whole conversation (every branch) as plain values, for export."""
        conv = self.get_conversation(conversation_id)
        active_ids = {m.id for m in self.active_path(conversation_id)}
        rows = self._db().execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        ).fetchall()
        messages = []
        for row in rows:
            m = _message(row)
            messages.append(
                TreeMessage(
                    key=m.id, parent_key=m.parent_id, role=m.role, content=m.content,
                    reasoning=m.reasoning, status=m.status, created_at=m.created_at,
                    updated_at=m.updated_at, model=m.model, params=m.params, stats=m.stats,
                    thinking_s=m.thinking_s, boxed=m.boxed,
                    reasoning_collapsed=m.reasoning_collapsed, is_active=m.id in active_ids,
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
                (self._clean_title(tree.title), tree.created_at, tree.updated_at,
                 _dump(tree.settings)),
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
                        m.created_at, m.updated_at, m.model, _dump(m.params), _dump(m.stats),
                        m.thinking_s, m.boxed, int(m.reasoning_collapsed),
                    ),
                )
                new_ids[m.key] = int(cur.lastrowid or 0)
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
