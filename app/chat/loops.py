"""Notice when a model's reasoning goes round in circles.

Small distills sometimes repeat the same sentence or paragraph until the
token limit. The tell is exact periodicity: the end of the reasoning is the
same span of text several times in a row. Ordinary reasoning repeats short
phrases ("So,", "Let me check") but not whole spans back to back.
"""

from __future__ import annotations

_MAX_CANDIDATES = 8


class LoopDetector:
    """Watches streamed reasoning for a span repeated back to back.

    Whitespace runs count as one space, so a loop that differs only in line
    breaks is still a loop. Each `feed` costs O(window_chars), independent of
    how long the reasoning already is.

    Args:
        window_chars: how much of the tail is kept and searched.
        min_repeat_chars: the shortest span that counts (shorter repeats are
            normal prose).
        repeats: how many copies in a row make a loop.
    """

    def __init__(
        self, window_chars: int = 4000, min_repeat_chars: int = 60, repeats: int = 3
    ) -> None:
        if min_repeat_chars < 1 or repeats < 2 or window_chars < min_repeat_chars * repeats:
            raise ValueError(
                "LoopDetector needs min_repeat_chars >= 1, repeats >= 2 and "
                "window_chars >= min_repeat_chars * repeats"
            )
        self._window = window_chars
        self._min = min_repeat_chars
        self._repeats = repeats
        self._tail = ""
        self._fired = False
        self.period = 0
        """Length of the repeated span once a loop was found (normalised text)."""

    @property
    def has_fired(self) -> bool:
        """True once a loop was reported."""
        return self._fired

    def reset(self) -> None:
        """Forget everything (a new reply starts)."""
        self._tail = ""
        self._fired = False
        self.period = 0

    def feed(self, text: str) -> bool:
        """Add reasoning text; True exactly once, when a loop is first seen."""
        if not text:
            return False
        self._append(text)
        if self._fired:
            return False
        period = self._find_period()
        if period:
            self._fired = True
            self.period = period
            return True
        return False

    def _append(self, text: str) -> None:
        normalised = " ".join(text.split())
        if text[:1].isspace():
            normalised = " " + normalised
        if text[-1:].isspace() and normalised and not normalised.endswith(" "):
            normalised += " "
        if self._tail.endswith(" ") and normalised.startswith(" "):
            normalised = normalised[1:]
        self._tail = (self._tail + normalised)[-self._window :]

    def _find_period(self) -> int:
        """The shortest period p >= min with `repeats` copies at the end, or 0."""
        tail = self._tail
        size = len(tail)
        if size < self._min * self._repeats:
            return 0
        needle = tail[-self._min :]
        # An occurrence of the last `min` chars that starts `p` chars earlier
        # is the only way the tail can have period p; check those p only.
        search_end = size - self._min  # occurrence must end here or before
        for _ in range(_MAX_CANDIDATES):
            start = tail.rfind(needle, 0, search_end)
            if start < 0:
                return 0
            period = size - self._min - start
            if period * self._repeats > size:
                return 0
            span = tail[size - period :]
            if tail[size - period * self._repeats :] == span * self._repeats:
                return period
            search_end = start + self._min - 1
        return 0
