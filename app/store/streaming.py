"""ChatStore's writes of a reply while it streams: buffered deltas, then the end.

An assistant reply is stored as soon as generation starts (status
`streaming`); text arrives through `append_stream`, which buffers it and
commits at most every `flush_interval_s`; `finish_stream` writes the rest and
the final status.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Mapping
from typing import Any

from app.store.db import transaction
from app.store.records import MessageStatus, StoredMessage
from app.store.rows import dump_json, missing
from app.store.tree_reads import TreeReadsMixin


class StreamingMixin(TreeReadsMixin):
    """Batched writes of streamed reasoning and answer text."""

    def append_stream(
        self, message_id: int, reasoning_delta: str = "", answer_delta: str = ""
    ) -> bool:
        """Buffer streamed text for a reply; commit if the flush interval has passed.

        Returns:
            True when this call committed the buffered text of all replies.
        """
        self._pending.add(message_id, reasoning_delta, answer_delta)
        return self.flush(force=False)

    def flush(self, *, force: bool = True) -> bool:
        """Commit buffered streamed text now (or, with force=False, only if due).

        Returns:
            True when a commit happened.
        """
        if not self._pending:
            return False
        if not force and not self._pending.is_due():
            return False
        conn = self._db()
        ids = self._pending.ids()
        with transaction(conn):
            self._write_pending(conn, ids)
        # The buffer is kept until the commit succeeded.
        self._pending.forget(ids)
        self._pending.mark_flushed()
        return True

    def _write_pending(self, conn: sqlite3.Connection, ids: Iterable[int]) -> None:
        """Append buffered text inside the caller's transaction."""
        now = time.time()
        for ident in ids:
            text = self._pending.text(ident)
            if text is None:
                continue
            conn.execute(
                "UPDATE messages SET reasoning = reasoning || ?, content = content || ?, "
                "updated_at = ? WHERE id = ?",
                (*text, now, ident),
            )
            self._touch_conversation_of(conn, ident, now)

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
                (MessageStatus(status).value, dump_json(stats), thinking_s, boxed, time.time(),
                 message_id),
            )
            if cur.rowcount == 0:
                raise missing("message", message_id)
        self._pending.forget([message_id])
        return self.get_message(message_id)
