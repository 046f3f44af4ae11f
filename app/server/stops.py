"""Stop sequences over a stream of answer text.

A sequence may arrive split over several pieces, so the matcher holds back
the end of the text that could still be the start of one, and releases it
once it cannot be. The sequence and everything after it are never sent (as
OpenAI's API does).
"""

from __future__ import annotations


class StopMatcher:
    """Feed answer text; get the text that is safe to send.

    Args:
        stops: the stop sequences (empty: everything passes at once).
    """

    def __init__(self, stops: tuple[str, ...]) -> None:
        self._stops = tuple(s for s in stops if s)
        self._held = ""
        self.is_stopped = False
        """A stop sequence was found; later text is dropped."""

    def feed(self, text: str) -> str:
        """The part of the text seen so far that can be sent now."""
        if self.is_stopped:
            return ""
        if not self._stops:
            return text
        held = self._held + text
        cut = min((i for i in (held.find(s) for s in self._stops) if i >= 0), default=-1)
        if cut >= 0:
            self.is_stopped = True
            self._held = ""
            return held[:cut]
        keep = self._partial_tail(held)
        self._held = held[len(held) - keep :] if keep else ""
        return held[: len(held) - keep]

    def flush(self) -> str:
        """What is still held when the stream ends (no sequence followed)."""
        held, self._held = self._held, ""
        return "" if self.is_stopped else held

    def _partial_tail(self, text: str) -> int:
        """Length of the longest end of `text` that starts some stop sequence."""
        longest = 0
        for stop in self._stops:
            for size in range(min(len(stop) - 1, len(text)), longest, -1):
                if text.endswith(stop[:size]):
                    longest = size
                    break
        return longest
