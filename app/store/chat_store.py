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

The class is assembled from one part per job: `store_core` (the connection),
`conversations`, `tree_reads`, `tree_writes`, `streaming`, `whole_tree` and
`checks`;
this module adds closing and search.

Threads: a ChatStore holds one SQLite connection and must be used from the
thread that created it. Other threads (or processes) open their own
ChatStore on the same file, with `recover_interrupted=False` while another
store may be streaming.
"""

from __future__ import annotations

import sqlite3

from app.core.errors import StoreError
from app.store import search as search_module
from app.store.checks import ChecksMixin
from app.store.conversations import DEFAULT_TITLE, ConversationsMixin
from app.store.records import SearchHit
from app.store.rows import to_json_dict
from app.store.streaming import StreamingMixin
from app.store.tree_writes import TreeWritesMixin
from app.store.whole_tree import WholeTreeMixin

__all__ = ["DEFAULT_TITLE", "ChatStore", "to_json_dict"]


class ChatStore(WholeTreeMixin, ConversationsMixin, TreeWritesMixin, StreamingMixin,
                ChecksMixin):
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
