"""Streamed text waiting to be written, and when the next write is due.

ChatStore buffers the deltas of replies being generated and commits them at
most every `interval_s`, never one write per token.
"""

from __future__ import annotations

import time
from collections.abc import Iterable


class _PendingText:
    """Streamed text not yet written, for one message."""

    __slots__ = ("answer", "reasoning")

    def __init__(self) -> None:
        self.reasoning: list[str] = []
        self.answer: list[str] = []


class PendingStreams:
    """Buffered reasoning and answer text of the replies being streamed.

    Args:
        interval_s: the least time between two automatic commits.
    """

    def __init__(self, interval_s: float) -> None:
        self._interval_s = interval_s
        self._texts: dict[int, _PendingText] = {}
        self._last_flush = time.monotonic()

    def __bool__(self) -> bool:
        return bool(self._texts)

    def add(self, message_id: int, reasoning: str, answer: str) -> None:
        """Buffer a delta of one reply (either part may be empty)."""
        pending = self._texts.get(message_id)
        if pending is None:
            pending = self._texts[message_id] = _PendingText()
        if reasoning:
            pending.reasoning.append(reasoning)
        if answer:
            pending.answer.append(answer)

    def ids(self) -> list[int]:
        """The messages that have buffered text."""
        return list(self._texts)

    def text(self, message_id: int) -> tuple[str, str] | None:
        """(reasoning, answer) buffered for a message, None when nothing is."""
        pending = self._texts.get(message_id)
        if pending is None:
            return None
        return "".join(pending.reasoning), "".join(pending.answer)

    def forget(self, ids: Iterable[int]) -> None:
        """Drop the buffers of these messages (written, or deleted)."""
        for ident in ids:
            self._texts.pop(ident, None)

    def is_due(self) -> bool:
        """True when the flush interval has passed since the last commit."""
        return time.monotonic() - self._last_flush >= self._interval_s

    def mark_flushed(self) -> None:
        """Start the interval again after a commit."""
        self._last_flush = time.monotonic()
