"""Find the final answer a model put in `\\boxed{...}` (R1's math convention)."""

from __future__ import annotations

import re

from app.core.braces import closing_brace

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
        end = closing_brace(text, match.end() - 1)  # the pattern ends at `{`
        if end < 0:
            return None
        found = text[match.end() : end].strip()
        pos = end + 1
