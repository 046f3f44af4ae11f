"""Split a message's markdown into prose and fenced-code segments.

Each segment gets its own widget: prose wraps, code keeps its lines and
scrolls sideways inside its own block. While a reply streams only the last
segment changes, so only the growing tail is re-rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^\n]*$")


@dataclass(frozen=True)
class Segment:
    """One piece of a message.

    Attributes:
        is_code: a fenced code block (else prose).
        source: the markdown of the piece (for code: the whole fence).
        language: the code's info string ("" for prose or none).
        code: the code text without the fences (prose: "").
        is_closed: the piece cannot change any more while streaming.
    """

    is_code: bool
    source: str
    language: str = ""
    code: str = ""
    is_closed: bool = True


def split_segments(markdown: str) -> list[Segment]:
    """Split `markdown` at top-level fenced code blocks.

    The last segment is open (`is_closed` False) when the text may still
    grow into it: trailing prose, or a fence without its closing line.
    """
    segments: list[Segment] = []
    prose: list[str] = []
    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if match is None:
            prose.append(lines[i])
            i += 1
            continue
        fence, language = match.group(1), match.group(2)
        if prose:
            segments.append(Segment(False, "\n".join(prose)))
            prose = []
        body: list[str] = []
        j = i + 1
        is_closed = False
        while j < len(lines):
            stripped = lines[j].strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                is_closed = True
                break
            body.append(lines[j])
            j += 1
        source = "\n".join(lines[i : j + 1])
        # A fence still streaming has no newline after its last line yet.
        is_closed = is_closed and j + 1 < len(lines)
        segments.append(Segment(True, source, language, "\n".join(body), is_closed))
        i = j + 1
    if prose:
        text = "\n".join(prose)
        if text.strip() or not segments:
            segments.append(Segment(False, text, is_closed=False))
    if segments and segments[-1].is_closed and segments[-1].is_code is False:
        segments[-1] = Segment(False, segments[-1].source, is_closed=False)
    return segments
