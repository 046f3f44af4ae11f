"""Find the final answer a model put in `\\boxed{...}` (R1's math convention)."""

from __future__ import annotations

import re

# `\boxed{`, `\boxed {` and `\fbox{`; the lookahead keeps `\boxedfoo` out.
_BOX_START = re.compile(r"\\(?:boxed|fbox)(?![A-Za-z])\s*\{")


def extract_boxed(text: str) -> str | None:
    """The content of the last top-level `\\boxed{...}` (or `\\fbox{...}`).

    Braces nest; escaped braces (`\\{`, `\\}`) and other escapes do not
    count. A box inside another box belongs to it, so
    `\\boxed{\\boxed{2}}` gives `\\boxed{2}`.

    Args:
        text: the answer text (LaTeX inside markdown).

    Returns:
        The content with surrounding whitespace stripped, or None when there
        is no box or the last one is never closed (a cut-off reply).
    """
    found: str | None = None
    pos = 0
    while True:
        match = _BOX_START.search(text, pos)
        if match is None:
            return found
        end = _closing_brace(text, match.end())
        if end is None:
            return None
        found = text[match.end() : end].strip()
        pos = end + 1


def _closing_brace(text: str, start: int) -> int | None:
    """Index of the `}` that closes the group opened just before `start`."""
    depth = 1
    index = start
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\\":
            index += 2  # skip the escaped character (`\{`, `\}`, `\\`)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None
