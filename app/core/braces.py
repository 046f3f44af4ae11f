"""Brace matching in TeX-like text, shared by answer extraction and rendering."""

from __future__ import annotations


def closing_brace(text: str, open_at: int, end: int | None = None) -> int:
    """Index of the ``}`` that closes the ``{`` at ``open_at``.

    Braces nest; a backslash escapes the character after it, so ``\\{``,
    ``\\}`` and ``\\\\`` do not count.

    Args:
        text: the text to search.
        open_at: index of the opening ``{``.
        end: index to stop before; the end of ``text`` when None.

    Returns:
        The index of the matching ``}``, or -1 when the group is not closed
        before ``end``.
    """
    stop = len(text) if end is None else end
    depth = 0
    i = open_at
    while i < stop:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1
